import Testing

@testable import MLOpsCore

/// A sparkline maps a series onto eight block heights, one character per value.
@Suite struct SparklineTests {
    @Test func theLowestValueIsTheLowestBlockAndTheHighestTheHighest() {
        #expect(Sparkline.line([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.line([7, 0]) == "█▁")
    }

    @Test func aFixedRangeClampsAndAMissingValueIsASpace() {
        #expect(Sparkline.line([0.5, nil, 1.0, 2.0, -1], low: 0, high: 1) == "▅ ██▁")
    }

    @Test func aFlatOrEmptySeriesStaysAtTheBottom() {
        #expect(Sparkline.line([0.3, 0.3, 0.3]) == "▁▁▁")
        #expect(Sparkline.line([nil, nil]) == "  ")
        #expect(Sparkline.line([]) == "")
    }
}
