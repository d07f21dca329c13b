import Foundation
import Testing

@testable import MLOpsCore

@Suite struct ModelReportPageTests {
    static func values(of attribute: String, in html: String) -> [String] {
        html.components(separatedBy: "\(attribute)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    static func cells(_ html: String) -> [String] {
        html.components(separatedBy: "<rect class=\"cell\" ").dropFirst().map { String($0.prefix { $0 != ">" }) }
    }

    @Test func thePageIsACompleteWellFormedDocumentWithEverySection() {
        let html = ModelReportPage.html(ReportFixture.report())
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(XMLWellFormedness.error(in: html) == nil)
        for (id, title) in ModelReportPage.sections {
            #expect(html.contains("<h2 id=\"\(id)\">\(title)</h2>"))
        }
        #expect(html.contains("@media print"))
        #expect(html.contains("break-inside: avoid"))
        #expect(html.contains("1.0.0 since 2026-11-01T"))
    }

    @Test func theEstimateIsDrawnBesideTheRealizedMetricWithTheRunningError() {
        var report = ReportFixture.report(checks: 4)
        #expect(!ModelReportPage.html(report).contains("realized"), "no estimate, no figure")
        for i in report.checks.indices {
            report.checks[i].estimate = .init(
                status: i < 2 ? .estimated : .labelled,
                metric: "accuracy",
                estimated: 0.8 - 0.01 * Double(i),
                lower: 0.75,
                upper: 0.85,
                realized: i < 2 ? nil : 0.77,
                absoluteError: i < 2 ? nil : abs(0.8 - 0.01 * Double(i) - 0.77),
                runningAbsoluteError: nil
            )
        }
        report.checks = Kinds.MonitoringHistory.Result(model: "chest-xray", checks: report.checks).checks
        let html = ModelReportPage.html(report)
        #expect(XMLWellFormedness.error(in: html) == nil)
        #expect(html.contains("class=\"series-second\""))
        #expect(Self.occurrences("class=\"marker-second\"", html) == 2)
        #expect(html.contains("mean absolute error of the estimate is 0.005"), "(0.01 + 0) / 2")
        #expect(html.contains("<th scope=\"col\">realized</th>"))
    }

    static func occurrences(_ needle: String, _ text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func nothingIsFetchedOrRun() {
        let html = ModelReportPage.html(ReportFixture.report())
        for forbidden in [
            "<script", "http:", "https:", "//", "@import", "url(", "<link", "<img", "<iframe", "<object",
            "on" + "load=",
        ] {
            #expect(!html.lowercased().contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func hostileNamesAreEscapedEverywhereAndNeverBecomeMarkup() {
        let hostile = "<script>alert(\"x\")</script>&'"
        let report = ReportFixture.report(
            model: hostile,
            columnNames: ["</svg><script>", "a\"b' onmouseover=\"x", "&amp;"],
            equipment: "<b>scanner</b>",
            newValue: "<img src=x onerror=alert(1)>",
            alertMessage: "]]></title><script>alert(1)</script>"
        )
        let html = ModelReportPage.html(report)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>scanner"))
        #expect(!html.contains("onmouseover=\"x"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
        #expect(html.contains("data-column=\"&lt;/svg&gt;&lt;script&gt;\""))
        #expect(html.contains("data-column=\"&amp;amp;\""))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(XMLWellFormedness.error(in: html) == nil)
    }

    @Test func oneColumnChartPerDistribution() {
        let report = ReportFixture.report(columns: 6)
        let html = ModelReportPage.html(report)
        #expect(ReportFixture.occurrences(of: "class=\"chart column-chart\"", in: html) == report.distributions.count)
        let charts = html.components(separatedBy: "class=\"chart column-chart\" data-column=\"").dropFirst()
        #expect(charts.map { String($0.prefix { $0 != "\"" }) } == report.distributions.map(\.name))
        // Each column's latest figures are beside its chart.
        #expect(html.contains("<span>adjusted p: 0.2857</span>"))
    }

    @Test func theHeatMapHasOneCellPerColumnAndCheckUpTo120Checks() {
        for checks in [1, 10, 120] {
            let html = ModelReportPage.html(ReportFixture.report(columns: 5, checks: checks))
            let cells = Self.cells(html)
            #expect(cells.count == 5 * checks)
            let keys = Self.values(of: "data-check", in: cells.joined(separator: " "))
            #expect(Set(keys) == Set((1...checks).map(String.init)))
            #expect(html.contains("One cell per column and check."))
        }
    }

    @Test func moreThan120ChecksAreGroupedInto120BucketsShowingTheSmallestP() throws {
        let report = ReportFixture.report(columns: 3, checks: 300)
        let html = ModelReportPage.html(report)
        let cells = Self.cells(html)
        #expect(cells.count == 3 * DriftHeatMap.maxBuckets)
        let keys = Self.values(of: "data-check", in: cells.filter { $0.contains("data-column=\"feature_0\"") }.joined())
        #expect(keys.count == DriftHeatMap.maxBuckets)
        #expect(keys.first == "1..2")
        #expect(keys.last == "298..300")
        #expect(
            html.contains(
                "The 300 checks are more than 120, so consecutive checks are grouped into 120 buckets of 2 to 3 checks"
            )
        )
        // Buckets cover every check once, in order.
        let map = DriftHeatMap(checks: report.checks, alpha: 0.05, threshold: 0.1)
        #expect(map.buckets.flatMap { Array($0.checks) } == Array(0..<300))
        // A bucket's cell is its checks' smallest adjusted p, and drifts when one of them did.
        for (b, bucket) in map.buckets.enumerated() {
            let ps = report.checks[bucket.checks].compactMap { $0.columns[2].pAdjusted }
            #expect(map.cells[2][b].pAdjusted == ps.min())
            #expect(map.cells[2][b].drift == report.checks[bucket.checks].contains { $0.columns[2].drift })
        }
    }

    @Test func bucketRangesAreNearlyEqualAndConsecutive() {
        #expect(DriftHeatMap.bucketRanges(count: 0, most: 120).isEmpty)
        #expect(DriftHeatMap.bucketRanges(count: 3, most: 120) == [0..<1, 1..<2, 2..<3])
        let ranges = DriftHeatMap.bucketRanges(count: 1_000, most: 120)
        #expect(ranges.count == 120)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1_000)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(Set(ranges.map(\.count)) == [8, 9])
    }

    @Test func everyAlertHasAMarkOnTheTimelineAndEveryEventARow() {
        let report = ReportFixture.report()
        let html = ModelReportPage.html(report)
        for alert in report.alerts {
            #expect(
                html.contains("class=\"alert-mark severity-\(alert.severity.rawValue)\" data-alert=\"\(alert.id)\"")
            )
        }
        #expect(ReportFixture.occurrences(of: "data-alert=", in: html) == report.alerts.count)
        let timeline = TimelineChart(alerts: report.alerts, events: report.events, runs: report.runs)
        // 3 opened + 3 updated + 1 acknowledged + 1 resolved; 3 version events; 2 runs × 3.
        #expect(timeline.entries.count == 8 + 3 + 6)
        #expect(
            timeline.entries.map(\.date)
                == timeline.entries.map(\.date).sorted { ($0 ?? .distantFuture) < ($1 ?? .distantFuture) }
        )
        #expect(html.contains("<td>version promoted</td><td>1.0.0</td><td>FORCED past refusing gates. gates passed"))
        #expect(html.contains("1.0.0 promoted (forced!)"))
        #expect(html.contains("<td>alert acknowledged</td>"))
        #expect(html.contains("failed: train exited with status 2"))
    }

    @Test func theRunsSectionListsEveryRunWithItsStages() {
        let report = ReportFixture.report()
        let html = ModelReportPage.html(report)
        #expect(html.contains("<th scope=\"row\">run-1</th><td>drift</td><td>failed</td>"))
        #expect(html.contains("class=\"chart run-stages\""))
        #expect(html.contains("<td>(skipped)</td>") || html.contains("<td>skipped</td>"))
    }

    @Test func anEmptyReportSaysWhyEachPartIsEmpty() {
        let html = ModelReportPage.html(ReportFixture.emptyReport())
        #expect(XMLWellFormedness.error(in: html) == nil)
        #expect(html.contains("The model has no production version"))
        #expect(html.contains("No checks yet: the model has not been monitored"))
        #expect(html.contains("No checks yet: no column has been tested."))
        #expect(html.contains("No feature distributions"))
        #expect(html.contains("No alerts, version changes or pipeline runs in this period."))
        #expect(html.contains("No pipeline runs for this model."))
        #expect(!html.contains("<svg"))
    }

    @Test func checksWithoutLabelsSayThereIsNoMetric() {
        var report = ReportFixture.report(checks: 3)
        for index in report.checks.indices {
            report.checks[index].decay.current = nil
            report.checks[index].decay.interval = nil
        }
        report.alerts = []
        let html = ModelReportPage.html(report)
        #expect(html.contains("No labelled predictions in the checks shown, so no accuracy was computed"))
        #expect(html.contains("No alerts during the checks shown."))
    }

    @Test func fiftyColumnsOverAThousandChecksStayWellUnderTwoMegabytes() {
        let html = ModelReportPage.html(ReportFixture.report(columns: 50, checks: 1_000))
        #expect(html.utf8.count < 2_000_000)
        #expect(Self.cells(html).count == 50 * DriftHeatMap.maxBuckets)
        #expect(XMLWellFormedness.error(in: html) == nil)
    }
}
