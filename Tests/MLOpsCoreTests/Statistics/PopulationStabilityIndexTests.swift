import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct PopulationStabilityIndexTests {
        struct NumericCase: Encodable {
            var reference: [Double]
            var current: [Double]
            var bins: Int
            var epsilon: Double
        }

        struct CategoricalCase: Encodable {
            var reference: [String: Int]
            var current: [String: Int]
            var epsilon: Double
        }

        /// Against numpy (np.quantile edges, np.unique, np.searchsorted side='right'):
        /// continuous data, ties that collapse edges, a constant reference, current values
        /// outside the reference's range, empty bins (epsilon), several bin counts.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesNumpyQuantileBinning() throws {
            var rng = SeededGenerator(seed: 31)
            var cases: [NumericCase] = []
            for index in 0..<120 {
                let n = Int.random(in: 1...3_000, using: &rng)
                let m = Int.random(in: 1...3_000, using: &rng)
                let step: Double? = [nil, 0.5, 1, 0.01][index % 4]
                let reference = rng.normals(n, step: step).sorted()
                let shift = [0, 0.1, 0.5, 3][index % 4 == 0 ? 3 : index % 3]
                let current = rng.normals(m, mean: shift, sd: index % 5 == 0 ? 2 : 1, step: step)
                cases.append(
                    NumericCase(
                        reference: reference,
                        current: current,
                        bins: [10, 5, 20, 1, 2][index % 5],
                        epsilon: index % 7 == 0 ? 1e-3 : 1e-4
                    )
                )
            }
            cases.append(
                NumericCase(reference: Array(repeating: 2, count: 100), current: [1, 2, 2, 3], bins: 10, epsilon: 1e-4)
            )
            cases.append(
                NumericCase(reference: [0, 0, 0, 0, 0, 0, 0, 1, 2, 3], current: [0, 0, 1, 5], bins: 10, epsilon: 1e-4)
            )
            cases.append(NumericCase(reference: [1], current: [1, 2], bins: 10, epsilon: 1e-4))
            let expected = try ScipyReference.compute("psi", cases, as: Double.self)
            var tally = ErrorTally()
            for (testCase, reference) in zip(cases, expected) {
                let ours = try #require(
                    PopulationStabilityIndex.compute(
                        reference: testCase.reference,
                        current: testCase.current,
                        bins: testCase.bins,
                        epsilon: testCase.epsilon
                    )
                )
                tally.record(ours, reference)
                #expect(abs(ours - reference) <= 1e-12 * max(1, abs(reference)), "\(ours) vs \(reference)")
            }
            print(tally.summary("PSI, numerical"))
        }

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func categoricalMatchesNumpy() throws {
            var rng = SeededGenerator(seed: 32)
            var cases: [CategoricalCase] = []
            for index in 0..<40 {
                var reference: [String: Int] = [:]
                var current: [String: Int] = [:]
                for category in 0..<Int.random(in: 1...12, using: &rng) {
                    if index % 3 != 0 || category % 4 != 0 {
                        reference["c\(category)"] = Int.random(in: 0...500, using: &rng)
                    }
                    if index % 2 == 0 || category % 5 != 1 {
                        current["c\(category)"] = Int.random(in: 0...500, using: &rng)
                    }
                }
                reference["always"] = 1
                current["always"] = 1
                cases.append(CategoricalCase(reference: reference, current: current, epsilon: 1e-4))
            }
            let expected = try ScipyReference.compute("psi_categorical", cases, as: Double.self)
            var tally = ErrorTally()
            for (testCase, reference) in zip(cases, expected) {
                let ours = try #require(
                    PopulationStabilityIndex.compute(
                        referenceCounts: testCase.reference,
                        currentCounts: testCase.current,
                        epsilon: testCase.epsilon
                    )
                )
                tally.record(ours, reference)
                #expect(abs(ours - reference) <= 1e-12 * max(1, abs(reference)), "\(ours) vs \(reference)")
            }
            print(tally.summary("PSI, categorical"))
        }

        @Test func identicalSamplesGiveZero() throws {
            var rng = SeededGenerator(seed: 33)
            let values = rng.normals(500).sorted()
            #expect(
                try #require(PopulationStabilityIndex.compute(reference: values, current: Array(values.reversed())))
                    == 0
            )
        }

        @Test func edgesAreReferenceQuantilesWithDuplicatesCollapsed() {
            #expect(PopulationStabilityIndex.binEdges(sortedReference: [0, 1, 2, 3, 4], bins: 4) == [1, 2, 3])
            #expect(PopulationStabilityIndex.binEdges(sortedReference: [5, 5, 5, 5, 9], bins: 4) == [5])
        }

        @Test func invalidInputGivesNoResult() {
            #expect(PopulationStabilityIndex.compute(reference: [], current: [1]) == nil)
            #expect(PopulationStabilityIndex.compute(reference: [1], current: []) == nil)
            #expect(PopulationStabilityIndex.compute(reference: [2, 1], current: [1]) == nil)
            #expect(PopulationStabilityIndex.compute(reference: [1, 2], current: [.nan]) == nil)
            #expect(PopulationStabilityIndex.compute(reference: [1, 2], current: [1], bins: 0) == nil)
            #expect(PopulationStabilityIndex.compute(reference: [1, 2], current: [1], epsilon: 0) == nil)
            #expect(PopulationStabilityIndex.compute(referenceCounts: ["a": 0], currentCounts: ["a": 3]) == nil)
            #expect(
                PopulationStabilityIndex.compute(referenceCounts: ["a": -1, "b": 3], currentCounts: ["a": 3]) == nil
            )
        }
    }
}
