/// What a check did with the estimated performance (``MonitoringReport/Estimate``).
public enum EstimateStatus: String, Sendable, Codable, CaseIterable {
    /// Too few labels to judge decay: the estimate stands in for the metric (health score,
    /// `estimated_decay` alert).
    case estimated
    /// Enough labels judge decay; the estimate is reported beside the realized metric.
    case labelled
    /// No estimate (no reference outputs, a regression model, a small window…).
    case unavailable
}
