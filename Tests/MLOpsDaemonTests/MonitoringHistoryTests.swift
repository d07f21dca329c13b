import Foundation
import GRDB
import MLOpsClient
import MLOpsCore
import Testing

/// `monitoring-history` and `mlopsctl history` through the real daemon: the stored checks
/// come back oldest first with their trend figures and the alerts each opened, the range and
/// `--last` narrow them, and the terminal view draws a sparkline per signal.
@Suite(.serialized) struct MonitoringHistoryTests {
    @Test func theChecksOfADriftComeBackInOrderWithTheAlertsTheyOpened() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try DriftScenario.run(h)

        let json = try Ctl.run(["history", "--spool", h.spool, "xray", "--json"], stdin: nil, in: h.root, timeout: 60)
        #expect(json.exitCode == 0, "\(json)")
        let document = try ResultDocument.decode(Data(json.stdout.utf8))
        let history = try #require(try document.result(of: Kinds.MonitoringHistory.self))
        #expect(history.count == 4 && history.checks.count == 4)
        #expect(history.checks.map(\.seq) == history.checks.map(\.seq).sorted())
        #expect(history.checks.allSatisfy { $0.version == "1.0.0" && $0.trigger == "predictions" })
        let (before, after) = (history.checks[1], history.checks[2])
        #expect(before.newEquipment.isEmpty)
        #expect(after.newEquipment.map(\.value) == ["UNSEEN"])
        #expect(after.health < before.health && after.band == HealthScore.Band(after.health))
        #expect(after.columns.first { $0.name == "scanner_kv" }?.drift == true)
        #expect(after.columns.first { $0.name == "scanner_kv" }?.pAdjusted ?? 1 < 0.01)
        // Each check's figures are its stored report's.
        let stored = try h.readStore { db in
            try String.fetchOne(db, sql: "SELECT report FROM monitoring_checks WHERE seq = ?", arguments: [after.seq])
        }
        let report = try JSONDecoder().decode(MonitoringReport.self, from: Data(try #require(stored).utf8))
        #expect(after.status == report.status && after.window == report.window && after.labelled == report.labelled)
        #expect(after.health == report.health.score && after.band == report.health.band)
        #expect(after.driftShare == report.driftShare && after.decay == report.decay)
        #expect(after.columns.map(\.name) == report.columns.map(\.name))
        #expect(after.columns.map(\.statistic) == report.columns.map(\.statistic))
        #expect(after.columns.map(\.pAdjusted) == report.columns.map(\.pAdjusted))
        #expect(after.columns.map(\.psi) == report.columns.map(\.psi))
        #expect(after.columns.map(\.drift) == report.columns.map(\.drift))
        #expect(after.newEquipment == report.equipment.newValues && after.newPopulation == report.population.newValues)
        // The equipment alert opened with the first check that saw the new scanner, and the
        // next check confirmed it again.
        let equipment = try #require(history.checks[2].alertsOpened.first { $0.contains("equipment_change") })
        #expect(history.checks[0].alertsOpened.isEmpty && history.checks[1].alertsOpened.isEmpty)
        #expect(history.checks[3].alertsUpdated.contains(equipment))

        let newest = try Ctl.run(
            ["history", "--spool", h.spool, "xray", "--last", "2", "--json"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        let lastTwo = try #require(
            try ResultDocument.decode(Data(newest.stdout.utf8)).result(of: Kinds.MonitoringHistory.self)
        )
        #expect(lastTwo.checks.map(\.seq) == history.checks.suffix(2).map(\.seq))
        let since = try Ctl.run(
            ["history", "--spool", h.spool, "xray", "--since", history.checks[2].at, "--json"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        let fromThird = try #require(
            try ResultDocument.decode(Data(since.stdout.utf8)).result(of: Kinds.MonitoringHistory.self)
        )
        #expect(fromThird.checks.map(\.seq) == history.checks.suffix(2).map(\.seq))

        let text = try Ctl.run(["history", "--spool", h.spool, "xray"], stdin: nil, in: h.root, timeout: 60)
        #expect(text.exitCode == 0, "\(text)")
        #expect(
            text.stdout.hasPrefix("xray: 4 checks, \(history.checks[0].at) … \(history.checks[3].at) (version 1.0.0)"),
            "\(text)"
        )
        let healthLine = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("  health") })
        #expect(healthLine.contains(Sparkline.line(history.checks.map { $0.health }, low: 0, high: 1)))
        #expect(text.stdout.contains("+" + equipment), "\(text)")

        let backwards = try Ctl.run(
            ["history", "--spool", h.spool, "xray", "--since", "2030-01-01", "--until", "2029-01-01"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        #expect(backwards.exitCode == 65, "\(backwards)")
        #expect(backwards.stdout.contains("since (2030-01-01T00:00:00.000Z) is after until"), "\(backwards)")
    }
}
