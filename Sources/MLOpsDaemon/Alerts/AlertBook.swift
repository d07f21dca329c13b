import Foundation
import GRDB
import MLOpsCore

/// One alert as the store keeps it and as `alerts/<id>.json` shows it (docs/design.md §5).
public struct AlertRecord: Sendable, Equatable {
    public var id: String
    public var model: String
    public var version: String?
    /// `deploy_failed`, `rollback`, `data_drift`, …
    public var type: String
    /// `info`, `warning` or `critical`.
    public var severity: String
    public var healthScore: Double?
    public var message: String
    public var details: JSONValue
    /// How many times the condition was seen while the alert stayed open.
    public var occurrences: Int
    public var openedAt: String
    public var updatedAt: String
    public var resolvedAt: String?
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?

    /// The document written to `alerts/<id>.json`.
    public var document: JSONValue {
        var doc: [String: JSONValue] = [
            "id": .string(id), "model": .string(model), "type": .string(type), "severity": .string(severity),
            "message": .string(message), "details": details, "occurrences": .int(occurrences),
            "opened_at": .string(openedAt), "updated_at": .string(updatedAt),
        ]
        doc["version"] = version.map(JSONValue.string) ?? .null
        doc["health_score"] = healthScore.map(JSONValue.double) ?? .null
        doc["resolved_at"] = resolvedAt.map(JSONValue.string) ?? .null
        doc["acknowledged_at"] = acknowledgedAt.map(JSONValue.string) ?? .null
        doc["acknowledged_by"] = acknowledgedBy.map(JSONValue.string) ?? .null
        return .object(doc)
    }

    init(row: Row) {
        id = row["id"]
        model = row["model"]
        version = row["version"]
        type = row["type"]
        severity = row["severity"]
        healthScore = row["health_score"]
        message = row["message"]
        let detailsText: String = row["details"] ?? "{}"
        details = (try? JSONDecoder().decode(JSONValue.self, from: Data(detailsText.utf8))) ?? .object([:])
        occurrences = row["occurrences"]
        openedAt = row["opened_at"]
        updatedAt = row["updated_at"]
        resolvedAt = row["resolved_at"]
        acknowledgedAt = row["acknowledged_at"]
        acknowledgedBy = row["acknowledged_by"]
    }
}

/// Opens, updates and resolves alerts in the store: one open alert per model and type,
/// updated (not repeated) while its condition stays true (docs/design.md §5).
///
/// Call inside the transaction that found the condition; publish the returned record
/// with ``AlertPublisher`` after the commit.
public enum AlertBook {
    /// Opens an alert of `type` for `model`, or updates the open one (severity, message,
    /// details, one more occurrence). Returns the record as stored.
    @discardableResult
    public static func raise(
        _ db: Database, model: String, version: String?, type: String, severity: String, message: String,
        details: JSONValue = .object([:]), healthScore: Double? = nil, at date: Date
    ) throws -> AlertRecord {
        let now = Timestamp.string(date)
        let detailsText = details.storeText
        if let open = try Row.fetchOne(db, sql: "SELECT seq FROM alerts WHERE model = ? AND type = ? AND resolved_at IS NULL",
                                       arguments: [model, type]) {
            let seq: Int64 = open["seq"]
            try db.execute(
                sql: """
                    UPDATE alerts SET version = ?, severity = ?, message = ?, details = ?, health_score = ?,
                        occurrences = occurrences + 1, updated_at = ? WHERE seq = ?
                    """,
                arguments: [version, severity, message, detailsText, healthScore, now, seq])
        } else {
            let seq = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM alerts")) ?? 1
            try db.execute(
                sql: """
                    INSERT INTO alerts (seq, id, model, version, type, severity, health_score, message, details,
                        opened_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [seq, "\(model).\(type).\(seq)", model, version, type, severity, healthScore, message,
                            detailsText, now, now])
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE model = ? AND type = ? AND resolved_at IS NULL",
                                         arguments: [model, type])
        else { throw JobError(.internalError, "the alert just written is gone") }
        return AlertRecord(row: row)
    }

    /// Resolves the open alert of `type` for `model`, if there is one, and returns it.
    @discardableResult
    public static func resolve(_ db: Database, model: String, type: String, at date: Date) throws -> AlertRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq FROM alerts WHERE model = ? AND type = ? AND resolved_at IS NULL",
                                         arguments: [model, type])
        else { return nil }
        let seq: Int64 = row["seq"]
        try db.execute(sql: "UPDATE alerts SET resolved_at = ?, updated_at = ? WHERE seq = ?",
                       arguments: [Timestamp.string(date), Timestamp.string(date), seq])
        return try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE seq = ?", arguments: [seq]).map(AlertRecord.init(row:))
    }

    /// Open alerts of `model` (all models when nil), oldest first.
    public static func open(_ db: Database, model: String? = nil) throws -> [AlertRecord] {
        let rows: [Row]
        if let model {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE resolved_at IS NULL AND model = ? ORDER BY seq", arguments: [model])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY seq")
        }
        return rows.map(AlertRecord.init(row:))
    }
}
