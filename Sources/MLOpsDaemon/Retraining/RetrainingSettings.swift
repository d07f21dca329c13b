import Foundation
import GRDB
import MLOpsCore

/// One model's automated-retraining settings (`retraining_settings`): the switch, the
/// pipeline and parameters automatic runs use, and the latest schedule slot handled.
/// Kept in the store, so they survive restarts and reloads.
public struct RetrainingSettings: Sendable, Equatable {
    public var model: String
    public var enabled: Bool
    /// The pipeline automatic runs use; nil: the model's `pipeline`.
    public var pipeline: String?
    /// The parameters automatic runs pass (as given; paths are resolved at each run).
    public var params: [String: JSONValue]
    /// The latest schedule slot fired or held back (a slot fires once).
    public var scheduledSlot: Date?
    public var updatedAt: String
    public var updatedBy: String
    public var jobID: String?
    public var reason: String?

    /// The settings as documents show them.
    public var document: RetrainingSettingsDocument {
        RetrainingSettingsDocument(
            model: model,
            enabled: enabled,
            params: params,
            updatedAt: updatedAt,
            updatedBy: updatedBy,
            pipeline: pipeline,
            scheduledSlot: scheduledSlot.map(Timestamp.string),
            job: jobID,
            reason: reason
        )
    }

    /// The settings of `model`, if any were ever set.
    static func load(_ db: Database, model: String) throws -> RetrainingSettings? {
        try SettingsRow.fetchOne(db, sql: "SELECT * FROM retraining_settings WHERE model = ?", arguments: [model])
            .map(RetrainingSettings.init(row:))
    }

    /// The models whose automated retraining is on.
    static func enabledModels(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT model FROM retraining_settings WHERE enabled = 1 ORDER BY model")
    }

    /// Inserts or replaces the row.
    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO retraining_settings (model, enabled, pipeline, params, scheduled_slot, updated_at, updated_by, job_id, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (model) DO UPDATE SET enabled = excluded.enabled, pipeline = excluded.pipeline,
                    params = excluded.params, scheduled_slot = excluded.scheduled_slot, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by, job_id = excluded.job_id, reason = excluded.reason
                """,
            arguments: [
                model, enabled, pipeline, JSONValue.object(params).storeText, scheduledSlot.map(Timestamp.string),
                updatedAt, updatedBy, jobID, reason,
            ]
        )
    }

    /// Records `slot` as handled.
    static func markSlot(_ db: Database, model: String, slot: Date) throws {
        try db.execute(
            sql: "UPDATE retraining_settings SET scheduled_slot = ? WHERE model = ?",
            arguments: [Timestamp.string(slot), model]
        )
    }

    init(
        model: String,
        enabled: Bool,
        pipeline: String?,
        params: [String: JSONValue],
        scheduledSlot: Date?,
        updatedAt: String,
        updatedBy: String,
        jobID: String?,
        reason: String?
    ) {
        self.model = model
        self.enabled = enabled
        self.pipeline = pipeline
        self.params = params
        self.scheduledSlot = scheduledSlot
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.jobID = jobID
        self.reason = reason
    }

    private init(row: SettingsRow) {
        model = row.model
        enabled = row.enabled
        pipeline = row.pipeline
        if case .object(let fields)? = RunStore.json(row.params) { params = fields } else { params = [:] }
        scheduledSlot = row.scheduledSlot.flatMap(Timestamp.parse)
        updatedAt = row.updatedAt
        updatedBy = row.updatedBy
        jobID = row.jobID
        reason = row.reason
    }

    /// A `retraining_settings` row as stored.
    private struct SettingsRow: Decodable, FetchableRecord {
        var model: String
        var enabled: Bool
        var pipeline: String?
        var params: String?
        var scheduledSlot: String?
        var updatedAt: String
        var updatedBy: String
        var jobID: String?
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case model, enabled, pipeline, params
            case scheduledSlot = "scheduled_slot"
            case updatedAt = "updated_at"
            case updatedBy = "updated_by"
            case jobID = "job_id"
            case reason
        }
    }
}
