import Testing

@testable import MLOpsCore

@Suite struct DriftReportPageTests {
    static func input(names: [String] = ["age", "site"]) -> DriftReportPage.Input {
        let columns = names.enumerated().map { index, name in
            DriftReport.Column(
                name: name,
                type: index == 0 ? .numerical : .categorical,
                test: index == 0 ? .ks : .chiSquare,
                statistic: 0.3,
                pValue: 0.0001,
                pAdjusted: 0.0002,
                psi: 0.4,
                jensenShannon: index == 0 ? nil : 0.2,
                missingReference: 1,
                missingCurrent: 2,
                drift: index == 0,
                note: index == 0 ? nil : "named categorical"
            )
        }
        let distributions = names.enumerated().map { index, name in
            index == 0
                ? ColumnDistribution.numeric(
                    name: name,
                    kind: .numerical,
                    reference: [1, 2, 3, 4],
                    current: [3, 4, 5, 6]
                )
                : ColumnDistribution.categorical(
                    name: name,
                    kind: .categorical,
                    reference: ["a": 3],
                    current: ["a": 1, "<new>": 2]
                )
        }
        return DriftReportPage.Input(
            report: DriftReport(
                columns: columns,
                driftShare: 1 / Double(max(1, names.count)),
                drifted: Array(names.prefix(1)),
                rowsReference: 4,
                rowsCurrent: 4,
                threshold: 0.1,
                alpha: 0.05
            ),
            distributions: distributions,
            referenceFile: "ref.csv",
            currentFile: "cur & <now>.csv",
            generatedAt: "2026-11-29T13:00:00Z"
        )
    }

    @Test func thePageSummarisesEveryColumnAndDrawsOneChartEach() {
        let html = DriftReportPage.html(Self.input())
        #expect(XMLWellFormedness.error(in: html) == nil)
        #expect(html.contains("1 of 2 columns drift (50.0%)"))
        #expect(html.contains("cur &amp; &lt;now&gt;.csv"))
        #expect(ReportFixture.occurrences(of: "class=\"chart column-chart\"", in: html) == 2)
        #expect(
            html.contains(
                "<th scope=\"row\">age</th><td>numerical</td><td>ks</td><td>0.3</td><td>0.0001</td><td>0.0002</td>"
            )
        )
        #expect(html.contains("<td>1 / 2</td><td>drift</td>"))
        #expect(html.contains(">new</text>"))
        for forbidden in ["<script", "http:", "https:", "//", "@import", "url("] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func hostileColumnNamesStayText() {
        let html = DriftReportPage.html(Self.input(names: ["<script>x</script>", "\"'&"]))
        #expect(!html.contains("<script"))
        #expect(html.contains("data-column=\"&quot;&#39;&amp;\""))
        #expect(XMLWellFormedness.error(in: html) == nil)
    }

    @Test func noColumnsStillMakesAPage() {
        let html = DriftReportPage.html(Self.input(names: []))
        #expect(html.contains("The files have no column in common."))
        #expect(XMLWellFormedness.error(in: html) == nil)
    }
}
