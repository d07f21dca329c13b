import Foundation
import GRDB
import MLOpsCore

/// The one owner of `monitoring_state` within monitoring: per model counters of the check
/// cadence (docs/design.md §8) and the run of drifting checks.
enum MonitoringState {
    /// Counts `predictions` new predictions and `labels` new labels.
    static func add(_ db: Database, model: String, predictions: Int, labels: Int) throws {
        guard predictions > 0 || labels > 0 else { return }
        try db.execute(
            sql: """
                INSERT INTO monitoring_state (model, predictions_since_check, labels_since_check) VALUES (?, ?, ?)
                ON CONFLICT (model) DO UPDATE SET predictions_since_check = predictions_since_check + excluded.predictions_since_check,
                    labels_since_check = labels_since_check + excluded.labels_since_check
                """,
            arguments: [model, predictions, labels]
        )
    }

    /// Whether `every` new predictions (or labels) arrived since the last check.
    static func isDue(_ db: Database, model: String, every: Int) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT predictions_since_check >= ? OR labels_since_check >= ? FROM monitoring_state WHERE model = ?",
            arguments: [every, every, model]
        ) ?? false
    }

    /// Records a check: counters back to 0, the drift streak extended or reset, the check's
    /// health score and drift share kept (nil when no check could run); returns the streak.
    @discardableResult
    static func checked(
        _ db: Database,
        model: String,
        drifting: Bool,
        at: String,
        healthScore: Double? = nil,
        driftShare: Double? = nil
    ) throws -> Int {
        try db.execute(
            sql: """
                INSERT INTO monitoring_state (model, predictions_since_check, labels_since_check, drift_streak, last_check_at,
                    health_score, drift_share)
                VALUES (?, 0, 0, ?, ?, ?, ?)
                ON CONFLICT (model) DO UPDATE SET predictions_since_check = 0, labels_since_check = 0,
                    drift_streak = CASE WHEN ? THEN drift_streak + 1 ELSE 0 END, last_check_at = excluded.last_check_at,
                    health_score = excluded.health_score, drift_share = excluded.drift_share
                """,
            arguments: [model, drifting ? 1 : 0, at, healthScore, driftShare, drifting]
        )
        return try driftStreak(db, model: model)
    }

    /// Starts `model` afresh after a new production version: counters, drift streak, health
    /// score and drift share cleared (the next check judges the new version alone).
    static func reset(_ db: Database, model: String) throws {
        try db.execute(
            sql: """
                UPDATE monitoring_state SET predictions_since_check = 0, labels_since_check = 0, drift_streak = 0,
                    health_score = NULL, drift_share = NULL WHERE model = ?
                """,
            arguments: [model]
        )
    }

    /// How many checks in a row found drift in `model` (0 before the first check).
    static func driftStreak(_ db: Database, model: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT drift_streak FROM monitoring_state WHERE model = ?", arguments: [model]) ?? 0
    }

    /// Each model's health and drift share after its latest check, for the metrics file.
    static func latestHealth(
        _ db: Database
    ) throws
        -> [(model: String, healthScore: Double?, driftShare: Double?, at: String?)]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT model, health_score, drift_share, last_check_at FROM monitoring_state
                WHERE health_score IS NOT NULL ORDER BY model
                """
        ).map { row in (row["model"], row["health_score"], row["drift_share"], row["last_check_at"]) }
    }
}
