/// Two-proportion z-test with pooled variance, two-sided: do variants A and B of an A/B
/// test have different success rates (e.g. accuracy of the candidate against production)?
///
///     p = (x_A + x_B)/(n_A + n_B),  se = √(p(1 − p)(1/n_A + 1/n_B)),
///     z = (x_A/n_A − x_B/n_B)/se,   p-value = 2·(1 − Φ(|z|))
///
/// (the survival function is used directly, so small p-values keep their digits). When the
/// pooled rate is 0 or 1 both variants are identical (all failures or all successes): se is
/// 0, and the defined answer is z = 0, p-value = 1 — no evidence of a difference.
public struct TwoProportionZTest: Sendable, Equatable, Codable {
    /// The z statistic; positive when A's rate is higher.
    public var z: Double
    /// Two-sided p-value.
    public var pValue: Double
    /// x_A/n_A.
    public var rateA: Double
    /// x_B/n_B.
    public var rateB: Double

    /// Memberwise.
    public init(z: Double, pValue: Double, rateA: Double, rateB: Double) {
        self.z = z
        self.pValue = pValue
        self.rateA = rateA
        self.rateB = rateB
    }

    /// The test of `successesA`/`trialsA` against `successesB`/`trialsB`. Nil when a
    /// trial count is below 1 or a success count is outside 0…trials.
    public static func compute(successesA: Int, trialsA: Int, successesB: Int, trialsB: Int) -> TwoProportionZTest? {
        guard trialsA >= 1, trialsB >= 1, (0...trialsA).contains(successesA), (0...trialsB).contains(successesB)
        else { return nil }
        let nA = Double(trialsA)
        let nB = Double(trialsB)
        let rateA = Double(successesA) / nA
        let rateB = Double(successesB) / nB
        let pooled = (Double(successesA) + Double(successesB)) / (nA + nB)
        let variance = pooled * (1 - pooled) * (1 / nA + 1 / nB)
        guard variance > 0 else { return TwoProportionZTest(z: 0, pValue: 1, rateA: rateA, rateB: rateB) }
        let z = (rateA - rateB) / variance.squareRoot()
        let p = min(2 * NormalDistribution.survival(abs(z)), 1)
        return TwoProportionZTest(z: z, pValue: p, rateA: rateA, rateB: rateB)
    }
}
