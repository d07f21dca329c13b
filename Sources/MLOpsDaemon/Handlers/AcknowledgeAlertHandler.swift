import Foundation
import GRDB
import MLOpsCore

/// `acknowledge-alert`: records who acknowledged an alert and when (it stays open until
/// its condition clears); the alert file is rewritten.
extension Kinds.AcknowledgeAlert: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let id = job.parameters.alert
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]) else {
            let known = try String.fetchAll(db, sql: "SELECT id FROM alerts WHERE resolved_at IS NULL ORDER BY seq DESC LIMIT 200")
            return .rejected(JobError(.invalidValue, "there is no alert `\(id)`", at: job.mark(ofParam: "alert"),
                                      fix: Suggestion.closest(to: id, among: known).map { "did you mean `\($0)`?" } ?? "list them with a list-alerts job"))
        }
        let alert = AlertRecord(row: row)
        if let by = alert.acknowledgedBy, let at = alert.acknowledgedAt {
            return .succeeded(["alert": alert.document, "note": .string("already acknowledged by \(by) at \(at)")])
        }
        let now = Timestamp.string(context.now)
        try db.execute(sql: "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?", arguments: [now, context.submittedBy, id])
        try AuditLog.record(db, action: "alert.acknowledged", actor: context.submittedBy, actorUID: context.submitterUID, job: job.id,
                            model: alert.model, reason: job.reason, details: ["alert": .string(id)], at: context.now)
        guard let updated = try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]).map(AlertRecord.init(row:)) else {
            throw JobError(.internalError, "the alert just acknowledged is gone")
        }
        if let registry = context.registry {
            context.afterCommit.add { registry.alerts.publish(updated, log: false) }
        }
        return .succeeded(["alert": updated.document])
    }
}
