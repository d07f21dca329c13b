import Foundation
import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct KolmogorovSmirnovTests {
        struct Samples {
            var a: [Double]
            var b: [Double]
        }

        /// What the script receives: the samples as raw float64 files.
        struct SampleFiles: Encodable {
            var a_file: String
            var b_file: String
        }

        struct ScipyKS: Decodable {
            var statistic: Double
            var pvalue: Double
        }

        /// Compares every case with scipy.stats.ks_2samp; returns the tallies of D and p.
        func compareWithScipy(
            _ cases: [Samples],
            pValueWithin check: (_ ours: Double, _ scipy: Double) -> Bool
        ) throws -> (d: ErrorTally, p: ErrorTally) {
            let scratch = try ScipyReference.Scratch()
            defer { scratch.remove() }
            let files = try cases.map { SampleFiles(a_file: try scratch.write($0.a), b_file: try scratch.write($0.b)) }
            let expected = try ScipyReference.compute("ks", files, as: ScipyKS.self)
            var dTally = ErrorTally()
            // Below 1e-10 a p-value may be bounded rather than computed (method .bounded).
            var pTally = ErrorTally(relativeFloor: SmirnovExact.negligible)
            for (samples, reference) in zip(cases, expected) {
                let label = "n=\(samples.a.count) m=\(samples.b.count)"
                guard let ours = KolmogorovSmirnov.twoSample(samples.a, samples.b) else {
                    Issue.record("no result for \(label)")
                    continue
                }
                dTally.record(ours.statistic, reference.statistic)
                pTally.record(ours.pValue, reference.pvalue)
                #expect(
                    abs(ours.statistic - reference.statistic) <= 1e-9,
                    "D \(label): \(ours.statistic) vs \(reference.statistic)"
                )
                #expect(
                    check(ours.pValue, reference.pvalue),
                    "p \(label) D=\(ours.statistic): \(ours.pValue) vs \(reference.pvalue)"
                )
            }
            return (dTally, pTally)
        }

        /// Random sizes 1…300, shifts from none to strong, a third on a coarse grid (ties
        /// within and across the samples).
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func exactPValueMatchesScipyOnSmallRandomSamples() throws {
            var rng = SeededGenerator(seed: 1)
            var cases: [Samples] = []
            for index in 0..<300 {
                let n = Int.random(in: 1...300, using: &rng)
                let m = index % 7 == 0 ? n : Int.random(in: 1...300, using: &rng)
                let shift = [0, 0, 0.1, 0.3, 0.6, 1.5][index % 6]
                let step: Double? = index % 3 == 0 ? 0.5 : nil
                cases.append(
                    Samples(
                        a: rng.normals(n, step: step),
                        b: rng.normals(m, mean: shift, sd: index % 4 == 0 ? 1.5 : 1, step: step)
                    )
                )
            }
            let (d, p) = try compareWithScipy(cases) { abs($0 - $1) <= 1e-6 }
            print(d.summary("KS exact, sizes 1…300, D"))
            print(p.summary("KS exact, sizes 1…300, p"))
        }

        /// Sizes up to 10,000 (scipy's exact limit): equal sizes (closed form), multiples and
        /// co-prime sizes (band recursion), heavy ties.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func exactPValueMatchesScipyUpToTenThousand() throws {
            var rng = SeededGenerator(seed: 2)
            let sizes: [(Int, Int, Double)] = [
                (10_000, 10_000, 0), (10_000, 10_000, 0.08), (10_000, 9_999, 0), (10_000, 9_999, 0.03),
                (10_000, 1_000, 0), (10_000, 1_000, 0.1), (1_000, 9_000, 0.05), (5_000, 2_500, 0.05),
                (3_001, 2_999, 0.02), (7_919, 104, 0.2), (1, 10_000, 0), (10_000, 2, 1), (2_000, 2_000, 0.3),
                (4_096, 1_024, 0), (999, 1_001, 0.1),
            ]
            var cases: [Samples] = []
            for (index, (n, m, shift)) in sizes.enumerated() {
                let step: Double? = index % 4 == 3 ? 0.05 : nil
                cases.append(Samples(a: rng.normals(n, step: step), b: rng.normals(m, mean: shift, step: step)))
            }
            let (d, p) = try compareWithScipy(cases) { abs($0 - $1) <= 1e-6 }
            print(d.summary("KS exact, sizes to 10,000, D"))
            print(p.summary("KS exact, sizes to 10,000, p"))
        }

        /// Above 10,000 scipy uses kstwo.sf at the effective size; ours must be within 5%
        /// relative or 1e-6 absolute, including small effective sizes (one small sample).
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func asymptoticPValueIsWithinFivePercentOfScipyAboveTenThousand() throws {
            var rng = SeededGenerator(seed: 3)
            let sizes: [(Int, Int, Double)] = [
                (100_000, 100_000, 0), (100_000, 100_000, 0.012), (100_000, 60_000, 0.02),
                (10_001, 10_001, 0), (10_001, 10_001, 0.04), (20_000, 15_000, 0.03), (10_001, 9_000, 0.05),
                (50_000, 1_000, 0.08), (30_000, 200, 0.1), (12_000, 50, 0.3), (25_000, 7, 0.5), (10_001, 1, 0),
                (40_000, 3_000, 0.04), (15_000, 500, 0.15), (11_000, 140, 0.2),
            ]
            var cases: [Samples] = []
            for (n, m, shift) in sizes {
                cases.append(Samples(a: rng.normals(n), b: rng.normals(m, mean: shift)))
            }
            let (d, p) = try compareWithScipy(cases) { ours, scipy in
                abs(ours - scipy) <= 1e-6 || abs(ours - scipy) <= 0.05 * scipy
            }
            for samples in cases {
                #expect(KolmogorovSmirnov.twoSample(samples.a, samples.b)?.method == .asymptotic)
            }
            print(d.summary("KS asymptotic, sizes to 100,000, D"))
            print(p.summary("KS asymptotic, sizes to 100,000, p"))
        }

        /// Random sizes 300…10,000 (log-uniform, so unequal sizes dominate) with shifts
        /// scaled to the effective size, so p-values spread over (0, 1).
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func exactPValueMatchesScipyOnRandomLargerSamples() throws {
            var rng = SeededGenerator(seed: 12)
            var cases: [Samples] = []
            for index in 0..<40 {
                let n = Int(exp(Double.random(in: log(300.0)...log(10_000.0), using: &rng)))
                let m = index % 5 == 0 ? n : Int(exp(Double.random(in: log(300.0)...log(10_000.0), using: &rng)))
                let effective = Double(n) * Double(m) / Double(n + m)
                let shift = Double.random(in: 0...2.5, using: &rng) / effective.squareRoot()
                cases.append(
                    Samples(a: rng.normals(n), b: rng.normals(m, mean: shift, step: index % 4 == 0 ? 0.01 : nil))
                )
            }
            let (d, p) = try compareWithScipy(cases) { abs($0 - $1) <= 1e-6 }
            print(d.summary("KS exact, random sizes 300…10,000, D"))
            print(p.summary("KS exact, random sizes 300…10,000, p"))
        }

        /// Random sizes above 10,000 up to 100,000 against samples of 1…100,000 (both
        /// log-uniform), shifts scaled to the effective size: the whole range of kstwo's
        /// regimes through the two-sample test.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func asymptoticPValueIsWithinFivePercentOfScipyOnRandomSizes() throws {
            var rng = SeededGenerator(seed: 13)
            var cases: [Samples] = []
            for _ in 0..<40 {
                let n = Int(exp(Double.random(in: log(10_001.0)...log(100_000.0), using: &rng)))
                let m = Int(exp(Double.random(in: 0...log(100_000.0), using: &rng)))
                let effective = Double(n) * Double(m) / Double(n + m)
                let shift = Double.random(in: 0...3, using: &rng) / effective.squareRoot()
                cases.append(Samples(a: rng.normals(n), b: rng.normals(m, mean: shift)))
            }
            let (d, p) = try compareWithScipy(cases) { ours, scipy in
                abs(ours - scipy) <= 1e-6 || abs(ours - scipy) <= 0.05 * scipy
            }
            print(d.summary("KS asymptotic, random sizes, D"))
            print(p.summary("KS asymptotic, random sizes, p"))
        }

        /// Strong drift between unequal samples ≤ 10,000: the band recursion is skipped
        /// because a union bound proves p < 1e-10; scipy's exact value must be within 1e-10.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func boundedPValueIsWithinItsBoundOfScipysExactValue() throws {
            var rng = SeededGenerator(seed: 14)
            let sizes: [(Int, Int, Double)] = [
                (10_000, 9_999, 1), (10_000, 9_999, 0.2), (10_000, 1_000, 0.5), (3_000, 2_000, 0.6), (8_000, 1_200, 1),
            ]
            let cases = sizes.map { n, m, shift in Samples(a: rng.normals(n), b: rng.normals(m, mean: shift)) }
            for samples in cases {
                #expect(KolmogorovSmirnov.twoSample(samples.a, samples.b)?.method == .bounded)
            }
            let (d, p) = try compareWithScipy(cases) { abs($0 - $1) <= SmirnovExact.negligible }
            print(d.summary("KS bounded, D"))
            print(p.summary("KS bounded, p"))
        }

        /// The union bound over the band's entry cells is never below the exact exit
        /// probability (sizes small enough to compute both, every threshold).
        @Test func exitBoundIsNeverBelowTheExactProbability() throws {
            var worstRatio = 1.0
            for (n, m) in [(30, 20), (100, 37), (200, 150), (999, 1_000), (500, 1_500), (7, 300), (1_000, 3)] {
                let lcm = n / KolmogorovSmirnov.gcd(n, m) * m
                for fraction in stride(from: 0.05, through: 1.0, by: 0.05) {
                    let h = max(1, Int(fraction * Double(lcm)))
                    let exact = SmirnovExact.outsideBand(n: n, m: m, h: h)
                    guard let bound = SmirnovExact.exitBound(n: n, m: m, h: h, giveUpAbove: .infinity) else { continue }
                    // Below 1e-300 both are subnormal (exp underflows first in the bound).
                    #expect(bound >= exact || exact < 1e-300, "n=\(n) m=\(m) h=\(h): bound \(bound) < exact \(exact)")
                    if exact > 1e-300 { worstRatio = max(worstRatio, bound / exact) }
                }
            }
            print("KS exit bound: at most \(worstRatio) times the exact probability")
        }

        /// Many ties: integer-valued samples, where equal values in both samples must move
        /// both ECDFs at once.
        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func tiesAcrossBothSamplesGiveScipysStatistic() throws {
            var rng = SeededGenerator(seed: 4)
            var cases: [Samples] = []
            for index in 0..<60 {
                let n = Int.random(in: 5...2_000, using: &rng)
                let m = Int.random(in: 5...2_000, using: &rng)
                let levels = [1, 2, 3, 5, 10][index % 5]
                cases.append(
                    Samples(
                        a: (0..<n).map { _ in Double(Int.random(in: 0..<levels, using: &rng)) },
                        b: (0..<m).map { _ in Double(Int.random(in: 0..<(levels + index % 2), using: &rng)) }
                    )
                )
            }
            // Constant columns: equal, different, and a constant against a spread.
            cases.append(Samples(a: Array(repeating: 3, count: 50), b: Array(repeating: 3, count: 70)))
            cases.append(Samples(a: Array(repeating: 3, count: 50), b: Array(repeating: 4, count: 70)))
            cases.append(Samples(a: Array(repeating: 0, count: 200), b: rng.normals(100)))
            // Single values.
            cases.append(Samples(a: [1], b: [1]))
            cases.append(Samples(a: [1], b: [2]))
            cases.append(Samples(a: [0.5], b: rng.normals(40)))
            let (d, p) = try compareWithScipy(cases) { abs($0 - $1) <= 1e-6 }
            print(d.summary("KS ties and constants, D"))
            print(p.summary("KS ties and constants, p"))
        }

        @Test func identicalConstantColumnsGiveNoDifference() throws {
            let result = try #require(
                KolmogorovSmirnov.twoSample(Array(repeating: 2, count: 30), Array(repeating: 2, count: 10))
            )
            #expect(result.statistic == 0)
            #expect(result.pValue == 1)
        }

        @Test func differentConstantColumnsGiveDistanceOne() throws {
            let result = try #require(
                KolmogorovSmirnov.twoSample(Array(repeating: 2, count: 30), Array(repeating: 5, count: 10))
            )
            #expect(result.statistic == 1)
            #expect(result.pValue < 1e-8)
        }

        @Test func emptySampleGivesNoResult() {
            #expect(KolmogorovSmirnov.twoSample([], [1, 2]) == nil)
            #expect(KolmogorovSmirnov.twoSample([1, 2], []) == nil)
            #expect(KolmogorovSmirnov.twoSample(sortedA: [], sortedB: []) == nil)
        }

        @Test func nonFiniteValueGivesNoResult() {
            #expect(KolmogorovSmirnov.twoSample([1, .nan, 2], [1, 2]) == nil)
            #expect(KolmogorovSmirnov.twoSample([1, 2], [.infinity]) == nil)
            #expect(KolmogorovSmirnov.twoSample(sortedA: [1, 2], sortedB: [-.infinity, 0]) == nil)
        }

        @Test func unsortedInputToTheSortedVariantGivesNoResult() {
            #expect(KolmogorovSmirnov.twoSample(sortedA: [1, 3, 2], sortedB: [1, 2]) == nil)
        }

        @Test func sortedVariantAgreesWithUnsorted() throws {
            var rng = SeededGenerator(seed: 5)
            let a = rng.normals(1_234, step: 0.1)
            let b = rng.normals(567, mean: 0.2, step: 0.1)
            let unsorted = try #require(KolmogorovSmirnov.twoSample(a, b))
            let sorted = try #require(KolmogorovSmirnov.twoSample(sortedA: a.sorted(), sortedB: b.sorted()))
            #expect(unsorted == sorted)
        }

        @Test func swappingTheSamplesKeepsStatisticAndPValue() throws {
            var rng = SeededGenerator(seed: 6)
            let a = rng.normals(700)
            let b = rng.normals(300, mean: 0.15)
            let ab = try #require(KolmogorovSmirnov.twoSample(a, b))
            let ba = try #require(KolmogorovSmirnov.twoSample(b, a))
            #expect(ab.statistic == ba.statistic)
            #expect(abs(ab.pValue - ba.pValue) <= 1e-12)
        }

        @Test func methodSwitchesToAsymptoticAboveTenThousand() throws {
            var rng = SeededGenerator(seed: 7)
            let reference = rng.normals(10_001)
            let exact = try #require(KolmogorovSmirnov.twoSample(Array(reference.prefix(10_000)), rng.normals(200)))
            let asymptotic = try #require(KolmogorovSmirnov.twoSample(reference, rng.normals(200)))
            #expect(exact.method == .exact)
            #expect(asymptotic.method == .asymptotic)
        }

        /// The equal-size exact p-value computes its terms four at a time; the sum must be
        /// the bits of the term-by-term loop (scipy's order).
        @Test func interleavedEqualSizeExactPValueGivesTheSequentialBits() {
            for n in [1, 2, 3, 5, 8, 99, 1_000, 10_000] {
                for h in Set([1, 2, 3, 4, 5, 7, 97, 100, 1_200, n / 3 + 1, n / 2 + 1, n]) where h <= n {
                    let interleaved = SmirnovExact.outsideSquare(n: n, h: h)
                    let sequential = SmirnovExact.outsideSquareSequential(n: n, h: h)
                    #expect(
                        interleaved.bitPattern == sequential.bitPattern,
                        "n=\(n) h=\(h): \(interleaved) vs \(sequential)"
                    )
                }
            }
        }

        @Test func pValueForAStatisticAgreesWithTheFullTest() throws {
            var rng = SeededGenerator(seed: 8)
            for (n, m) in [(40, 60), (500, 500), (20_000, 300)] {
                let result = try #require(KolmogorovSmirnov.twoSample(rng.normals(n), rng.normals(m, mean: 0.1)))
                let alone = try #require(KolmogorovSmirnov.pValue(statistic: result.statistic, n: n, m: m))
                #expect(abs(alone.pValue - result.pValue) <= 1e-12)
                #expect(alone.method == result.method)
            }
            #expect(KolmogorovSmirnov.pValue(statistic: 1.5, n: 3, m: 3) == nil)
            #expect(KolmogorovSmirnov.pValue(statistic: 0.5, n: 0, m: 3) == nil)
        }
    }
}
