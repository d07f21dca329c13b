import Foundation
import GRDB
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

/// `report` and `mlopsctl report` through the real daemon: the page is written under
/// `spool/reports/` readable by submitters, holds every monitored column, the checks and the
/// alerts of the model, `-o` copies it, and bad ranges and models are refused.
@Suite(.serialized) struct ReportTests {
    @Test func aReportOfADriftedModelIsWrittenUnderReportsWithEveryColumnAndAlert() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try DriftScenario.run(h)

        let copy = h.root + "/copy.html"
        let run = try Ctl.run(["report", "--spool", h.spool, "xray", "-o", copy], stdin: nil, in: h.root, timeout: 60)
        #expect(run.exitCode == 0, "\(run)")
        let path = try #require(run.stdout.split(separator: "\n").first.map(String.init))
        #expect(path.hasPrefix(h.spool + "/reports/xray.") && path.hasSuffix(".html"), "\(run)")
        let page = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == page)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640)

        let json = try Ctl.run(
            ["report", "--spool", h.spool, "xray", "--last", "3", "--json"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        #expect(json.exitCode == 0, "\(json)")
        let result = try #require(
            try ResultDocument.decode(Data(json.stdout.utf8)).result(of: Kinds.Report.self)
        )
        #expect(result.model == "xray" && result.checks == 3)
        // age, scanner_kv, scanner_model (equipment), age_band (population).
        #expect(result.columns == 4)
        let alerts = try h.readStore { db in try String.fetchAll(db, sql: "SELECT id FROM alerts WHERE model = 'xray'")
        }
        #expect(!alerts.isEmpty && result.alerts == alerts.count)
        let second = try Data(contentsOf: URL(fileURLWithPath: result.path))
        #expect(second.count == result.bytes)
        let text = String(decoding: second, as: UTF8.self)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        for alert in alerts { #expect(text.contains(alert), "the page names alert \(alert)") }
        #expect(text.contains("UNSEEN"), "the new scanner is on the page")
    }

    @Test func aModelWithoutChecksOrProductionStillGetsAPage() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("fresh"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        try h.drop("r.yaml", "kind: report\nmodel: fresh\n")
        let done = try h.waitForResult("r")
        #expect(done.status == .succeeded, "\(done)")
        let result = try #require(try done.result(of: Kinds.Report.self))
        #expect(result.checks == 0 && result.columns == 0 && result.alerts == 0)
        #expect(FileManager.default.fileExists(atPath: result.path))
    }

    @Test func badRangesAndUnknownModelsAreRefusedWithoutAPage() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        let backwards = try Ctl.run(
            ["report", "--spool", h.spool, "xray", "--since", "2030-01-01", "--until", "2029-01-01"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        #expect(backwards.exitCode == 65, "\(backwards)")
        #expect(backwards.stdout.contains("since (2030-01-01T00:00:00.000Z) is after until"), "\(backwards)")
        let unknown = try Ctl.run(["report", "--spool", h.spool, "xrya"], stdin: nil, in: h.root, timeout: 60)
        #expect(unknown.exitCode == 65, "\(unknown)")
        #expect(unknown.stdout.contains("did you mean `xray`?"), "\(unknown)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.spool + "/reports").isEmpty)
        let clash = try Ctl.run(
            ["report", "--spool", h.spool, "xray", "-o", "x.html", "--json"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        #expect(clash.exitCode == 64, "\(clash)")
    }
}
