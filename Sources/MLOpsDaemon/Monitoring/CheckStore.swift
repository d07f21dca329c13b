import Foundation
import GRDB
import MLOpsCore

/// The one owner of the `monitoring_checks` table within monitoring: every check's report,
/// kept for history, the metrics and the retraining rules.
enum CheckStore {
    /// Stores the check of `model` `version` at `at` (run because of `trigger`, by job
    /// `job` when a job ran it) with its `report`; returns its number (`seq`).
    static func insert(
        _ db: Database,
        model: String,
        version: String,
        at: String,
        trigger: String,
        report: MonitoringReport,
        job: String?
    ) throws -> Int64 {
        let reportText = String(decoding: try JSONEncoder.mlopsCompact.encode(report), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO monitoring_checks (model, version, at, trigger, status, window_count, labelled,
                    health_score, band, drift_share, report, job_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                model, version, at, trigger, report.status.rawValue, report.window, report.labelled,
                report.health.score, report.health.band.rawValue, report.driftShare, reportText, job,
            ]
        )
        return db.lastInsertedRowID
    }

    /// The latest check of `model` as a row of `seq`, `at` and `report` (JSON text), if
    /// it has one.
    static func latest(_ db: Database, model: String) throws -> Row? {
        try Row.fetchOne(
            db,
            sql: "SELECT seq, at, report FROM monitoring_checks WHERE model = ? ORDER BY seq DESC LIMIT 1",
            arguments: [model]
        )
    }

    /// The number (`seq`) of the latest check of `model`, nil before its first: one look-up
    /// in the `(model, seq)` index however many checks are stored (the metrics read it for
    /// every model every few seconds).
    static func latestSeq(_ db: Database, model: String) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(seq) FROM monitoring_checks WHERE model = ?"),
            arguments: [model]
        )
    }

    /// The report (JSON text) of check `seq`, if it is stored.
    static func report(_ db: Database, seq: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT report FROM monitoring_checks WHERE seq = ?", arguments: [seq])
    }

    /// A stored check as `monitoring-history` lists it.
    struct Stored: Decodable, FetchableRecord {
        /// The check's number.
        var seq: Int
        /// When it ran.
        var at: String
        /// The version it judged.
        var version: String?
        /// What ran it.
        var trigger: String
        /// The report as JSON text.
        var report: String
    }

    /// The newest `limit` checks of `model` at or after `since` and at or before `until`
    /// (RFC 3339 as the store writes them; nil: unbounded), oldest first.
    static func history(_ db: Database, model: String, since: String?, until: String?, limit: Int) throws -> [Stored] {
        var sql = "SELECT seq, at, version, trigger, report FROM monitoring_checks WHERE model = ?"
        var arguments: StatementArguments = [model]
        if let since {
            sql += " AND at >= ?"
            _ = arguments.append(contentsOf: [since])
        }
        if let until {
            sql += " AND at <= ?"
            _ = arguments.append(contentsOf: [until])
        }
        _ = arguments.append(contentsOf: [limit])
        return try Stored.fetchAll(db, sql: sql + " ORDER BY seq DESC LIMIT ?", arguments: arguments).reversed()
    }
}
