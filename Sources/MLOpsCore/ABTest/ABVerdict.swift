/// The outcome of one look at an A/B test: the decision with the statistics behind it, for
/// the pipeline run, the job result and the journal (docs/design.md §11).
public struct ABVerdict: Sendable, Equatable {
    /// What to do now.
    public var decision: ABDecision
    /// The test that decided: ``ABTest/fixedHorizonMethod`` (`two_proportion_z`) or
    /// ``ABTest/sequentialMethod`` (`msprt`).
    public var method: String
    /// The pooled two-proportion z, positive when the challenger's rate is higher; nil
    /// when an arm has no labelled prediction.
    public var statistic: Double?
    /// Fixed horizon: the one-sided p-value of "the challenger is better", `1 − Φ(z)`.
    /// Sequential: the always-valid p-value `min(1, 1/Λ)` of the mixture SPRT (two-sided).
    /// Nil when an arm has no labelled prediction.
    public var pValue: Double?
    /// The champion's counts.
    public var champion: ABArm
    /// The challenger's counts.
    public var challenger: ABArm
    /// Challenger rate − champion rate; nil when an arm has no labelled prediction.
    public var lift: Double?
    /// One sentence for people: why this decision.
    public var reason: String
    /// Everything above and the settings that mattered, with snake_case keys, for reports
    /// and results (``ABTest/decide(champion:challenger:settings:deadlinePassed:)``
    /// documents the keys).
    public var document: JSONValue

    /// Memberwise.
    public init(
        decision: ABDecision,
        method: String,
        statistic: Double?,
        pValue: Double?,
        champion: ABArm,
        challenger: ABArm,
        lift: Double?,
        reason: String,
        document: JSONValue
    ) {
        self.decision = decision
        self.method = method
        self.statistic = statistic
        self.pValue = pValue
        self.champion = champion
        self.challenger = challenger
        self.lift = lift
        self.reason = reason
        self.document = document
    }
}
