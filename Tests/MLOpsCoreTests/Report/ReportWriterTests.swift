import Testing

@testable import MLOpsCore

@Suite struct ReportWriterTests {
    @Test func coordinatesAreWrittenWithOneDecimalAtMost() {
        #expect(SVGWriter.number(12.34) == "12.3")
        #expect(SVGWriter.number(12.35) == "12.4")
        #expect(SVGWriter.number(3.0) == "3")
        #expect(SVGWriter.number(0) == "0")
        #expect(SVGWriter.number(-0.04) == "0")
        #expect(SVGWriter.number(-2.56) == "-2.6")
        #expect(SVGWriter.number(1080) == "1080")
        #expect(SVGWriter.number(0.96) == "1")
        #expect(SVGWriter.number(.nan) == "0")
        #expect(SVGWriter.number(.infinity) == "0")
    }

    @Test func theFiveMarkupCharactersAreEscapedAndForbiddenControlsReplaced() {
        #expect(
            HTMLWriter.escape("<script>alert(\"x\") & 'y'</script>")
                == "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        )
        #expect(HTMLWriter.escape("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        #expect(HTMLWriter.escape("a\u{0}b\u{1B}c\u{FFFE}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(HTMLWriter.escape("tab\tline\nend") == "tab\tline\nend")
    }

    @Test func attributeValuesAreQuotedAndEscaped() {
        var html = HTMLWriter()
        html.element("span", [("title", "a\"b<c>")], "x & y")
        html.void("br")
        #expect(html.text == "<span title=\"a&quot;b&lt;c&gt;\">x &amp; y</span><br />")
    }

    @Test func everySVGChartHasARoleATitleAndAnAccessibleName() {
        var svg = SVGWriter(width: 100, height: 50.25, label: "a <b>")
        svg.rect(x: 1.26, y: 2, width: 3, height: 4, cssClass: "c")
        let text = svg.finish()
        #expect(
            text
                == "<svg viewBox=\"0 0 100 50.3\" width=\"100\" height=\"50.3\" role=\"img\" aria-label=\"a &lt;b&gt;\">"
                + "<title>a &lt;b&gt;</title><rect class=\"c\" x=\"1.3\" y=\"2\" width=\"3\" height=\"4\"/></svg>"
        )
    }

    @Test func aMissingValueBreaksThePath() {
        let path = SVGWriter.Path.broken([(0, 0), (1, 1), nil, (3, 3), (4, 4)])
        #expect(path.text == "M0 0L1 1M3 3L4 4")
        let chart = LineChart(
            label: "x",
            valueName: "v",
            points: [1.0, nil, 2, 3].enumerated().map {
                LineChart.Point(seq: $0 + 1, at: ReportFixture.time(Double($0)), value: $1)
            }
        )
        let svg = chart.svg()
        let series = svg.components(separatedBy: "class=\"series\" d=\"").dropFirst().first ?? ""
        #expect(ReportFixture.occurrences(of: "M", in: String(series.prefix { $0 != "\"" })) == 2)
        #expect(chart.table().contains("<td>—</td>"))
    }

    @Test func theWellFormednessCheckRejectsBrokenMarkup() {
        #expect(XMLWellFormedness.error(in: "<a><b></a>") != nil)
        #expect(XMLWellFormedness.error(in: "<p>&nbsp;</p>") != nil)
        #expect(XMLWellFormedness.error(in: "<a><b>") != nil)
        #expect(XMLWellFormedness.error(in: "<a></a><b></b>") != nil)
        #expect(XMLWellFormedness.error(in: "<a x=1></a>") != nil)
        #expect(XMLWellFormedness.error(in: "<!DOCTYPE html>\n<html><br /></html>") == nil)
    }

    @Test func reportNumbersAreShortAndMissingOnesADash() {
        #expect(ReportFormat.pValue(nil) == "—")
        #expect(ReportFormat.pValue(0.01234) == "0.0123")
        #expect(ReportFormat.pValue(0.000012) == "1.2e-05")
        #expect(ReportFormat.percent(0.1234) == "12.3%")
        #expect(ReportFormat.number(0.123456) == "0.123")
        #expect(ReportFormat.duration(125) == "2 min 5 s")
        #expect(ReportFormat.duration(0.25) == "250 ms")
        #expect(ReportFormat.shortTime("2026-11-29T13:05:09Z") == "2026-11-29 13:05")
    }
}
