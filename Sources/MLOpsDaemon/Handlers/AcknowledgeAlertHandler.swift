import Foundation
import GRDB
import MLOpsCore

/// `acknowledge-alert`: records who acknowledged an alert and when (it stays open until
/// its condition clears); the alert file is rewritten.
extension Kinds.AcknowledgeAlert: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let id = job.parameters.alert
        guard let alert = try AlertBook.alert(db, id: id) else {
            return .rejected(try AlertBook.unknown(db, id: id, at: job.mark(ofParam: "alert")))
        }
        if let by = alert.acknowledgedBy, let at = alert.acknowledgedAt {
            return .succeeded(Result(alert: alert, note: "already acknowledged by \(by) at \(at)"))
        }
        let updated = try AlertBook.acknowledge(db, id: id, by: context.submittedBy, at: context.now)
        try AuditLog.record(
            db,
            action: "alert.acknowledged",
            actor: context.submittedBy,
            actorUID: context.submitterUID,
            job: job.id,
            model: alert.model,
            reason: job.reason,
            details: ["alert": .string(id)],
            at: context.now
        )
        if let registry = context.registry {
            context.afterCommit.add { registry.alerts.publish(updated, log: false) }
        }
        return .succeeded(Result(alert: updated))
    }
}
