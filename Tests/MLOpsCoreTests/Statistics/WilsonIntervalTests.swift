import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct WilsonIntervalTests {
        /// Against the textbook Wilson formula computed in python with scipy.stats.norm.ppf
        /// (statsmodels' method='wilson'), including 0 and n successes and other levels.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesTheWilsonFormulaWithScipyQuantile() throws {
            var rng = SeededGenerator(seed: 81)
            var cases: [[Double]] = [
                [0, 1, 0.95], [1, 1, 0.95], [0, 200, 0.95], [200, 200, 0.95], [950, 1_000, 0.95],
                [1, 2, 0.5], [7, 10, 0.99], [5_000, 10_000, 0.999],
            ]
            for _ in 0..<200 {
                let trials = Int.random(in: 1...100_000, using: &rng)
                let successes = Int.random(in: 0...trials, using: &rng)
                let confidence = [0.8, 0.9, 0.95, 0.99][Int.random(in: 0..<4, using: &rng)]
                cases.append([Double(successes), Double(trials), confidence])
            }
            let expected = try ScipyReference.compute("wilson", cases, as: [Double].self)
            var tally = ErrorTally()
            for (testCase, reference) in zip(cases, expected) {
                let interval = try #require(
                    WilsonInterval.compute(
                        successes: Int(testCase[0]),
                        trials: Int(testCase[1]),
                        confidence: testCase[2]
                    )
                )
                tally.record(interval.lower, reference[0])
                tally.record(interval.upper, reference[1])
                #expect(
                    abs(interval.lower - reference[0]) <= 1e-13,
                    "\(testCase): \(interval.lower) vs \(reference[0])"
                )
                #expect(
                    abs(interval.upper - reference[1]) <= 1e-13,
                    "\(testCase): \(interval.upper) vs \(reference[1])"
                )
            }
            print(tally.summary("Wilson interval bounds"))
        }

        @Test func intervalContainsTheProportionAndStaysInTheUnitInterval() throws {
            for (k, n) in [(0, 10), (10, 10), (3, 10), (999, 1_000)] {
                let interval = try #require(WilsonInterval.compute(successes: k, trials: n))
                #expect(interval.lower >= 0 && interval.upper <= 1)
                #expect(interval.lower <= interval.proportion && interval.proportion <= interval.upper)
                #expect(interval.upper > interval.lower)
            }
        }

        @Test func invalidCountsOrConfidenceGiveNoResult() {
            #expect(WilsonInterval.compute(successes: 0, trials: 0) == nil)
            #expect(WilsonInterval.compute(successes: 5, trials: 4) == nil)
            #expect(WilsonInterval.compute(successes: -1, trials: 4) == nil)
            #expect(WilsonInterval.compute(successes: 1, trials: 4, confidence: 1) == nil)
        }
    }
}
