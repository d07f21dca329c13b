import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct JensenShannonTests {
        struct Pair: Encodable {
            var p: [Double]
            var q: [Double]
        }

        /// Counts and probabilities, zeros on either side, very unequal totals.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesScipyJensenShannonBase2() throws {
            var rng = SeededGenerator(seed: 51)
            var pairs: [Pair] = []
            for index in 0..<150 {
                let k = Int.random(in: 1...30, using: &rng)
                var p = (0..<k).map { _ in Double(Int.random(in: 0...1_000, using: &rng)) }
                var q = (0..<k).map { _ in Double.random(in: 0...1, using: &rng) }
                if index % 3 == 0 { p[0] = 0 }
                if index % 4 == 0, k > 1 { q[k - 1] = 0 }
                if p.allSatisfy({ $0 == 0 }) { p[0] = 1 }
                if q.allSatisfy({ $0 == 0 }) { q[0] = 1 }
                pairs.append(Pair(p: p, q: q))
            }
            pairs.append(Pair(p: [1, 0], q: [0, 1]))
            pairs.append(Pair(p: [1, 2, 3], q: [2, 4, 6]))
            let expected = try ScipyReference.compute("jensenshannon", pairs, as: Double.self)
            var tally = ErrorTally()
            for (pair, reference) in zip(pairs, expected) {
                let ours = try #require(JensenShannon.distance(pair.p, pair.q))
                tally.record(ours, reference)
                #expect(abs(ours - reference) <= 1e-12, "\(pair): \(ours) vs \(reference)")
            }
            print(tally.summary("Jensen–Shannon distance"))
        }

        @Test func identicalDistributionsAreAtZeroAndDisjointOnesAtOne() throws {
            #expect(try #require(JensenShannon.distance([3, 1, 0], [6, 2, 0])) == 0)
            #expect(try #require(JensenShannon.distance([1, 0], [0, 1])) == 1)
        }

        @Test func countTablesAreAlignedOnTheUnionOfCategories() throws {
            let fromTables = try #require(
                JensenShannon.distance(reference: ["a": 5, "b": 5], current: ["b": 5, "c": 5])
            )
            let fromVectors = try #require(JensenShannon.distance([5, 5, 0], [0, 5, 5]))
            #expect(fromTables == fromVectors)
        }

        @Test func invalidInputGivesNoResult() {
            #expect(JensenShannon.distance([1, 2], [1]) == nil)
            #expect(JensenShannon.distance([], []) == nil)
            #expect(JensenShannon.distance([0, 0], [1, 1]) == nil)
            #expect(JensenShannon.distance([-1, 2], [1, 1]) == nil)
            #expect(JensenShannon.distance([.nan, 2], [1, 1]) == nil)
        }
    }
}
