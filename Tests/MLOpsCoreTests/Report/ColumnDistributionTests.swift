import Testing

@testable import MLOpsCore

@Suite struct ColumnDistributionTests {
    @Test func numbersShareTwentyEqualBinsOverBothSidesAndEveryFiniteValueIsCounted() throws {
        let reference: [Double] = [0, 1, 2, 3, 4, .nan, .infinity]
        let current: [Double] = [5, 10, 10, -.infinity]
        let d = ColumnDistribution.numeric(name: "x", kind: .numerical, reference: reference, current: current)
        guard case .numeric(let edges, let ref, let cur) = d.shape else {
            Issue.record("not numeric")
            return
        }
        #expect(edges.count == ColumnDistribution.bins + 1)
        #expect(edges.first == 0)
        #expect(edges.last == 10)
        #expect(abs(edges[1] - 0.5) < 1e-12)
        #expect(ref.count == ColumnDistribution.bins && cur.count == ColumnDistribution.bins)
        #expect(ref.reduce(0, +) == 5 && d.referenceCount == 5)
        #expect(cur.reduce(0, +) == 3 && d.currentCount == 3)
        // The highest value falls in the last bin, which includes its upper edge.
        #expect(cur.last == 2)
        #expect(cur[10] == 1)
    }

    @Test func aColumnWithOneValueHasOneBinAndOneWithNoneHasNoBins() {
        let one = ColumnDistribution.numeric(name: "x", kind: .numerical, reference: [7, 7], current: [7])
        #expect(one.shape == .numeric(edges: [7, 7], reference: [2], current: [1]))
        let none = ColumnDistribution.numeric(name: "x", kind: .numerical, reference: [.nan], current: [])
        #expect(none.shape == .numeric(edges: [], reference: [], current: []))
        #expect(DistributionChart(none).svg().contains("No values on either side."))
    }

    @Test func newCategoriesAreKeptWhenTheRestIsSummed() {
        var reference: [String: Int] = [:]
        for i in 0..<40 { reference["v\(i)"] = 100 - i }
        let current = reference.merging(["new-a": 3, "new-b": 1]) { a, _ in a }
        let d = ColumnDistribution.categorical(name: "site", kind: .population, reference: reference, current: current)
        guard case .categorical(let values, let other) = d.shape else {
            Issue.record("not categorical")
            return
        }
        #expect(values.count == ColumnDistribution.maxCategories)
        #expect(values.filter(\.isNew).map(\.value) == ["new-a", "new-b"])
        #expect(values.first?.value == "v0")
        let summed = other
        #expect(summed?.value == "12 other values")
        #expect(values.reduce(0) { $0 + $1.reference } + (summed?.reference ?? 0) == reference.values.reduce(0, +))
        #expect(d.currentCount == current.values.reduce(0, +))
        let chart = DistributionChart(d)
        #expect(ReportFixture.occurrences(of: ">new</text>", in: chart.svg()) == 2)
        #expect(ReportFixture.occurrences(of: "<td>new</td>", in: chart.table()) == 2)
    }

    @Test func valuesAtTheEndsOfTheDoubleRangeAreBinnedWithoutOverflow() {
        let huge = Double.greatestFiniteMagnitude
        let d = ColumnDistribution.numeric(name: "x", kind: .numerical, reference: [-huge, 0], current: [huge])
        guard case .numeric(let edges, let ref, let cur) = d.shape else {
            Issue.record("not numeric")
            return
        }
        #expect(edges.allSatisfy { $0.isFinite })
        #expect(edges.first == -huge && edges.last == huge)
        #expect(ref.first == 1 && ref[10] == 1 && cur.last == 1)
        #expect(ReportFormat.duration(1e300) == "1e+300 s")
    }

    @Test func emptyValuesAreNotCounted() {
        #expect(ColumnDistribution.counts(["a", nil, "", "a", "b"]) == ["a": 2, "b": 1])
    }
}
