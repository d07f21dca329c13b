/// The short form of one monitoring check: what a `log-predictions` or `log-ground-truth`
/// result carries under `check` when the job ran one, and each entry of `monitor-all`.
/// A check that could not run has only its `status`; the other keys are then absent.
public struct CheckSummary: Codable, Sendable, Equatable {
    /// The stored check's number; nil when none could run.
    public var check: Int?
    /// `ok`, `insufficient_data`, or why no check ran.
    public var status: CheckStatus
    /// The health score and its band.
    public var healthScore: Double?
    public var band: HealthScore.Band?
    /// The drifting columns.
    public var drifted: [String]?

    /// The summary of a check that could not run, for `status`.
    public init(skipped status: CheckStatus) {
        self.status = status
    }

    /// The summary of check `check` and its report.
    public init(check: Int, report: MonitoringReport) {
        self.check = check
        status = report.status
        healthScore = report.health.score
        band = report.health.band
        drifted = report.drifted
    }

    enum CodingKeys: String, CodingKey {
        case check, status, band, drifted
        case healthScore = "health_score"
    }
}
