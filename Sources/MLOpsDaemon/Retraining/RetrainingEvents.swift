import Foundation
import GRDB
import MLOpsCore

/// The SQL of `retraining_events`: every retraining started (`fired`) and every trigger
/// held back (`suppressed`), with its evidence.
enum RetrainingEvents {
    /// One event to record.
    struct Entry {
        var model: String
        var at: Date
        var trigger: RetrainingTrigger
        var fired: Bool
        /// The suppression code (`run_active`, `cooldown`, `cap_reached`, `refused`); nil when fired.
        var reason: String?
        var message: String?
        var evidence: JSONValue
        var checkSeq: Int64?
        var detectedAt: Date?
        var runID: String?
        var jobID: String?
        var submittedBy: String
    }

    /// Appends `entry`; returns its sequence number.
    @discardableResult
    static func record(_ db: Database, _ entry: Entry) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO retraining_events (model, at, trigger, action, reason, message, evidence, check_seq, detected_at,
                    run_id, job_id, submitted_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [entry.model, Timestamp.string(entry.at), entry.trigger.rawValue, entry.fired ? "fired" : "suppressed",
                        entry.reason, entry.message, entry.evidence.storeText, entry.checkSeq,
                        entry.detectedAt.map(Timestamp.string), entry.runID, entry.jobID, entry.submittedBy])
        return db.lastInsertedRowID
    }

    /// Records a trigger held back: a new row, or one more occurrence on the model's latest
    /// event of that trigger when it was held back for the same reason (no new row for
    /// every check of a long drift episode). Returns whether it was a repeat.
    static func recordSuppressed(_ db: Database, _ entry: Entry) throws -> Bool {
        if let row = try Row.fetchOne(
            db, sql: "SELECT seq, action, reason FROM retraining_events WHERE model = ? AND trigger = ? ORDER BY seq DESC LIMIT 1",
            arguments: [entry.model, entry.trigger.rawValue]),
           (row["action"] as String) == "suppressed", (row["reason"] as String?) == entry.reason {
            let seq: Int64 = row["seq"]
            try db.execute(
                sql: """
                    UPDATE retraining_events SET occurrences = occurrences + 1, last_at = ?, message = ?, evidence = ?,
                        check_seq = COALESCE(?, check_seq) WHERE seq = ?
                    """,
                arguments: [Timestamp.string(entry.at), entry.message, entry.evidence.storeText, entry.checkSeq, seq])
            return true
        }
        try record(db, entry)
        return false
    }

    /// When `model` was last retrained (automatic or manual), if ever.
    static func lastFired(_ db: Database, model: String) throws -> Date? {
        try String.fetchOne(
            db, sql: "SELECT at FROM retraining_events WHERE model = ? AND action = 'fired' ORDER BY seq DESC LIMIT 1",
            arguments: [model]
        ).flatMap(Timestamp.parse)
    }

    /// Automatic retrainings of all models started after `since`.
    static func automaticSince(_ db: Database, _ since: Date) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT count(*) FROM retraining_events WHERE action = 'fired' AND trigger != 'manual' AND at > ?",
            arguments: [Timestamp.string(since)]) ?? 0
    }
}
