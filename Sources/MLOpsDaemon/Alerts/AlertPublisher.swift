import Foundation
import Logging
import MLOpsClient
import MLOpsCore

/// Makes a stored alert visible: `alerts/<id>.json` (written atomically) and one journal
/// entry with `MLOPSD_ALERT`, `MLOPSD_MODEL` and `MLOPSD_SEVERITY`. Run after the commit
/// that recorded the alert (``AfterCommit``), so no file claims an alert the store lost.
public struct AlertPublisher: Sendable {
    /// The spool's `alerts/` directory.
    public let directory: DirectoryHandle
    let logger: Logger
    /// Where a failed write is reported (the daemon's; nil in tools and some tests).
    let health: StorageHealth?

    /// A publisher writing into `directory`, reporting failed writes to `health`.
    public init(directory: DirectoryHandle, logger: Logger, health: StorageHealth? = nil) {
        self.directory = directory
        self.logger = logger
        self.health = health
    }

    /// Writes the alert's file and, unless `log` is false (an open alert updated by a
    /// later check, which the journal already heard of), logs it.
    public func publish(_ alert: AlertRecord, log: Bool = true) {
        let event: LogEvent = alert.resolvedAt == nil ? .alertOpened : .alertResolved
        do {
            let data = try JSONEncoder.mlopsPretty.encode(alert)
            try directory.writeAtomically(alert.id + ".json", data: data + Data("\n".utf8), mode: 0o644)
            health?.succeeded(site: "alerts")
        } catch let error as SystemError {
            // Rewritten from the store once writes work again (StorageAlert.settle).
            let path = directory.path + "/" + alert.id + ".json"
            let message = "cannot write \(path): \(error); it is written again once writes work"
            if let health {
                health.failed(site: "alerts", path: path, errno: error.errno, message: message, logger: logger)
            } else {
                logger.error(
                    "\(message)",
                    metadata: ["event": LogEvent.storageWriteFailed.metadataValue, "path": .string(path)]
                )
            }
        } catch {
            logger.error(
                "cannot encode alerts/\(alert.id).json: \(error)",
                metadata: ["event": LogEvent.internalError.metadataValue]
            )
        }
        guard log else { return }
        let level: Logger.Level
        switch (alert.resolvedAt, alert.severity) {
        case (.some, _): level = .info
        case (nil, .critical): level = .critical
        case (nil, .warning): level = .warning
        case (nil, .info): level = .notice
        }
        var metadata: Logger.Metadata = [
            "event": event.metadataValue, "model": .string(alert.model), "alert": .string(alert.id),
            "severity": .string(alert.severity.rawValue), "alert_type": .string(alert.type),
        ]
        if let version = alert.version { metadata["version"] = .string(version) }
        if let health = alert.healthScore { metadata["health"] = .string(String(health)) }
        logger.log(
            level: level,
            "\(alert.resolvedAt == nil ? "alert" : "resolved alert") \(alert.id): \(alert.message)",
            metadata: metadata
        )
    }
}
