import Foundation
import Testing

@testable import MLOpsCore

@Suite struct ReportLayoutTests {
    /// The style sheet's rules outside `@media print` and inside it, as (selectors, body).
    static func rules() -> (screen: [(String, String)], print: [(String, String)]) {
        let css = ReportStyle.css
        guard let start = css.range(of: "@media print {") else { return ([], []) }
        func parse(_ text: Substring) -> [(String, String)] {
            text.components(separatedBy: "}").compactMap { rule in
                let parts = rule.components(separatedBy: "{")
                guard parts.count == 2 else { return nil }
                return (parts[0].trimmingCharacters(in: .whitespacesAndNewlines), parts[1])
            }
        }
        return (parse(css[..<start.lowerBound]), parse(css[start.upperBound...]))
    }

    @Test func everyScrollingBoxExpandsOnPaper() {
        let (screen, print) = Self.rules()
        let boxes = screen.filter { $0.1.contains("max-height") || $0.1.contains("overflow: auto") }.map(\.0)
        #expect(boxes.contains(".table-scroll"))
        #expect(boxes.contains(".pair .table-scroll"))
        for box in boxes {
            // The print rule names the same selector, so it is at least as specific.
            let expanded = print.contains { rule in
                rule.0.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(box)
                    && rule.1.contains("max-height: none") && rule.1.contains("overflow: visible")
            }
            #expect(expanded, "\(box) keeps its height on paper")
        }
    }

    @Test func chartsAndShortTablesDoNotSplitAcrossPages() {
        let (_, print) = Self.rules()
        let kept = print.filter { $0.1.contains("break-inside: avoid") }
            .flatMap { $0.0.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        for selector in ["figure", "svg.chart", "table.keep", "tr", ".column-block"] {
            #expect(kept.contains(selector), "\(selector)")
        }
        // A long table may run over pages; a short one is marked to move whole.
        var short = HTMLWriter()
        short.table(caption: nil, header: ["a"], rows: Array(repeating: ["1"], count: HTMLWriter.keepRows))
        #expect(short.text.contains("<table class=\"numbers keep\">"))
        var long = HTMLWriter()
        long.table(caption: nil, header: ["a"], rows: Array(repeating: ["1"], count: HTMLWriter.keepRows + 1))
        #expect(long.text.contains("<table class=\"numbers\">"))
        // A chart's figure holds the caption and the chart; its table follows it.
        let html = ModelReportPage.html(ReportFixture.report())
        #expect(html.contains("</svg></figure><div class=\"table-scroll\">"))
    }

    @Test func theHeatMapsNumbersAreTablesOfAtMostTenChecksThatTogetherHoldEveryCell() {
        for checks in [5, 40, 1_000] {
            let report = ReportFixture.report(columns: 4, checks: checks)
            let map = DriftHeatMap(checks: report.checks, alpha: 0.05, threshold: 0.1)
            let table = map.table()
            let tables = table.components(separatedBy: "<table ").dropFirst()
            #expect(tables.count == (map.buckets.count + DriftHeatMap.tableChunk - 1) / DriftHeatMap.tableChunk)
            var keys: [String] = []
            for part in tables {
                let header = ModelReportPageTests.values(of: "scope", in: part)
                let checkColumns = part.components(separatedBy: "<th scope=\"col\">#").dropFirst()
                #expect(checkColumns.count <= DriftHeatMap.tableChunk)
                keys += checkColumns.map { String($0.prefix { $0 != "<" }) }
                // Every table names every column.
                #expect(header.filter { $0 == "row" }.count == map.columns.count)
            }
            #expect(keys == map.buckets.map(\.key))
            #expect(ReportFixture.occurrences(of: "<td>", in: table) == map.columns.count * map.buckets.count)
            // One scrolling box around them all, side by side on screen, stacked on paper.
            #expect(ReportFixture.occurrences(of: "table-scroll", in: table) == 1)
            #expect(table.contains("<div class=\"table-chunks\">"))
        }
        let (screen, print) = Self.rules()
        #expect(screen.contains { $0.0 == ".table-chunks" && $0.1.contains("display: flex") })
        #expect(print.contains { $0.0 == ".table-chunks" && $0.1.contains("display: block") })
    }

    @Test func heatMapCellsGrowToFillTheWidthUpToSixtyPixels() {
        for (checks, width) in [(1, 60.0), (5, 60), (14, 60), (20, 44), (40, 22), (120, 7)] {
            let report = ReportFixture.report(columns: 3, checks: checks)
            let map = DriftHeatMap(checks: report.checks, alpha: 0.05, threshold: 0.1)
            #expect(map.cellWidth == width, "\(checks) checks")
            let cells = ModelReportPageTests.cells(map.svg())
            #expect(cells.count == 3 * checks)
            #expect(
                Set(ModelReportPageTests.values(of: "width", in: cells.joined(separator: " "))) == [
                    SVGWriter.number(width)
                ]
            )
            // The map never runs past the chart.
            #expect(DriftHeatMap.labelWidth + Double(checks) * width <= DriftHeatMap.width)
        }
    }

    @Test func aSegmentWithoutAnyLabelsKeepsItsTableButDrawsNoChart() {
        var report = ReportFixture.report(checks: 3)
        guard var latest = report.latest else {
            Issue.record("the fixture has a latest check")
            return
        }
        latest.equipment.perValue = latest.equipment.perValue.map { value in
            var value = value
            value.labelled = 0
            value.metric = nil
            value.interval = nil
            return value
        }
        report.latest = latest
        let html = ModelReportPage.html(report)
        #expect(html.contains("No labelled predictions per equipment value, so no accuracy per value."))
        #expect(!html.contains("class=\"chart segment-chart\""))
        #expect(!html.contains(">no labels</text>"))
        // The table still gives each value's predictions and drifting features.
        #expect(html.contains("<th scope=\"row\">scanner = X-900</th><td>12</td><td>0</td>"))
        #expect(html.contains("<td>feature_0</td><td>new</td>"))
        #expect(XMLWellFormedness.error(in: html) == nil)

        // With one labelled value the chart is drawn, the unlabelled value marked.
        let labelled = ModelReportPage.html(ReportFixture.report(checks: 3))
        #expect(labelled.contains("class=\"chart segment-chart\""))
        #expect(labelled.contains(">no labels</text>"))
        #expect(!labelled.contains("No labelled predictions per equipment value"))
    }
}
