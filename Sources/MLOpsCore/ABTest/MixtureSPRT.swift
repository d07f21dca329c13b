import Foundation

/// The mixture sequential probability ratio test (mSPRT) for the difference of two
/// proportions, with always-valid p-values (Johari, Pekelis, Walsh, "Always valid
/// inference: continuous monitoring of A/B tests", Operations Research 70(3), 2022), in
/// its normal approximation with a normal mixing distribution.
///
/// With θ̂ = x_B/n_B − x_A/n_A (challenger − champion) and its pooled variance
///
///     p̄ = (x_A + x_B)/(n_A + n_B),   v = p̄(1 − p̄)(1/n_A + 1/n_B),   z = θ̂/√v,
///
/// θ̂ is approximately a Brownian motion with drift θ in "information time" 1/v. The
/// likelihood ratio of drift θ against 0 is exp(θ·θ̂/v − θ²/(2v)); mixed over
/// θ ~ N(0, τ²) it is
///
///     Λ = √(v/(v + τ²)) · exp(τ²·θ̂² / (2v(v + τ²)))
///       = (1 + τ²/v)^(−1/2) · exp(z²/2 · τ²/(v + τ²)),
///
/// a nonnegative martingale with mean 1 under θ = 0, so by Ville's inequality
/// P(Λ ever reaches 1/α) ≤ α, however often one looks and whatever the share of traffic
/// each arm gets. The always-valid p-value is p = min(1, 1/Λ) (its running minimum over
/// looks, when one keeps looking after a crossing: the `ab_test` stage stops at the first).
///
/// **Mixing variance.** τ = ``mixingStandardDeviation`` = 0.05, so τ² = 0.0025: the mixture
/// spreads its weight over differences of a few points of accuracy (two thirds within
/// ±5 points, nearly all within ±10), the differences a model A/B test is run to find. The
/// choice never affects validity, only where the test is most powerful: Λ at a given z is
/// largest for τ² = v·(z² − 1), and crossings happen near z ≈ 3, so τ² = 0.0025 is best
/// around v ≈ 0.0025/8, about 800 labelled predictions per arm at 85% accuracy — the
/// range (hundreds to a few thousand per arm) these tests run in. τ is fixed rather than
/// estimated from the data, because a τ chosen from the data being tested would break the
/// martingale property.
///
/// When v = 0 (the pooled rate is 0 or 1: both arms all wrong or all right) there is no
/// evidence either way: log Λ = 0 and p = 1.
public struct MixtureSPRT: Sendable, Equatable {
    /// τ, the standard deviation of the normal mixing distribution over the difference of
    /// the two rates.
    public static let mixingStandardDeviation = 0.05
    /// τ² = 0.0025.
    public static let mixingVariance = mixingStandardDeviation * mixingStandardDeviation

    /// The pooled z, positive when B (the challenger) has the higher rate.
    public var z: Double
    /// The pooled variance v of the difference of the rates.
    public var variance: Double
    /// log Λ (kept as a logarithm: Λ itself overflows for large z).
    public var logLikelihoodRatio: Double
    /// The always-valid p-value min(1, 1/Λ) = min(1, exp(−log Λ)).
    public var pValue: Double

    /// Memberwise.
    public init(z: Double, variance: Double, logLikelihoodRatio: Double, pValue: Double) {
        self.z = z
        self.variance = variance
        self.logLikelihoodRatio = logLikelihoodRatio
        self.pValue = pValue
    }

    /// The test of B = `successesB`/`trialsB` against A = `successesA`/`trialsA` with mixing
    /// variance τ² = `mixingVariance`. Nil when a trial count is below 1, a success count
    /// is outside 0…trials, or τ² is not positive and finite.
    public static func compute(
        successesA: Int,
        trialsA: Int,
        successesB: Int,
        trialsB: Int,
        mixingVariance tau2: Double = MixtureSPRT.mixingVariance
    ) -> MixtureSPRT? {
        guard trialsA >= 1, trialsB >= 1, (0...trialsA).contains(successesA), (0...trialsB).contains(successesB),
            tau2 > 0, tau2.isFinite
        else { return nil }
        let nA = Double(trialsA)
        let nB = Double(trialsB)
        let pooled = (Double(successesA) + Double(successesB)) / (nA + nB)
        let v = pooled * (1 - pooled) * (1 / nA + 1 / nB)
        guard v > 0 else { return MixtureSPRT(z: 0, variance: 0, logLikelihoodRatio: 0, pValue: 1) }
        let difference = Double(successesB) / nB - Double(successesA) / nA
        let z = difference / v.squareRoot()
        // −½·log(1 + τ²/v) with log1p, so a small τ²/v keeps its digits.
        let logLambda = -0.5 * log1p(tau2 / v) + 0.5 * z * z * (tau2 / (v + tau2))
        let p = logLambda <= 0 ? 1 : exp(-logLambda)
        return MixtureSPRT(z: z, variance: v, logLikelihoodRatio: logLambda, pValue: p)
    }
}
