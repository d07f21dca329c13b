/// Whether a check could judge the model's metric against its baseline, and what it
/// found, as the report's `decay.status` says (docs/monitoring.md).
public enum DecayStatus: String, Codable, Sendable, CaseIterable {
    /// Judged: the metric is within `model_decay_threshold` of its baseline.
    case ok
    /// Judged: the metric dropped more than `model_decay_threshold`.
    case decayed
    /// Too few labelled predictions in the window to judge.
    case insufficientLabels = "insufficient_labels"
    /// The production version has no baseline metric.
    case noBaseline = "no_baseline"
    /// The metric cannot be computed from the labelled window (e.g. one class only).
    case notComputable = "not_computable"

    /// Whether the metric was judged (`ok` or `decayed`), so its relative drop counts.
    public var isJudged: Bool { self == .ok || self == .decayed }
}
