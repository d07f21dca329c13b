/// One stint of a version in production as results show it (`list-versions`'
/// `production_history`, `get-production-model`'s `stint`).
public struct ProductionStintDocument: Codable, Sendable, Equatable {
    /// The version in production.
    public var version: String
    /// When the stint began (RFC 3339).
    public var from: String
    /// When it ended; nil while it goes on.
    public var until: String?
    /// `promote` or `rollback`.
    public var action: String
    /// Whether the promotion overrode refusing gates.
    public var forced: Bool
    /// Who started it.
    public var by: String
    /// The job that started it.
    public var job: String?
    /// Why, as the job said.
    public var reason: String?

    /// A stint document.
    public init(
        version: String,
        from: String,
        until: String?,
        action: String,
        forced: Bool,
        by: String,
        job: String?,
        reason: String?
    ) {
        self.version = version
        self.from = from
        self.until = until
        self.action = action
        self.forced = forced
        self.by = by
        self.job = job
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case version, from, until, action, forced, by, job, reason }

    /// Writes `until`, `job` and `reason` as `null` when absent.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(from, forKey: .from)
        try c.encode(until, forKey: .until)
        try c.encode(action, forKey: .action)
        try c.encode(forced, forKey: .forced)
        try c.encode(by, forKey: .by)
        try c.encode(job, forKey: .job)
        try c.encode(reason, forKey: .reason)
    }
}
