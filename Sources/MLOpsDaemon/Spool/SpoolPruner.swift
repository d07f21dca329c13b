import Dispatch
import Foundation
import Glibc
import Logging
import MLOpsClient
import Synchronization

/// Deletes old files from `done/`, `failed/`, `results/` and `reports/` (docs/design.md §3: kept for
/// audit, pruned by age; reports age like results).
///
/// Deleting files is slow on this kind of machine (NOTES.md: ~8,600/s, and a bulk delete
/// slows file creation for tens of seconds), so pruning runs on its own background-QoS
/// queue, never on the engine's, in batches of at most `batchLimit` deletions per directory
/// per pass; a pass that hit the limit schedules the next one soon instead of waiting the
/// full interval.
///
/// The retention settings and the pending timer live in a `Mutex` (a reload and SIGTERM
/// reach them from the engine and signal queues, the passes from `queue`), so the type is
/// `Sendable` as checked by the compiler.
final class SpoolPruner: Sendable {

    /// How long files stay, per directory (days; 0 = forever).
    struct Retention: Sendable, Equatable {
        var doneDays: Double
        var failedDays: Double
        var resultsDays: Double
        var interval: Double
    }

    static let batchLimit = 2000
    private let spool: Spool
    private let logger: Logger
    private let queue = DispatchQueue(label: "mlopsd.pruner", qos: .background)
    /// The settings in force and the timer of the next pass.
    private struct State {
        var retention: Retention
        var timer: DispatchSourceTimer?
    }

    private let state: Mutex<State>

    init(spool: Spool, retention: Retention, logger: Logger) {
        self.spool = spool
        self.state = Mutex(State(retention: retention))
        self.logger = logger
    }

    /// The settings in force.
    private var retention: Retention { state.withLock { $0.retention } }

    /// Starts pruning: first pass after `firstDelay` seconds, then every interval.
    func start(firstDelay: Double = 60) {
        queue.async { self.schedule(after: min(firstDelay, self.retention.interval)) }
    }

    /// Applies new retention settings from a reload.
    func update(_ newRetention: Retention) {
        queue.async {
            let changed = self.state.withLock { state -> Bool in
                guard newRetention != state.retention else { return false }
                state.retention = newRetention
                return true
            }
            if changed { self.schedule(after: min(60, newRetention.interval)) }
        }
    }

    /// Cancels the next pass; waits for a pass in progress to finish.
    func stop() {
        queue.sync {
            state.withLock { state in
                state.timer?.cancel()
                state.timer = nil
            }
        }
    }

    /// Replaces the pending timer by one that runs a pass on `queue` after `seconds`.
    private func schedule(after seconds: Double) {
        state.withLock { state in
            state.timer?.cancel()
            let t = DispatchSource.makeTimerSource(queue: queue)
            t.schedule(deadline: .now() + seconds, leeway: .seconds(1))
            t.setEventHandler { [weak self] in self?.pass() }
            t.resume()
            state.timer = t
        }
    }

    /// One pass: returns the number of files removed (for tests and the log).
    @discardableResult
    func pass(now: Date = Date()) -> Int {
        let retention = self.retention
        var removed = 0
        var more = false
        for (directory, days) in [
            (spool.done, retention.doneDays), (spool.failed, retention.failedDays),
            (spool.results, retention.resultsDays), (spool.reports, retention.resultsDays),
        ]
        where days > 0 {
            let (count, hitLimit) = prune(directory, olderThan: now.addingTimeInterval(-days * 86_400))
            removed += count
            more = more || hitLimit
        }
        if removed > 0 {
            logger.info(
                "pruned \(removed) old files from done/, failed/, results/ and reports/",
                metadata: ["event": LogEvent.spoolPruned.metadataValue, "removed": "\(removed)"]
            )
        }
        schedule(after: more ? 1 : retention.interval)
        return removed
    }

    private func prune(_ directory: DirectoryHandle, olderThan cutoff: Date) -> (Int, Bool) {
        let names: [String]
        do {
            names = try directory.names()
        } catch {
            logger.error(
                "cannot list \(directory.path) for pruning: \(error)",
                metadata: ["event": LogEvent.internalError.metadataValue]
            )
            return (0, false)
        }
        let limit = cutoff.timeIntervalSince1970
        var removed = 0
        for name in names {
            if removed >= SpoolPruner.batchLimit { return (removed, true) }
            guard let st = try? directory.status(of: name), st.st_mode & S_IFMT == S_IFREG else { continue }
            // Hidden temp files of an interrupted write are old garbage too once past the cutoff.
            let mtime = st.modificationTime
            guard mtime < limit else { continue }
            if (try? directory.remove(name)) != nil { removed += 1 }
        }
        return (removed, false)
    }
}
