/// One alert as `alerts/<id>.json` shows it and as `list-alerts` and `acknowledge-alert`
/// return it (docs/design.md §5). The store keeps the same fields; every key is written, a
/// missing value as `null`.
public struct AlertDocument: Codable, Sendable, Equatable {
    /// `<model>.<type>.<seq>`.
    public var id: String
    /// The model the alert is about (`mlopsd` for the daemon's own).
    public var model: String
    /// The production version when the alert was raised or last updated.
    public var version: String?
    /// `deploy_failed`, `rollback`, `data_drift`, …: an open set, each area names its own.
    public var type: String
    /// How urgent it is.
    public var severity: AlertSeverity
    /// The health score of the check that raised or updated it (monitoring alerts).
    public var healthScore: Double?
    /// What happened, in words, with the numbers.
    public var message: String
    /// Free-form figures behind the message; their keys depend on the alert's type.
    public var details: JSONValue
    /// How many times the condition was seen while the alert stayed open.
    public var occurrences: Int
    /// When it opened and was last updated.
    public var openedAt: String
    public var updatedAt: String
    /// When its condition cleared; nil while open.
    public var resolvedAt: String?
    /// When and by whom it was acknowledged; nil until then.
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?

    /// Memberwise.
    public init(
        id: String,
        model: String,
        version: String?,
        type: String,
        severity: AlertSeverity,
        healthScore: Double?,
        message: String,
        details: JSONValue,
        occurrences: Int,
        openedAt: String,
        updatedAt: String,
        resolvedAt: String?,
        acknowledgedAt: String?,
        acknowledgedBy: String?
    ) {
        self.id = id
        self.model = model
        self.version = version
        self.type = type
        self.severity = severity
        self.healthScore = healthScore
        self.message = message
        self.details = details
        self.occurrences = occurrences
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, model, version, type, severity, message, details, occurrences
        case healthScore = "health_score"
        case openedAt = "opened_at"
        case updatedAt = "updated_at"
        case resolvedAt = "resolved_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
    }

    /// Every key, a nil one as `null` (what readers of `alerts/` rely on).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(type, forKey: .type)
        try c.encode(severity, forKey: .severity)
        try c.encode(healthScore, forKey: .healthScore)
        try c.encode(message, forKey: .message)
        try c.encode(details, forKey: .details)
        try c.encode(occurrences, forKey: .occurrences)
        try c.encode(openedAt, forKey: .openedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(acknowledgedBy, forKey: .acknowledgedBy)
    }
}
