/// One state change of a version as `list-versions` shows it (from `version_events`).
public struct VersionEventDocument: Codable, Sendable, Equatable {
    /// The state before; nil for the creation.
    public var from: VersionState?
    /// The state after.
    public var to: VersionState
    /// When (RFC 3339).
    public var at: String
    /// Who.
    public var by: String
    /// The job that made the change.
    public var job: String?
    /// Why, as the job said.
    public var reason: String?
    /// Whether a promotion overrode refusing gates.
    public var forced: Bool

    /// An event.
    public init(
        from: VersionState?,
        to: VersionState,
        at: String,
        by: String,
        job: String?,
        reason: String?,
        forced: Bool
    ) {
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.job = job
        self.reason = reason
        self.forced = forced
    }

    enum CodingKeys: String, CodingKey { case from, to, at, by, job, reason, forced }

    /// Writes `from`, `job` and `reason` as `null` when absent.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(at, forKey: .at)
        try c.encode(by, forKey: .by)
        try c.encode(job, forKey: .job)
        try c.encode(reason, forKey: .reason)
        try c.encode(forced, forKey: .forced)
    }
}
