import Foundation
import GRDB
import MLOpsCore

/// One alert as the store keeps it: the row of `alerts` holds exactly the fields of the
/// document `alerts/<id>.json` shows (docs/design.md §5), so the record is the document.
public typealias AlertRecord = AlertDocument

extension AlertDocument: FetchableRecord {
    /// An alert from a row of `alerts` (`SELECT *`). `details` is stored as JSON text and
    /// read here (GRDB's `Codable` decoding would hand a free-form ``JSONValue`` the text).
    public init(row: Row) throws {
        let severityText: String = row["severity"]
        guard let severity = AlertSeverity(rawValue: severityText) else {
            throw JobError(
                .internalError,
                "alert \(row["id"] as String? ?? "?") has an unknown severity `\(severityText)`"
            )
        }
        let detailsText: String = row["details"] ?? "{}"
        self.init(
            id: row["id"],
            model: row["model"],
            version: row["version"],
            type: row["type"],
            severity: severity,
            healthScore: row["health_score"],
            message: row["message"],
            details: (try? JSONDecoder().decode(JSONValue.self, from: Data(detailsText.utf8))) ?? .object([:]),
            occurrences: row["occurrences"],
            openedAt: row["opened_at"],
            updatedAt: row["updated_at"],
            resolvedAt: row["resolved_at"],
            acknowledgedAt: row["acknowledged_at"],
            acknowledgedBy: row["acknowledged_by"]
        )
    }
}

/// Opens, updates, resolves, acknowledges and lists alerts: the one owner of the `alerts`
/// table. One open alert per model and type, updated (not repeated) while its condition
/// stays true (docs/design.md §5).
///
/// Call inside the transaction that found the condition; publish the returned record
/// with ``AlertPublisher`` after the commit.
public enum AlertBook {
    /// Opens an alert of `type` for `model`, or updates the open one (severity, message,
    /// details, one more occurrence). Returns the record as stored.
    @discardableResult
    public static func raise(
        _ db: Database,
        model: String,
        version: String?,
        type alertType: AlertType,
        severity: AlertSeverity,
        message: String,
        details: JSONValue = .object([:]),
        healthScore: Double? = nil,
        at date: Date
    ) throws -> AlertRecord {
        let type = alertType.rawValue
        let now = Timestamp.string(date)
        let detailsText = details.storeText
        let seq: Int64
        if let open = try openSeq(db, model: model, type: alertType) {
            seq = open
            try db.execute(
                sql: """
                    UPDATE alerts SET version = ?, severity = ?, message = ?, details = ?, health_score = ?,
                        occurrences = occurrences + 1, updated_at = ? WHERE seq = ?
                    """,
                arguments: [version, severity.rawValue, message, detailsText, healthScore, now, seq]
            )
        } else {
            seq = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM alerts")) ?? 1
            try db.execute(
                sql: """
                    INSERT INTO alerts (seq, id, model, version, type, severity, health_score, message, details,
                        opened_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    seq, "\(model).\(type).\(seq)", model, version, type, severity.rawValue, healthScore,
                    message, detailsText, now, now,
                ]
            )
        }
        guard let alert = try AlertRecord.fetchOne(db, sql: "SELECT * FROM alerts WHERE seq = ?", arguments: [seq])
        else { throw JobError(.internalError, "the alert just written is gone") }
        return alert
    }

    /// Resolves the open alert of `type` for `model`, if there is one, and returns it.
    @discardableResult
    public static func resolve(
        _ db: Database,
        model: String,
        type alertType: AlertType,
        at date: Date
    ) throws -> AlertRecord? {
        let type = alertType.rawValue
        guard let seq = try openSeq(db, model: model, type: alertType) else { return nil }
        try db.execute(
            sql: "UPDATE alerts SET resolved_at = ?, updated_at = ? WHERE seq = ?",
            arguments: [Timestamp.string(date), Timestamp.string(date), seq]
        )
        return try AlertRecord.fetchOne(db, sql: "SELECT * FROM alerts WHERE seq = ?", arguments: [seq])
    }

    /// Open alerts of `model` (all models when nil), oldest first.
    public static func open(_ db: Database, model: String? = nil) throws -> [AlertRecord] {
        if let model {
            return try AlertRecord.fetchAll(
                db,
                sql: "SELECT * FROM alerts WHERE resolved_at IS NULL AND model = ? ORDER BY seq",
                arguments: [model]
            )
        }
        return try AlertRecord.fetchAll(db, sql: "SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY seq")
    }

    /// Alerts newest first, at most `limit`: open ones only unless `includeResolved`, of
    /// `model` and of `type` when given.
    public static func list(
        _ db: Database,
        model: String?,
        type: String?,
        includeResolved: Bool,
        limit: Int
    ) throws -> [AlertRecord] {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible?] = []
        if !includeResolved { conditions.append("resolved_at IS NULL") }
        if let model {
            conditions.append("model = ?")
            arguments.append(model)
        }
        if let type {
            conditions.append("type = ?")
            arguments.append(type)
        }
        arguments.append(limit)
        let sql =
            "SELECT * FROM alerts" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY seq DESC LIMIT ?"
        return try AlertRecord.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
    }

    /// The alert `id`, if there is one.
    public static func alert(_ db: Database, id: String) throws -> AlertRecord? {
        try AlertRecord.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id])
    }

    /// The refusal of a job that names alert `id`, which does not exist: with the closest
    /// open alert's id as "did you mean", pointing at `mark`.
    public static func unknown(_ db: Database, id: String, at mark: SourceMark?) throws -> JobError {
        let known = try openIDs(db)
        return JobError(
            .invalidValue,
            "there is no alert `\(id)`",
            at: mark,
            fix: Suggestion.closest(to: id, among: known).map { "did you mean `\($0)`?" }
                ?? "list them with a list-alerts job"
        )
    }

    /// The alerts of `model` opened, updated or resolved at or after `since` (RFC 3339 as
    /// the store writes it): what a stretch of monitoring history changed.
    public static func changed(_ db: Database, model: String, since: String) throws -> [AlertRecord] {
        try AlertRecord.fetchAll(
            db,
            sql: """
                SELECT * FROM alerts WHERE model = ? AND (opened_at >= ? OR updated_at >= ? OR resolved_at >= ?)
                ORDER BY seq
                """,
            arguments: [model, since, since, since]
        )
    }

    /// The ids of the newest `limit` open alerts, newest first (suggestions for a misspelt id).
    public static func openIDs(_ db: Database, limit: Int = 200) throws -> [String] {
        try String.fetchAll(
            db,
            sql: "SELECT id FROM alerts WHERE resolved_at IS NULL ORDER BY seq DESC LIMIT ?",
            arguments: [limit]
        )
    }

    /// Records that `by` acknowledged alert `id` at `date`; returns the alert as stored.
    public static func acknowledge(_ db: Database, id: String, by: String, at date: Date) throws -> AlertRecord {
        try db.execute(
            sql: "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?",
            arguments: [Timestamp.string(date), by, id]
        )
        guard let alert = try alert(db, id: id) else {
            throw JobError(.internalError, "the alert just acknowledged is gone")
        }
        return alert
    }

    /// Alerts updated at or after `since` (a timestamp), except those of `model` and
    /// `type`, oldest first: the files a failed-write episode may have left stale.
    public static func updated(
        _ db: Database,
        since: String,
        exceptModel model: String,
        type: AlertType
    ) throws -> [AlertRecord] {
        try AlertRecord.fetchAll(
            db,
            sql: "SELECT * FROM alerts WHERE updated_at >= ? AND NOT (model = ? AND type = ?) ORDER BY seq",
            arguments: [since, model, type.rawValue]
        )
    }

    /// When the open alert of `type` for `model` opened (its timestamp), if one is open.
    public static func openedAt(_ db: Database, model: String, type: AlertType) throws -> String? {
        try String.fetchOne(
            db,
            sql: "SELECT opened_at FROM alerts WHERE model = ? AND type = ? AND resolved_at IS NULL",
            arguments: [model, type.rawValue]
        )
    }

    /// How many alerts are open, per model and severity text, ordered by both (the metrics).
    public static func openCounts(_ db: Database) throws -> [(model: String, severity: String, count: Int)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT model, severity, COUNT(*) AS n FROM alerts WHERE resolved_at IS NULL
                GROUP BY model, severity ORDER BY model, severity
                """
        ).map { row -> (model: String, severity: String, count: Int) in (row[0], row[1], row[2]) }
    }

    /// The `seq` of the open alert of `type` for `model`, if one is open.
    static func openSeq(_ db: Database, model: String, type: AlertType) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: "SELECT seq FROM alerts WHERE model = ? AND type = ? AND resolved_at IS NULL",
            arguments: [model, type.rawValue]
        )
    }
}
