import Foundation
import GRDB
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The model report and the offline drift page as a reader gets them: written by the real
/// daemon (and the real `mlopsctl drift --html`), rendered in headless Chromium to PNG and
/// PDF. The page loads with no console error and no network request, parses strictly,
/// draws one chart per monitored column, one heat-map cell per column and check, and holds
/// every alert of the model on its timeline; the PDF has pages with something on them.
/// Skipped with a message when Chromium is missing, except in CI (`MLOPSD_REQUIRE_BROWSER=1`).
@Suite(.serialized) struct ReportBrowserTests {
    /// How many times `pattern` occurs in `text`.
    static func count(_ pattern: some RegexComponent, in text: String) -> Int {
        text.matches(of: pattern).count
    }

    /// The checks every rendered page passes: strict parse, no console error, no request,
    /// a PDF whose first page is not blank. Returns the rendering.
    static func renderCleanly(_ page: String, into dir: String) throws -> HeadlessBrowser.Rendering {
        #expect(try HeadlessBrowser.strictParse(page) == [], "the page parses strictly")
        let rendering = try HeadlessBrowser.render(page, into: dir, width: 1300, height: 2400)
        #expect(rendering.consoleErrors.isEmpty, "console errors: \(rendering.consoleErrors)")
        #expect(rendering.requests.isEmpty, "requests: \(rendering.requests)")
        #expect(try HeadlessBrowser.pngInfo(rendering.screenshot).width == 1300)
        let pdf = try HeadlessBrowser.inspectPDF(rendering.pdf, into: dir)
        #expect(pdf.pages >= 1 && pdf.firstPageColours > 10, "\(pdf)")
        return rendering
    }

    @Test func theModelReportRendersWithAChartPerColumnACellPerCheckAndEveryAlert() throws {
        guard try HeadlessBrowser.available() else { return }
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try DriftScenario.run(h)
        try h.drop("r.yaml", "kind: report\nmodel: xray\n")
        let done = try h.waitForResult("r")
        let result = try #require(try done.result(of: Kinds.Report.self), "\(done)")
        let rendering = try Self.renderCleanly(result.path, into: h.root)
        let dom = rendering.dom
        let columns = ["age", "scanner_kv", "scanner_model", "age_band"]
        #expect(Self.count(/class="[^"]*\bcolumn-chart\b[^"]*"/, in: dom) == columns.count)
        for column in columns {
            #expect(dom.contains("column-chart\" data-column=\"\(column)\""), "a chart of \(column)")
        }
        #expect(result.checks == 4)
        #expect(Self.count(/<rect class="cell"/, in: dom) == columns.count * result.checks)
        let alerts = try h.readStore { db in try String.fetchAll(db, sql: "SELECT id FROM alerts WHERE model = 'xray'")
        }
        #expect(alerts.count >= 2, "the scenario opens drift and equipment alerts: \(alerts)")
        for alert in alerts {
            #expect(
                dom.contains("class=\"alert-mark") && dom.contains("data-alert=\"\(alert)\""),
                "\(alert) on the timeline"
            )
        }
        #expect(Self.count(/class="alert-mark/, in: dom) == alerts.count)
    }

    @Test func theOfflineDriftPageRendersWithAChartPerColumn() throws {
        guard try HeadlessBrowser.available() else { return }
        let dir = try MLOpsCtlDriftTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try MLOpsCtlDriftTests.write(dir + "/reference.csv", rows: 2000, seed: 1, current: false)
        try MLOpsCtlDriftTests.write(dir + "/current.csv", rows: 1500, seed: 2, current: true)
        let run = try Ctl.run(
            [
                "drift", "--reference", dir + "/reference.csv", "--current", dir + "/current.csv", "--categorical",
                "code",
                "--html", dir + "/drift.html",
            ],
            in: dir
        )
        #expect(run.exitCode == 0, "\(run)")
        let rendering = try Self.renderCleanly(dir + "/drift.html", into: dir)
        let columns = ["steady", "shifted", "ties", "grade", "code", "scanner"]
        #expect(Self.count(/class="[^"]*\bcolumn-chart\b[^"]*"/, in: rendering.dom) == columns.count)
        for column in columns { #expect(rendering.dom.contains("data-column=\"\(column)\""), "\(column)") }

        let unwritable = try Ctl.run(
            [
                "drift", "--reference", dir + "/reference.csv", "--current", dir + "/current.csv", "--html",
                "/nonexistent/dir/x.html",
            ],
            in: dir
        )
        #expect(unwritable.exitCode == 73, "\(unwritable)")
        #expect(unwritable.stderr.contains("cannot write /nonexistent/dir/x.html"), "\(unwritable)")
    }
}
