import Foundation
import GRDB
import MLOpsCore

/// Appends to the audit log: every change to state records who, when, why and which job.
public enum AuditLog {
    /// One entry; call inside the transaction that makes the change so both commit together.
    public static func record(
        _ db: Database,
        action: String,
        actor: String,
        actorUID: UInt32?,
        job: String?,
        model: String?,
        reason: String?,
        details: JSONValue = .object([:]),
        at date: Date
    ) throws {
        let detailsText = details.storeText
        try db.execute(
            sql: """
                INSERT INTO audit_log (at, actor, actor_uid, job_id, model, action, reason, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Timestamp.string(date), actor, actorUID.map { Int64($0) }, job, model, action, reason, detailsText,
            ]
        )
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys, as the store keeps documents (details, parameters,
    /// metrics, probabilities).
    var storeText: String {
        (try? JSONTextWriter.string(self, layout: .compact)) ?? "null"
    }
}
