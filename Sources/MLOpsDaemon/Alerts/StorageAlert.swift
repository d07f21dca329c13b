import Foundation
import GRDB
import Logging
import MLOpsCore

/// The daemon-wide `storage_write_failed` alert, kept in line with ``StorageHealth``.
///
/// The writers only report to ``StorageHealth`` (which logs at once: the journal needs no
/// space on our disk); this type turns its episodes into the stored alert. While a writer
/// fails, the alert is opened (or updated) as soon as the store takes the write. Once none
/// fails, the serving links are put back in line with the store, the alert files changed
/// since the first failure are rewritten (their writes may have failed), and the alert is
/// resolved — opened first, dated from the first failure, if the store never took it while
/// the disk was full — with a `storage_recovered` entry.
///
/// Not thread-safe: the engine owns it and calls it on its queue only.
final class StorageAlert {
    /// The model name daemon-wide alerts are filed under (`alerts/mlopsd.<type>.<n>.json`).
    static let model = "mlopsd"
    /// The alert's type.
    static let type = AlertType.storageWriteFailed

    let health: StorageHealth
    private let store: Store
    private let logger: Logger
    /// The episode failure count the open alert was last raised with; nil when no alert
    /// is open.
    private var raised: Int?

    init(health: StorageHealth, store: Store, logger: Logger) {
        self.health = health
        self.store = store
        self.logger = logger
    }

    /// At start: an open alert an earlier process left is resolved once writes work (the
    /// first successful ``settle(publisher:beforeResolving:)``).
    func inherit() {
        let open = store.readOrLog("look for an open storage alert", logger: logger) { db in
            try AlertBook.open(db, model: Self.model).contains { $0.type == Self.type.rawValue }
        }
        if open == true {
            health.inheritOpenAlert()
            raised = 0
        }
    }

    /// Brings the alert in line with ``health`` (after every batch and status interval;
    /// cheap when all is well). `beforeResolving` runs once every writer works again,
    /// before the alert resolves (the engine reconciles the serving links there).
    func settle(publisher: AlertPublisher?, beforeResolving: () -> Void) {
        let (failing, episode) = health.snapshot()
        guard let episode else { return }
        let details: JSONValue = [
            "failures": .int(episode.failures), "first_failure_at": .string(Timestamp.string(episode.firstAt)),
            "last_path": .string(episode.lastPath), "last_errno": .string(episode.lastErrno),
            "last_message": .string(episode.lastMessage),
        ]
        let message =
            "\(episode.failures) writes failed since \(Timestamp.string(episode.firstAt)); last: \(episode.lastMessage)"
        if !failing.isEmpty {
            guard raised != episode.failures else { return }
            do {
                let alert = try store.write { db in
                    try AlertBook.raise(
                        db,
                        model: Self.model,
                        version: nil,
                        type: Self.type,
                        severity: .critical,
                        message: message,
                        details: details,
                        at: Date()
                    )
                }
                publisher?.publish(alert, log: raised == nil)
                raised = episode.failures
            } catch {
                // The store cannot take it yet: the journal has the failure, the alert follows.
            }
            return
        }
        // Every writer works again.
        beforeResolving()
        let raised = self.raised
        do {
            let since = Timestamp.string(episode.firstAt)
            let (opened, resolved, changed) = try store.write { db -> (AlertRecord?, AlertRecord?, [AlertRecord]) in
                var opened: AlertRecord?
                if raised == nil || (raised != episode.failures && episode.failures > 0) {
                    opened = try AlertBook.raise(
                        db,
                        model: Self.model,
                        version: nil,
                        type: Self.type,
                        severity: .critical,
                        message: message,
                        details: details,
                        at: episode.firstAt
                    )
                }
                let resolved = try AlertBook.resolve(db, model: Self.model, type: Self.type, at: Date())
                let changed = try AlertBook.updated(db, since: since, exceptModel: Self.model, type: Self.type)
                return (opened, resolved, changed)
            }
            for alert in changed { publisher?.publish(alert, log: false) }
            if let opened, raised == nil { publisher?.publish(opened) }
            if let resolved { publisher?.publish(resolved) }
            self.raised = nil
            health.endEpisode(ifFailuresAre: episode.failures)
            logger.notice(
                "writes work again after \(episode.failures) failed writes since \(since); alert \(resolved?.id ?? Self.type.rawValue) resolved",
                metadata: [
                    "event": LogEvent.storageRecovered.metadataValue, "failures": .string(String(episode.failures)),
                ]
            )
        } catch {
            // Not yet: the next batch or status interval tries again.
        }
    }
}
