import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct TwoProportionZTestTests {
        /// Against the pooled formula with scipy.stats.norm.sf in python, from no difference
        /// to differences giving p-values far below 1e-100.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesThePooledFormulaWithScipyNormalTail() throws {
            var rng = SeededGenerator(seed: 91)
            var cases: [[Double]] = [
                [50, 100, 50, 100], [900, 1_000, 850, 1_000], [1, 3, 2, 3], [0, 10, 1, 10], [10, 10, 9, 10],
                [99_000, 100_000, 90_000, 100_000],
            ]
            for _ in 0..<200 {
                let nA = Int.random(in: 1...50_000, using: &rng)
                let nB = Int.random(in: 1...50_000, using: &rng)
                let rate = Double.random(in: 0.01...0.99, using: &rng)
                let xA = min(nA, Int(Double(nA) * rate))
                let xB = min(nB, Int(Double(nB) * min(1, rate + Double.random(in: -0.05...0.05, using: &rng))))
                if xA + xB == 0 || xA + xB == nA + nB { continue }
                cases.append([Double(xA), Double(nA), Double(max(xB, 0)), Double(nB)])
            }
            let expected = try ScipyReference.compute("two_proportion", cases, as: [Double].self)
            var zTally = ErrorTally()
            var pTally = ErrorTally()
            for (testCase, reference) in zip(cases, expected) {
                let result = try #require(
                    TwoProportionZTest.compute(
                        successesA: Int(testCase[0]),
                        trialsA: Int(testCase[1]),
                        successesB: Int(testCase[2]),
                        trialsB: Int(testCase[3])
                    )
                )
                zTally.record(result.z, reference[0])
                pTally.record(result.pValue, reference[1])
                #expect(abs(result.z - reference[0]) <= 1e-12 * max(1, abs(reference[0])), "\(testCase)")
                #expect(
                    abs(result.pValue - reference[1]) <= 1e-12 * max(reference[1], 1e-300)
                        || abs(result.pValue - reference[1]) < 1e-300,
                    "\(testCase): \(result.pValue) vs \(reference[1])"
                )
            }
            print(zTally.summary("two-proportion z"))
            print(pTally.summary("two-proportion p-value"))
        }

        @Test func identicalAllSuccessOrAllFailureGivesNoEvidence() throws {
            #expect(
                try #require(TwoProportionZTest.compute(successesA: 0, trialsA: 10, successesB: 0, trialsB: 20))
                    == TwoProportionZTest(z: 0, pValue: 1, rateA: 0, rateB: 0)
            )
            #expect(
                try #require(TwoProportionZTest.compute(successesA: 10, trialsA: 10, successesB: 20, trialsB: 20))
                    .pValue == 1
            )
        }

        @Test func higherRateInAGivesPositiveZ() throws {
            let result = try #require(
                TwoProportionZTest.compute(successesA: 90, trialsA: 100, successesB: 70, trialsB: 100)
            )
            #expect(result.z > 0)
            #expect(result.pValue < 0.01)
        }

        @Test func invalidCountsGiveNoResult() {
            #expect(TwoProportionZTest.compute(successesA: 1, trialsA: 0, successesB: 1, trialsB: 2) == nil)
            #expect(TwoProportionZTest.compute(successesA: 3, trialsA: 2, successesB: 1, trialsB: 2) == nil)
        }
    }
}
