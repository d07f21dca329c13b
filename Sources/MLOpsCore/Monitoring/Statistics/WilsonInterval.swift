/// Wilson score interval for a proportion, such as a model's accuracy over its labelled
/// window (docs/design.md §8 reports decay "with a confidence interval").
///
/// Unlike the normal ("Wald") interval p̂ ± z·√(p̂(1−p̂)/n), it stays inside [0, 1] and does
/// not collapse to a point at 0 or n successes, which matters for accuracies near 1 over a
/// few hundred labels. With p̂ = k/n and z = Φ⁻¹(1 − (1 − confidence)/2):
///
///     centre = (p̂ + z²/2n) / (1 + z²/n)
///     half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
///
/// (statsmodels' `proportion_confint(k, n, alpha, method='wilson')`). The bounds are clamped
/// to [0, 1] against rounding, and are exactly 0 at 0 successes and 1 at n.
public struct WilsonInterval: Sendable, Equatable, Codable {
    /// Lower bound.
    public var lower: Double
    /// Upper bound.
    public var upper: Double
    /// The observed proportion k/n.
    public var proportion: Double
    /// The confidence level the bounds were computed for, e.g. 0.95.
    public var confidence: Double

    /// Memberwise.
    public init(lower: Double, upper: Double, proportion: Double, confidence: Double) {
        self.lower = lower
        self.upper = upper
        self.proportion = proportion
        self.confidence = confidence
    }

    /// The interval for `successes` out of `trials`. Nil when trials < 1, successes is
    /// outside 0…trials, or the confidence is not strictly between 0 and 1.
    public static func compute(successes: Int, trials: Int, confidence: Double = 0.95) -> WilsonInterval? {
        guard trials >= 1, successes >= 0, successes <= trials, confidence > 0, confidence < 1 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z = NormalDistribution.quantile(1 - (1 - confidence) / 2)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At 0 or n successes the bound on that side is exactly 0 or 1; rounding could
        // leave it a hair inside, excluding the observed proportion.
        let lower = successes == 0 ? 0 : min(max(centre - half, 0), 1)
        let upper = successes == trials ? 1 : min(max(centre + half, 0), 1)
        return WilsonInterval(lower: lower, upper: upper, proportion: p, confidence: confidence)
    }
}
