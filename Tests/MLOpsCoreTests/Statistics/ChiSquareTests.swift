import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct ChiSquareTests {
        struct Table: Encodable {
            var reference: [Int]
            var current: [Int]
        }

        struct ScipyChi2: Decodable {
            var statistic: Double
            var dof: Int
            var pvalue: Double
        }

        /// Random 2×k tables, k = 1…25: two categories (Yates), zeros on one side, categories
        /// absent from both, small and large counts, mixes that shift.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func matchesScipyChi2Contingency() throws {
            var rng = SeededGenerator(seed: 41)
            var tables: [Table] = []
            for index in 0..<200 {
                let k = [2, 2, 3, 5, 10, 25, 1][index % 7]
                let scale = [5, 50, 1_000, 100_000][index % 4]
                var reference: [Int] = []
                var current: [Int] = []
                for category in 0..<k {
                    let weight = Double(category + 1 + (index % 3 == 0 ? category * category : 0))
                    reference.append(Int(Double.random(in: 0...1, using: &rng) * weight * Double(scale) / Double(k)))
                    current.append(
                        Int(
                            Double.random(in: 0...1, using: &rng) * (weight + Double(index % 4)) * Double(scale)
                                / Double(k)
                        )
                    )
                }
                if index % 5 == 0 { reference[0] = 0 }
                if index % 6 == 0, k > 2 {
                    reference[k - 1] = 0
                    current[k - 1] = 0
                }
                tables.append(Table(reference: reference, current: current))
            }
            tables.append(Table(reference: [10, 20], current: [10, 20]))
            tables.append(Table(reference: [10, 0], current: [0, 10]))
            tables.append(Table(reference: [1, 1], current: [1, 2]))
            let expected = try ScipyReference.compute("chi2", tables, as: ScipyChi2?.self)
            var statistics = ErrorTally()
            var pValues = ErrorTally()
            for (table, reference) in zip(tables, expected) {
                let ours = ChiSquare.homogeneity(reference: table.reference, current: table.current)
                guard let reference else {
                    #expect(ours == nil, "scipy refused \(table)")
                    continue
                }
                let result = try #require(ours, "no result for \(table)")
                statistics.record(result.statistic, reference.statistic)
                pValues.record(result.pValue, reference.pvalue)
                #expect(result.degreesOfFreedom == reference.dof)
                #expect(
                    abs(result.statistic - reference.statistic) <= 1e-9 * max(1, reference.statistic),
                    "\(table): \(result.statistic) vs \(reference.statistic)"
                )
                #expect(
                    abs(result.pValue - reference.pvalue) <= 1e-12
                        || abs(result.pValue - reference.pvalue) <= 1e-9 * reference.pvalue,
                    "\(table): \(result.pValue) vs \(reference.pvalue)"
                )
            }
            print(statistics.summary("chi-square statistic"))
            print(pValues.summary("chi-square p-value"))
        }

        @Test func dictionariesDropCategoriesAbsentFromBoth() throws {
            let withEmpty = try #require(
                ChiSquare.homogeneity(
                    reference: ["a": 30, "b": 50, "c": 0, "d": 20],
                    current: ["a": 40, "b": 35, "c": 0, "d": 25, "e": 0]
                )
            )
            let plain = try #require(ChiSquare.homogeneity(reference: [30, 50, 20], current: [40, 35, 25]))
            #expect(withEmpty == plain)
            #expect(plain.degreesOfFreedom == 2)
        }

        @Test func newCategoryInTheCurrentSampleCountsAsZeroInTheReference() throws {
            let result = try #require(
                ChiSquare.homogeneity(reference: ["x": 100, "y": 100], current: ["x": 90, "y": 90, "new": 20])
            )
            #expect(result.degreesOfFreedom == 2)
            #expect(result.pValue < 1e-4)
        }

        @Test func singleCategoryIsTheDegenerateTable() throws {
            let result = try #require(ChiSquare.homogeneity(reference: ["a": 10], current: ["a": 3]))
            #expect(result == ChiSquareResult(statistic: 0, degreesOfFreedom: 0, pValue: 1))
        }

        @Test func emptySideOrNegativeCountGivesNoResult() {
            #expect(ChiSquare.homogeneity(reference: ["a": 0, "b": 0], current: ["a": 5, "b": 1]) == nil)
            #expect(ChiSquare.homogeneity(reference: [:], current: [:]) == nil)
            #expect(ChiSquare.homogeneity(reference: ["a": -1, "b": 4], current: ["a": 5, "b": 1]) == nil)
            #expect(ChiSquare.homogeneity(reference: [1, 2], current: [1]) == nil)
        }
    }

    @Suite struct IncompleteGammaTests {
        /// Q(a, x) against scipy.special.gammaincc from tiny to large a, on both sides of
        /// x = a + 1 (series and continued fraction), into the far tail.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func upperRegularizedMatchesScipyGammaincc() throws {
            var points: [[Double]] = []
            for a in [0.05, 0.5, 1, 1.5, 2, 3.5, 9.5, 10, 12.5, 50, 99.5, 500, 2_000, 10_000] {
                for factor in [0.001, 0.1, 0.5, 0.8, 0.95, 1, 1.05, 1.2, 1.5, 2, 3, 5, 10, 30] {
                    points.append([a, a * factor])
                }
                points.append([a, a + 1])
                points.append([a, a + 1 - 1e-9])
            }
            for x in [0.001, 0.3, 1, 4, 20, 100, 700] { points.append([0.5, x]) }
            let expected = try ScipyReference.compute("gammaincc", points, as: Double.self)
            var tally = ErrorTally()
            for (point, reference) in zip(points, expected) {
                let ours = IncompleteGamma.regularizedUpper(point[0], point[1])
                guard reference > 1e-300 else {
                    #expect(ours < 1e-290, "a=\(point[0]) x=\(point[1]): \(ours)")
                    continue
                }
                tally.record(ours, reference)
                #expect(
                    abs(ours - reference) <= 1e-11 * reference,
                    "a=\(point[0]) x=\(point[1]): \(ours) vs \(reference)"
                )
            }
            print(tally.summary("regularized upper incomplete gamma Q(a, x)"))
        }

        @Test func lowerAndUpperAddUpToOne() {
            for (a, x) in [(0.5, 0.2), (3, 2), (40, 45), (1_000, 980)] {
                #expect(
                    abs(IncompleteGamma.regularizedLower(a, x) + IncompleteGamma.regularizedUpper(a, x) - 1) < 1e-14
                )
            }
        }

        @Test func domainEdgesAreDefined() {
            #expect(IncompleteGamma.regularizedUpper(2, 0) == 1)
            #expect(IncompleteGamma.regularizedUpper(2, .infinity) == 0)
            #expect(IncompleteGamma.regularizedUpper(0, 1).isNaN)
            #expect(IncompleteGamma.regularizedUpper(1, -1).isNaN)
            #expect(IncompleteGamma.chiSquareSurvival(0, degreesOfFreedom: 3) == 1)
        }
    }
}
