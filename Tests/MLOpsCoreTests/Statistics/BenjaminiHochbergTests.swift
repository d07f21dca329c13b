import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct BenjaminiHochbergTests {
        /// Random p-value sets of 2–200, with ties, zeros, ones and tiny values.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesScipyFalseDiscoveryControl() throws {
            var rng = SeededGenerator(seed: 61)
            var sets: [[Double]] = []
            for index in 0..<100 {
                let count = Int.random(in: 2...200, using: &rng)
                var ps = (0..<count).map { _ in pow10(Double.random(in: -12...0, using: &rng)) }
                if index % 3 == 0 { ps[0] = ps[count - 1] }
                if index % 5 == 0 { ps[count / 2] = 0 }
                if index % 7 == 0 { ps[0] = 1 }
                if index % 4 == 0 { ps = ps.map { ($0 * 100).rounded() / 100 } }
                sets.append(ps)
            }
            sets.append([0.5, 0.6, 0.1, 0.001])
            let expected = try ScipyReference.compute("bh", sets, as: [Double].self)
            var tally = ErrorTally()
            for (ps, reference) in zip(sets, expected) {
                let ours = try #require(BenjaminiHochberg.adjust(ps))
                #expect(ours.count == reference.count)
                for (value, expectedValue) in zip(ours, reference) {
                    tally.record(value, expectedValue)
                    #expect(
                        abs(value - expectedValue) <= 1e-15 * max(expectedValue, 1e-300) || value == expectedValue,
                        "\(value) vs \(expectedValue)"
                    )
                }
            }
            print(tally.summary("Benjamini–Hochberg"))
        }

        @Test func adjustedValuesKeepTheInputOrder() throws {
            #expect(try #require(BenjaminiHochberg.adjust([0.04, 0.01, 0.03])) == [0.04, 0.03, 0.04])
        }

        @Test func zeroOrOneValueIsReturnedUnchanged() {
            #expect(BenjaminiHochberg.adjust([]) == [])
            #expect(BenjaminiHochberg.adjust([0.2]) == [0.2])
        }

        @Test func valuesOutsideTheUnitIntervalGiveNoResult() {
            #expect(BenjaminiHochberg.adjust([0.1, 1.2]) == nil)
            #expect(BenjaminiHochberg.adjust([-0.1, 0.5]) == nil)
            #expect(BenjaminiHochberg.adjust([.nan, 0.5]) == nil)
        }

        private func pow10(_ exponent: Double) -> Double {
            Foundation.pow(10, exponent)
        }
    }
}
