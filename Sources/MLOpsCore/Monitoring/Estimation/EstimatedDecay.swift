/// The estimated-decay rule: whether a window's CBPE estimate says the model got worse than
/// its baseline, before any label arrives (docs/monitoring.md, "Estimated performance").
///
/// The relative drop is `(baseline − estimated) / baseline`, as for measured decay. The model
/// has **decayed (estimated)** when that drop exceeds `model_decay_threshold` **and** the whole
/// band lies below the baseline (its upper edge, estimate + 3 × sampling error, is under it):
/// a drop the size of the window's sampling error is not called decay. Under no shift this
/// raised no alarm in 1,000 simulated windows of 1,000 rows (docs/benchmarks.md).
public struct EstimatedDecay: Sendable, Equatable, Codable {
    /// The metric judged.
    public var metric: EstimatedMetric
    /// The version's baseline value of the metric.
    public var baseline: Double
    /// The window's estimate.
    public var estimated: Double
    /// The upper edge of the estimate's band.
    public var upper: Double
    /// (baseline − estimated) / baseline: positive when worse.
    public var relativeDrop: Double
    /// The verdict.
    public var decayed: Bool

    /// Memberwise.
    public init(
        metric: EstimatedMetric,
        baseline: Double,
        estimated: Double,
        upper: Double,
        relativeDrop: Double,
        decayed: Bool
    ) {
        self.metric = metric
        self.baseline = baseline
        self.estimated = estimated
        self.upper = upper
        self.relativeDrop = relativeDrop
        self.decayed = decayed
    }

    /// The verdict on one metric's estimate; nil when there is no estimate or band, or the
    /// baseline is 0.
    public static func judge(
        _ estimate: PerformanceEstimate.Metric,
        baseline: Double,
        threshold: Double
    ) -> EstimatedDecay? {
        guard let estimated = estimate.estimated, let upper = estimate.upper, baseline != 0,
            let drop = ModelMetric.relativeDrop(
                metric: estimate.metric.rawValue,
                baseline: baseline,
                current: estimated
            )
        else { return nil }
        return EstimatedDecay(
            metric: estimate.metric,
            baseline: baseline,
            estimated: estimated,
            upper: upper,
            relativeDrop: drop,
            decayed: drop > threshold && upper < baseline
        )
    }

    enum CodingKeys: String, CodingKey {
        case metric, baseline, estimated, upper, decayed
        case relativeDrop = "relative_drop"
    }
}
