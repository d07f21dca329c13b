import Foundation

/// One model's automated-retraining settings as documents show them: the results of
/// `retraining-start` and `retraining-stop`, `check-retrain`'s `settings`, and the audit
/// entry of a switch. Unset values are written as explicit `null`s.
public struct RetrainingSettingsDocument: Codable, Sendable, Equatable {
    /// The model.
    public var model: String
    /// Whether automated retraining is on.
    public var enabled: Bool
    /// The parameters automatic runs pass to the pipeline.
    public var params: [String: JSONValue]
    /// When the settings last changed.
    public var updatedAt: String
    /// Who changed them.
    public var updatedBy: String
    /// The pipeline automatic runs use; nil: the model's `pipeline`.
    public var pipeline: String?
    /// The latest schedule slot fired or held back.
    public var scheduledSlot: String?
    /// The job that changed the settings.
    public var job: String?
    /// Why they were changed.
    public var reason: String?

    /// A settings document with every field given.
    public init(
        model: String,
        enabled: Bool,
        params: [String: JSONValue],
        updatedAt: String,
        updatedBy: String,
        pipeline: String?,
        scheduledSlot: String?,
        job: String?,
        reason: String?
    ) {
        self.model = model
        self.enabled = enabled
        self.params = params
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.pipeline = pipeline
        self.scheduledSlot = scheduledSlot
        self.job = job
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case model, enabled, params
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
        case pipeline
        case scheduledSlot = "scheduled_slot"
        case job, reason
    }

    /// Decodes the settings; `null` optional fields read as nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        enabled = try c.decode(Bool.self, forKey: .enabled)
        params = try c.decodeIfPresent([String: JSONValue].self, forKey: .params) ?? [:]
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        updatedBy = try c.decode(String.self, forKey: .updatedBy)
        pipeline = try c.decodeIfPresent(String.self, forKey: .pipeline)
        scheduledSlot = try c.decodeIfPresent(String.self, forKey: .scheduledSlot)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }

    /// Encodes every key; unset values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(params, forKey: .params)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(updatedBy, forKey: .updatedBy)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(scheduledSlot, forKey: .scheduledSlot)
        try c.encode(job, forKey: .job)
        try c.encode(reason, forKey: .reason)
    }
}
