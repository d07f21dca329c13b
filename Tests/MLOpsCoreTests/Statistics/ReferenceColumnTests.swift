import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    /// The prepared reference (`ReferenceColumn`, the daemon check's path) against the plain
    /// one (`FiniteSample` + `twoSample(sortedA:sortedB:)` + `PopulationStabilityIndex`),
    /// which the scipy comparisons pin: every figure must be the same bits.
    @Suite struct ReferenceColumnTests {
        /// The plain path's answer for one window column.
        static func plain(_ reference: [Double], _ window: [Double]) -> ReferenceColumn.Comparison {
            let sample = FiniteSample(window)
            guard !sample.isEmpty else { return .init(ks: nil, psi: nil, dropped: sample.dropped) }
            return .init(
                ks: KolmogorovSmirnov.twoSample(sortedA: reference, sortedB: sample.sorted),
                psi: PopulationStabilityIndex.compute(reference: reference, current: sample.sorted),
                dropped: sample.dropped
            )
        }

        static func expectSameBits(
            _ fast: ReferenceColumn.Comparison,
            _ plain: ReferenceColumn.Comparison,
            _ label: String
        ) {
            #expect(fast.dropped == plain.dropped, "\(label): dropped")
            #expect(
                fast.ks?.statistic.bitPattern == plain.ks?.statistic.bitPattern,
                "\(label): D \(String(describing: fast.ks)) vs \(String(describing: plain.ks))"
            )
            #expect(
                fast.ks?.pValue.bitPattern == plain.ks?.pValue.bitPattern,
                "\(label): p \(String(describing: fast.ks)) vs \(String(describing: plain.ks))"
            )
            #expect(fast.ks == plain.ks, "\(label): KS")
            #expect(
                fast.psi?.bitPattern == plain.psi?.bitPattern,
                "\(label): PSI \(String(describing: fast.psi)) vs \(String(describing: plain.psi))"
            )
        }

        /// Random sizes on both sides of the radix threshold, shifts, grids of 1, 0.5 and 0.1
        /// (ties within and across the samples), constant columns, signed zeros and missing
        /// values in the window.
        @Test func givesTheSameBitsAsThePlainPathOnRandomDataWithTies() throws {
            var rng = SeededGenerator(seed: 21)
            for index in 0..<600 {
                let m = [1, 2, 3, 10, 255, 256, 700, 2_000][index % 8]
                let n = Int.random(in: 1...1_500, using: &rng)
                let step: Double? = [nil, 1, 0.5, 0.1][index % 4]
                let shift = [0, 0.05, 0.3, 1][index % 5 == 4 ? 3 : index % 4]
                var reference = rng.normals(m, step: step)
                var window = rng.normals(n, mean: shift, step: step)
                if index % 11 == 0 { reference = Array(repeating: 0.5, count: m) }
                if index % 13 == 0 { window = Array(repeating: index % 2 == 0 ? 0.5 : 7, count: n) }
                if index % 7 == 0 {
                    // Signed zeros on both sides: equal values, different bits.
                    for i in stride(from: 0, to: reference.count, by: 3) { reference[i] = i % 2 == 0 ? 0.0 : -0.0 }
                    for i in stride(from: 1, to: window.count, by: 4) { window[i] = i % 2 == 0 ? -0.0 : 0.0 }
                }
                if index % 5 == 0 {
                    for i in stride(from: 0, to: window.count, by: 9) {
                        window[i] = [Double.nan, .infinity, -.infinity][i % 3]
                    }
                }
                let sortedReference = reference.sorted()
                let column = try #require(ReferenceColumn(sorted: sortedReference))
                let plain = Self.plain(sortedReference, window)
                Self.expectSameBits(column.compare(window), plain, "case \(index) m=\(m) n=\(n)")
                #expect(column.ksTest(window) == plain.ks)
            }
        }

        /// The daemon check's sizes: exact p-values at 10,000 × 10,000 and 10,000 × 9,000,
        /// and the asymptotic ones above 10,000.
        @Test func givesTheSameBitsAtTheDaemonCheckSizes() throws {
            var rng = SeededGenerator(seed: 22)
            for (m, n, shift, step) in [
                (10_000, 10_000, 0.0, nil), (10_000, 10_000, 0.05, 0.01), (10_000, 9_000, 0.02, nil),
                (10_000, 9_000, 0.3, 0.1), (20_000, 10_000, 0.03, nil), (10_000, 12_000, 0, 0.5),
            ] as [(Int, Int, Double, Double?)] {
                let reference = rng.normals(m, step: step).sorted()
                let window = rng.normals(n, mean: shift, step: step)
                let column = try #require(ReferenceColumn(sorted: reference))
                Self.expectSameBits(
                    column.compare(window),
                    Self.plain(reference, window),
                    "m=\(m) n=\(n) shift \(shift)"
                )
            }
        }

        @Test func aReferenceTheTestsRefuseIsNotPrepared() {
            #expect(ReferenceColumn(sorted: []) == nil)
            #expect(ReferenceColumn(sorted: [1, 3, 2]) == nil)
            #expect(ReferenceColumn(sorted: [1, .nan]) == nil)
            #expect(ReferenceColumn(sorted: [1, .infinity]) == nil)
        }

        @Test func aWindowWithoutFiniteValuesHasNoTest() throws {
            let column = try #require(ReferenceColumn(sorted: [1, 2, 3]))
            #expect(column.compare([.nan, .infinity]) == .init(ks: nil, psi: nil, dropped: 2))
            #expect(column.compare([]) == .init(ks: nil, psi: nil, dropped: 0))
        }

        @Test func theProfileKeepsItsPreparedColumnsInStepWithItsValues() throws {
            var profile = ReferenceProfile(
                rows: 3,
                numeric: ["a": [1, 2, 3], "b": [3, 1]],
                categorical: [:],
                segments: [:]
            )
            #expect(profile.prepared["a"] == ReferenceColumn(sorted: [1, 2, 3]))
            #expect(profile.prepared["b"] == nil)
            profile.numeric["a"] = [5, 6]
            #expect(profile.prepared["a"] == ReferenceColumn(sorted: [5, 6]))
        }

        /// The monitor's numerical test with and without the prepared column.
        @Test func theCheckGivesTheSameColumnTestEitherWay() throws {
            var rng = SeededGenerator(seed: 23)
            let reference = rng.normals(3_000, step: 0.1).sorted()
            var window = rng.normals(1_000, mean: 0.2, step: 0.1)
            window[3] = .nan
            let column = try #require(ReferenceColumn(sorted: reference))
            let fast = MonitoringAnalysis.numericTest(reference, prepared: column, window)
            let plain = MonitoringAnalysis.numericTest(reference, window)
            #expect(fast.test == plain.test && fast.statistic == plain.statistic && fast.pValue == plain.pValue)
            #expect(fast.psi == plain.psi && fast.missing == plain.missing && fast.note == plain.note)
            let missing = MonitoringAnalysis.numericTest(reference, prepared: column, [.nan])
            let missingPlain = MonitoringAnalysis.numericTest(reference, [.nan])
            #expect(missing.note == missingPlain.note && missing.missing == missingPlain.missing && missing.test == nil)
        }
    }
}
