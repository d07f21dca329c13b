import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Retraining through the real daemon: switches that survive a restart, a manual
/// retraining, and drift on the demo model retraining it automatically end to end.
@Suite(.serialized) struct RetrainingDaemonTests {
    /// The demo training data with `exposure_kvp` shifted by `shift` (written under data/).
    static func shiftedTraining(_ h: DaemonHarness, name: String, shift: Double) throws -> String {
        let text = try String(contentsOfFile: h.root + "/data/train.csv", encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init),
            let kvp = header.firstIndex(of: "exposure_kvp")
        else { throw TestFailure("no exposure_kvp column") }
        for i in 1..<lines.count {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let value = Double(cells[kvp]) { cells[kvp] = String(format: "%.1f", value + shift) }
            lines[i] = cells.joined(separator: ",")
        }
        let path = h.root + "/data/\(name)"
        try writeFile(path, Data((lines.joined(separator: "\n") + "\n").utf8))
        return path
    }

    /// `count` predictions from the demo data's rows (from `offset`), `exposure_kvp` shifted.
    static func predictions(_ h: DaemonHarness, prefix: String, offset: Int, count: Int, shift: Double) throws -> String
    {
        let text = try String(contentsOfFile: h.root + "/data/train.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init) else { throw TestFailure("empty data") }
        let columns = ["patient_age", "exposure_kvp", "view_position", "scanner_model", "site", "age_band", "sex"]
        let index = columns.compactMap { header.firstIndex(of: $0) }
        guard index.count == columns.count, let finding = header.firstIndex(of: "finding") else {
            throw TestFailure("columns")
        }
        var csv = "id," + columns.joined(separator: ",") + ",prediction\n"
        for n in 0..<count {
            let cells = lines[1 + (offset + n) % (lines.count - 1)].split(
                separator: ",",
                omittingEmptySubsequences: false
            ).map(String.init)
            var row = index.map { cells[$0] }
            if let value = Double(row[1]) { row[1] = String(format: "%.1f", value + shift) }
            csv += "\(prefix)-\(n)," + row.joined(separator: ",") + "," + cells[finding] + "\n"
        }
        let path = h.root + "/data/\(prefix).csv"
        try writeFile(path, Data(csv.utf8))
        return path
    }

    func submit(_ h: DaemonHarness, _ id: String, _ text: String, timeout: Double = 60) throws -> ResultDocument {
        try h.drop("\(id).yaml", "id: \(id)\n" + text)
        return try h.waitForResult(id, timeout: timeout)
    }

    @Test func theSwitchAndItsSettingsSurviveARestartAndBrokenSettingsAreRefused() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        // A path outside the data roots is refused when the switch goes on.
        let bad = try submit(
            h,
            "bad",
            "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: /etc/passwd}\n"
        )
        #expect(bad.status == .rejected)
        #expect(bad.error?.code == "invalid_value", "\(bad.error?.message ?? "")")
        // So is a setting without the pipeline's required `data`.
        let missing = try submit(h, "missing", "kind: retraining-start\nmodel: chest-xray\n")
        #expect(missing.status == .rejected, "\(missing.error?.message ?? "")")
        let on = try submit(
            h,
            "on",
            "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: \(h.root)/data/train.csv}\n"
        )
        #expect(on.status == .succeeded, "\(on.error?.message ?? "")")
        #expect(try h.stop() == 0)
        try h.start()
        let check = try submit(h, "check", "kind: check-retrain\nmodel: chest-xray\n")
        #expect(check.status == .succeeded, "\(check.error?.message ?? "")")
        #expect(check.result?["enabled"] == true)
        #expect(check.result?["settings"]?["params"]?["data"]?.stringValue == "\(h.root)/data/train.csv")
        #expect(check.result?["should_retrain"] == false)
        // A reload (SIGHUP) keeps them too.
        let ready = h.notify.messages(with: "READY=1").count
        h.process?.signal(SIGHUP)
        try h.notify.waitFor("READY=1", count: ready + 1, timeout: 30)
        let reloaded = try submit(h, "check-reload", "kind: check-retrain\nmodel: chest-xray\n")
        #expect(reloaded.result?["enabled"] == true)
        // Off for every model (no model:), and still off after a second restart.
        #expect(try submit(h, "off", "kind: retraining-stop\nreason: freeze\n").status == .succeeded)
        #expect(try h.stop() == 0)
        try h.start()
        let after = try submit(h, "check2", "kind: check-retrain\nmodel: chest-xray\n")
        #expect(after.result?["enabled"] == false)
        // retraining-start without params reuses the kept settings.
        #expect(try submit(h, "on2", "kind: retraining-start\n").status == .succeeded)
    }

    @Test func aManualTriggerRunsThePipelineAndIsInTheHistory() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        let doc = try submit(
            h,
            "manual",
            "kind: retraining-trigger\nmodel: chest-xray\nreason: new labels\nparams:\n  data: \(h.root)/data/train.csv\n",
            timeout: 240
        )
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        #expect(doc.result?["trigger"] == "manual")
        let version = try #require(doc.result?["version"]?.stringValue)
        let history = try submit(h, "hist", "kind: retraining-history\nmodel: chest-xray\n")
        guard case .array(let entries)? = history.result?["entries"], let entry = entries.first else {
            Issue.record("no history: \(String(describing: history.result))")
            return
        }
        #expect(entry["trigger"] == "manual")
        #expect(entry["outcome"] == "succeeded")
        #expect(entry["version"]?.stringValue == version)
        #expect(entry["job"] == "manual")
        let stats = try submit(h, "stats", "kind: retraining-stats\n")
        #expect(stats.result?["retrainings"] == 1)
        #expect(stats.result?["success_rate"]?.doubleValue == 1.0)
        #expect(stats.result?["by_trigger"]?["manual"]?["succeeded"] == 1)
    }

    @Test func aManualTriggerWhileARunIsQueuedOrRunningNamesThatRunItsStateAndHowToEndIt() throws {
        // One slot: chest-xray-b's run holds it (running), so chest-xray's run waits (queued).
        let h = try PipelineDaemonTests.harness(
            ["hang": PipelineDaemonTests.scripted("sleep 1000 & sleep 1000 & wait")],
            config: "max_concurrent_pipelines: 1\n"
        )
        defer { h.cleanUp() }
        let register = try String(
            contentsOfFile: PipelineDaemonTests.repository + "/examples/register-chest-xray.yaml",
            encoding: .utf8
        )
        try h.drop(
            "reg-b.yaml",
            register.replacingOccurrences(of: "id: register-chest-xray", with: "id: reg-b")
                .replacingOccurrences(of: "model: chest-xray\n", with: "model: chest-xray-b\n")
        )
        #expect(try h.waitForResult("reg-b").status == .succeeded)
        let params = "params:\n  pipeline: hang\n  data: \(h.root)/data/train.csv\n"
        try h.drop("busy-b.yaml", "kind: run-pipeline\nmodel: chest-xray-b\nid: busy-b\n" + params)
        let running = try PipelineDaemonTests().waitForStage(h, job: "busy-b", .train)
        try h.drop("busy.yaml", "kind: run-pipeline\nmodel: chest-xray\nid: busy\n" + params)
        var queued = ""
        try waitUntil(timeout: 30, "chest-xray's run queued behind chest-xray-b's") {
            guard let doc = h.result("busy"), doc.result?["state"] == "queued" else { return false }
            queued = doc.result?["run_id"]?.stringValue ?? ""
            return !queued.isEmpty
        }
        // Settings that are fine: the trigger without params uses them, and is refused only for the active run.
        let on = try submit(
            h,
            "on",
            "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: \(h.root)/data/train.csv}\n"
        )
        #expect(on.status == .succeeded, "\(on.error?.message ?? "")")
        let fromSettings = try submit(h, "again", "kind: retraining-trigger\nmodel: chest-xray\n")
        #expect(fromSettings.status == .rejected)
        #expect(fromSettings.error?.code == "conflict")
        let message = fromSettings.error?.message ?? ""
        #expect(!message.contains("settings"), "\(message)")
        #expect(message.contains("pipeline run \(queued) is queued"), "\(message)")
        #expect(fromSettings.error?.fix?.contains("cancel-pipeline") == true, "\(fromSettings.error?.fix ?? "")")
        #expect(fromSettings.error?.fix?.contains("mlopsctl run \(queued)") == true, "\(fromSettings.error?.fix ?? "")")
        // With parameters of its own, against the running run: its state is named too.
        let given = try submit(h, "again-b", "kind: retraining-trigger\nmodel: chest-xray-b\n" + params)
        #expect(given.status == .rejected)
        #expect(given.error?.code == "conflict")
        #expect(
            given.error?.message.contains("pipeline run \(running) is running") == true,
            "\(given.error?.message ?? "")"
        )
        // Nothing was recorded as a retraining.
        let fired = try h.readStore { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM retraining_events") ?? 0 }
        #expect(fired == 0)
    }

    @Test func confirmedDriftOnTheDemoModelRetrainsItAndResolvesTheDriftAlert() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        // A first production version, trained on the demo data.
        let first = try submit(
            h,
            "train1",
            "kind: run-pipeline\nmodel: chest-xray\nparams:\n  data: \(h.root)/data/train.csv\n",
            timeout: 240
        )
        #expect(first.status == .succeeded, "\(first.error?.message ?? "")")
        let v1 = try #require(first.result?["version"]?.stringValue)
        // Automatic retraining on, on newer data (where the scanners run at a higher kVp).
        let latest = try Self.shiftedTraining(h, name: "latest.csv", shift: 25)
        let on = try submit(
            h,
            "on",
            "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: \(latest)}\n"
        )
        #expect(on.status == .succeeded, "\(on.error?.message ?? "")")
        // Shifted traffic: the check after logging sees drift once (an alert, no retraining)...
        let file = try Self.predictions(h, prefix: "shift", offset: 0, count: 400, shift: 25)
        let logged = try submit(h, "log1", "kind: log-predictions\nmodel: chest-xray\nparams: {file: \(file)}\n")
        #expect(logged.status == .succeeded, "\(logged.error?.message ?? "")")
        let (alert, runsBefore) = try h.readStore { db in
            (
                try Row.fetchOne(
                    db,
                    sql:
                        "SELECT id, severity FROM alerts WHERE model = 'chest-xray' AND type = 'data_drift' AND resolved_at IS NULL"
                ),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM pipeline_runs WHERE trigger = 'drift'") ?? 0
            )
        }
        let alertID: String = try #require(alert?["id"])
        #expect(runsBefore == 0)
        // ...and a forced check confirms it: an automatic retraining starts.
        let check = try submit(h, "mon", "kind: monitor-model\nmodel: chest-xray\n")
        #expect(check.status == .succeeded, "\(check.error?.message ?? "")")
        var run: Row?
        try waitUntil(
            timeout: 300,
            "the drift retraining to end (daemon stderr: \(h.process?.stderrText.suffix(1500) ?? ""))"
        ) {
            run = try h.readStore { db in
                try Row.fetchOne(db, sql: "SELECT id, state, version FROM pipeline_runs WHERE trigger = 'drift'")
            }
            guard let state: String = run?["state"] else { return false }
            return !["queued", "running"].contains(state)
        }
        #expect(run?["state"] == "succeeded")
        let v2: String? = run?["version"]
        #expect(v2 != nil && v2 != v1)
        let (production, resolvedAt) = try h.readStore { db in
            (
                try String.fetchOne(
                    db,
                    sql: "SELECT version FROM versions WHERE model = 'chest-xray' AND state = 'production'"
                ),
                try String.fetchOne(db, sql: "SELECT resolved_at FROM alerts WHERE id = ?", arguments: [alertID])
            )
        }
        #expect(production == v2)
        #expect(resolvedAt != nil, "the drift alert \(alertID) is still open")
        // The history tells the story: trigger, evidence, run, outcome, version.
        let history = try submit(
            h,
            "hist",
            "kind: retraining-history\nmodel: chest-xray\nparams: {include_suppressed: false}\n"
        )
        guard case .array(let entries)? = history.result?["entries"], let entry = entries.first else {
            Issue.record("no history")
            return
        }
        #expect(entry["trigger"] == "drift")
        #expect(entry["outcome"] == "succeeded")
        #expect(entry["version"]?.stringValue == v2)
        #expect(entry["check"]?.intValue != nil)
        #expect(entry["detection_to_deployment_seconds"]?.doubleValue != nil)
        // The cooldown now holds further retraining back.
        let after = try submit(h, "check", "kind: check-retrain\nmodel: chest-xray\n")
        guard case .array(let blocks)? = after.result?["held_back_by"] else {
            Issue.record("no held_back_by")
            return
        }
        #expect(blocks.contains { $0["code"] == "cooldown" })
    }

    @Test func theScheduledTriggerFiresOncePerSlotOnTheTimerAndTheCooldownHoldsTheNextOnesBack() throws {
        // Slots every 3 s (retrain_schedule_days 3/86400), the retraining timer every 2 s.
        let h = try PipelineDaemonTests.harness(
            config: "retrain_schedule_days: 0.0000347\nmonitoring_check_interval: 2\n"
        )
        defer { h.cleanUp() }
        let first = try submit(
            h,
            "train1",
            "kind: run-pipeline\nmodel: chest-xray\nparams:\n  data: \(h.root)/data/train.csv\n",
            timeout: 240
        )
        #expect(first.status == .succeeded, "\(first.error?.message ?? "")")
        #expect(
            try submit(
                h,
                "on",
                "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: \(h.root)/data/train.csv}\n"
            ).status
                == .succeeded
        )
        try waitUntil(timeout: 240, "a scheduled retraining that ended and two later slots held back") {
            try h.readStore { db in
                let ended =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT count(*) FROM pipeline_runs WHERE trigger = 'scheduled' AND state NOT IN ('queued','running')
                            """
                    ) ?? 0
                let held =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT COALESCE(SUM(occurrences), 0) FROM retraining_events
                            WHERE trigger = 'scheduled' AND action = 'suppressed' AND reason = 'cooldown'
                            """
                    ) ?? 0
                return ended >= 1 && held >= 2
            }
        }
        let fired = try h.readStore { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM retraining_events WHERE trigger = 'scheduled' AND action = 'fired'"
            ) ?? 0
        }
        #expect(fired == 1)
        // The slots held back count on one row (not one row per tick).
        let rows = try h.readStore { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM retraining_events WHERE trigger = 'scheduled' AND reason = 'cooldown'"
            ) ?? 0
        }
        #expect(rows == 1)
        let stats = try submit(h, "stats", "kind: retraining-stats\nmodel: chest-xray\n")
        #expect(stats.result?["by_trigger"]?["scheduled"]?["retrainings"] == 1)
        #expect((stats.result?["suppressed_by_reason"]?["cooldown"]?.intValue ?? 0) >= 2)
    }
}
