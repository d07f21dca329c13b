import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct KolmogorovDistributionTests {
        /// (n, d) points over every regime of kstwo: n·d ≤ 1, n·d ≥ n − 1, d ≥ 0.5, small n
        /// (Pomeranz), moderate and large n, small and large n·d².
        static func grid() -> [[Double]] {
            var rng = SeededGenerator(seed: 11)
            var points: [[Double]] = []
            let sizes =
                Array(1...40) + [60, 99, 140, 141, 200, 500, 1_000, 2_048, 2_049, 5_000, 20_000, 100_000, 200_000]
            for n in sizes {
                let nd = Double(n)
                for z in stride(from: 0.05, through: 6.0, by: 0.25) where z / nd.squareRoot() < 1 {
                    points.append([nd, z / nd.squareRoot()])
                }
                for _ in 0..<4 { points.append([nd, Double.random(in: 0.001..<1, using: &rng)]) }
            }
            return points
        }

        /// kstwo.sf is computed exactly everywhere except where scipy uses Durbin's matrix
        /// for n > 140 and we use Pelz–Good: there the survival is ≥ 0.9 and within 5e-6.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func survivalMatchesScipyKstwo() throws {
            let points = Self.grid()
            let expected = try ScipyReference.compute("kstwo_sf", points, as: Double.self)
            var exactRegimes = ErrorTally()
            var pelzGood = ErrorTally()
            for (point, reference) in zip(points, expected) {
                let n = Int(point[0])
                let d = point[1]
                let ours = KolmogorovDistribution.survival(d, n: n)
                let nxSquared = Double(n) * d * d
                if n > 140 && nxSquared < 2.2 && Double(n) * d > 1 {
                    pelzGood.record(ours, reference)
                    #expect(abs(ours - reference) <= 5e-6, "n=\(n) d=\(d): \(ours) vs \(reference)")
                } else {
                    exactRegimes.record(ours, reference)
                    #expect(
                        abs(ours - reference) <= 1e-12 || abs(ours - reference) <= 1e-10 * reference,
                        "n=\(n) d=\(d): \(ours) vs \(reference)"
                    )
                }
            }
            print(exactRegimes.summary("kstwo.sf, exact regimes"))
            print(pelzGood.summary("kstwo.sf, Pelz–Good regime"))
        }

        /// The one-sided distribution (scipy.special.smirnov), by the Birnbaum–Tingey sum,
        /// term by term up to n = 2,048 and by the strided trapezoid rule above.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func oneSidedSurvivalMatchesScipySmirnov() throws {
            var points: [[Double]] = []
            for n in [2, 3, 10, 57, 140, 1_000, 2_048, 2_049, 3_000, 10_000, 60_000, 300_000, 1_000_001] {
                let nd = Double(n)
                // scipy's sum costs O(n) per point: fewer points for the largest n.
                let step = n > 100_000 ? 3.1 : 0.7
                for z in stride(from: 0.3, through: 19.0, by: step) where z / nd.squareRoot() < 1 {
                    points.append([nd, z / nd.squareRoot()])
                }
            }
            let expected = try ScipyReference.compute("smirnov", points, as: Double.self)
            var tally = ErrorTally()
            for (point, reference) in zip(points, expected) {
                let ours = KolmogorovDistribution.smirnovSurvival(n: Int(point[0]), d: point[1])
                guard reference > 1e-300 else {
                    #expect(ours < 1e-290)
                    continue
                }
                tally.record(ours, reference)
                #expect(
                    abs(ours - reference) <= 1e-10 * reference,
                    "n=\(point[0]) d=\(point[1]): \(ours) vs \(reference)"
                )
            }
            print(tally.summary("smirnov (one-sided)"))
        }

        @Test func survivalEdgesAreDefined() {
            #expect(KolmogorovDistribution.survival(0, n: 10) == 1)
            #expect(KolmogorovDistribution.survival(1, n: 10) == 0)
            #expect(KolmogorovDistribution.survival(0.04, n: 10) == 1)
            #expect(KolmogorovDistribution.survival(0.5, n: 0).isNaN)
            #expect(KolmogorovDistribution.survival(.nan, n: 5).isNaN)
        }
    }
}
