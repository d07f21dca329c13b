/// How the deploy hook ran, as `promote-version` and `rollback` results (and the
/// `deploy_failed` alert) show it.
public struct HookDocument: Codable, Sendable, Equatable {
    /// One line: how it ended (`exited 0 in 0.4 s`, `timed out after 30 s`, …).
    public var summary: String
    /// Whether it succeeded.
    public var succeeded: Bool
    /// How long it ran, in seconds.
    public var durationSeconds: Double
    /// The end of its output (at most 4,000 characters).
    public var output: String

    /// A hook document.
    public init(summary: String, succeeded: Bool, durationSeconds: Double, output: String) {
        self.summary = summary
        self.succeeded = succeeded
        self.durationSeconds = durationSeconds
        self.output = output
    }

    enum CodingKeys: String, CodingKey {
        case summary, succeeded, output
        case durationSeconds = "duration_seconds"
    }
}
