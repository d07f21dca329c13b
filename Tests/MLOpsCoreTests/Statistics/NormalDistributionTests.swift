import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct NormalDistributionTests {
        /// Probabilities from 1e-300 to 1 − 1e-16, through all three regions of AS 241.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func quantileMatchesScipyNormPpf() throws {
            var rng = SeededGenerator(seed: 71)
            var ps: [Double] = [
                1e-300, 1e-100, 1e-20, 1e-12, 1e-11, 1e-10, 1e-5, 0.001, 0.025, 0.075, 0.0749, 0.075_1,
                0.3, 0.5, 0.5 + 1e-12, 0.7, 0.925, 0.975, 0.99, 0.999_999, 1 - 1e-12, 1 - 1e-16,
            ]
            for _ in 0..<300 { ps.append(Double.random(in: 0..<1, using: &rng)) }
            for _ in 0..<100 { ps.append(Foundation.pow(10, Double.random(in: -300 ..< -1, using: &rng))) }
            ps = ps.filter { $0 > 0 && $0 < 1 }
            let expected = try ScipyReference.compute("norm_ppf", ps, as: Double.self)
            var tally = ErrorTally()
            for (p, reference) in zip(ps, expected) {
                let ours = NormalDistribution.quantile(p)
                tally.record(ours, reference)
                #expect(abs(ours - reference) <= 1e-12 * max(1, abs(reference)), "p=\(p): \(ours) vs \(reference)")
            }
            print(tally.summary("normal quantile"))
        }

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func cdfAndSurvivalMatchScipyNorm() throws {
            let xs = Array(stride(from: -38.0, through: 38.0, by: 0.37)) + [0, 1e-9, -1e-9, 1.959963984540054]
            let expected = try ScipyReference.compute("norm_cdf_sf", xs, as: [Double].self)
            var tally = ErrorTally()
            for (x, reference) in zip(xs, expected) {
                for (ours, value) in [
                    (NormalDistribution.cdf(x), reference[0]), (NormalDistribution.survival(x), reference[1]),
                ] {
                    if value < 1e-300 { continue }
                    tally.record(ours, value)
                    // Far in the tails both libraries lose about x²·ε to the rounding of x/√2.
                    #expect(abs(ours - value) <= 1e-12 * value, "x=\(x): \(ours) vs \(value)")
                }
            }
            print(tally.summary("normal cdf and survival"))
        }

        @Test func quantileEdgesAreDefined() {
            #expect(NormalDistribution.quantile(0) == -.infinity)
            #expect(NormalDistribution.quantile(1) == .infinity)
            #expect(NormalDistribution.quantile(0.5) == 0)
            #expect(NormalDistribution.quantile(1.5).isNaN)
            #expect(NormalDistribution.quantile(.nan).isNaN)
        }

        @Test func quantileInvertsTheCDF() {
            for p in stride(from: 0.01, to: 1, by: 0.01) {
                #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-15)
            }
        }
    }
}
