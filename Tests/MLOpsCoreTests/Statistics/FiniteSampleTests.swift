import Testing

@testable import MLOpsCore

extension StatisticsTests {
    @Suite struct FiniteSampleTests {
        @Test func nonFiniteValuesAreDroppedAndCounted() {
            let sample = FiniteSample([3, .nan, -1, .infinity, 2, -.infinity, .nan])
            #expect(sample.sorted == [-1, 2, 3])
            #expect(sample.dropped == 4)
            #expect(sample.count == 3)
        }

        @Test func onlyNonFiniteValuesLeaveAnEmptySample() {
            let sample = FiniteSample([.nan, .infinity])
            #expect(sample.isEmpty)
            #expect(sample.dropped == 2)
        }

        /// The radix sort must give exactly `sorted()` on every kind of Double: negatives,
        /// both zeros, subnormals, huge magnitudes, ties, sizes around its threshold.
        @Test func radixSortAgreesWithSortOnEveryKindOfValue() {
            var rng = SeededGenerator(seed: 21)
            let specials: [Double] = [
                0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1,
            ]
            for count in [0, 1, 2, 255, 256, 257, 1_000, 10_000, 70_000] {
                var values = rng.normals(count, sd: 1e3)
                for index in stride(from: 0, to: count, by: 7) {
                    values[index] = specials[index % specials.count]
                }
                for index in stride(from: 3, to: count, by: 11) {
                    values[index] = (values[index] / 100).rounded()
                }
                let radix = RadixSort.sorted(values)
                let reference = values.sorted()
                #expect(radix.count == reference.count)
                #expect(radix == reference, "count \(count)")
            }
        }

        @Test func radixSortHandlesAllEqualValues() {
            #expect(RadixSort.sorted(Array(repeating: 4.5, count: 1_000)) == Array(repeating: 4.5, count: 1_000))
        }
    }
}
