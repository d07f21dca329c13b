import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The registry through the real daemon: spool in, results out, crashes in between.
@Suite(.serialized) struct DaemonRegistryTests {
    /// Writes an artifact directory with model files, metrics and reference data under data/.
    static func artifact(_ root: String, _ name: String, weights: String) throws -> String {
        let dir = root + "/data/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data(weights.utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        var csv = "age,scanner_kv,scanner_model,age_band\n"
        for i in 0..<10 { csv += "\(40 + i),\(100 + i),S\(i % 2),b\(i % 3)\n" }
        try writeFile(dir + "/reference.csv", Data(csv.utf8))
        return dir
    }

    func serving(_ h: DaemonHarness) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: h.state + "/serving/xray/current")
    }

    func storeView(_ h: DaemonHarness) throws -> (production: String?, artifact: String?) {
        try h.readStore { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT version, artifact_sha256 FROM versions WHERE model = 'xray' AND state = 'production'"
            )
            return (row?["version"], row.map { h.state + "/artifacts/" + ($0["artifact_sha256"] as String) })
        }
    }

    /// `kill -9` while the deploy hook of a promotion runs (the link already switched, the
    /// store not yet committed): after the restart the link is repaired to the store's
    /// version before anything else, then the recovered job promotes for real.
    @Test func killDuringPromotionLeavesStoreAndLinkAgreeing() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        let hook = h.root + "/hook.sh"
        try writeFile(
            hook,
            Data(
                """
                #!/bin/sh
                echo "$MLOPSD_ACTION $MLOPSD_VERSION" >> \(h.root)/hook.log
                if [ -e \(h.root)/block ] && [ "$MLOPSD_ACTION" = promote ]; then echo $$ > \(h.root)/hook.pid; exec sleep 60; fi
                exit 0

                """.utf8
            )
        )
        chmod(hook, 0o755)
        try h.writeConfig("deploy_hook: [\(hook)]\ndeploy_hook_timeout: 120")
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        for (i, name) in ["a1", "a2"].enumerated() {
            let dir = try Self.artifact(h.root, name, weights: "w\(i)")
            try h.drop("cv\(i).yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
            let result = try h.waitForResult("cv\(i)")
            #expect(result.status == .succeeded, "\(result.error?.message ?? "")")
        }
        try h.drop("p1.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("p1").status == .succeeded)
        let old = try storeView(h)
        #expect(old.production == "1.0.0")
        #expect(serving(h) == old.artifact)

        try writeFile(h.root + "/block", Data())
        try h.drop("p2.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.1.0}\n")
        try waitUntil(timeout: 30, "the hook of the second promotion runs") {
            FileManager.default.fileExists(atPath: h.root + "/hook.pid")
        }
        // Mid-promotion: the link names the new version, the store (committed) still the old.
        #expect(serving(h) != old.artifact)
        #expect(try storeView(h).production == "1.0.0")
        try h.kill9()
        if let text = try? String(contentsOfFile: h.root + "/hook.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
        try FileManager.default.removeItem(atPath: h.root + "/block")

        try h.start()
        let result = try h.waitForResult("p2")
        #expect(result.status == .succeeded, "\(result.error?.message ?? "")")
        let now = try storeView(h)
        #expect(now.production == "1.1.0")
        #expect(serving(h) == now.artifact)
        let count = try h.readStore { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model = 'xray' AND state = 'production'")
        }
        #expect(count == 1)
        let log = try String(contentsOfFile: h.root + "/hook.log", encoding: .utf8).split(separator: "\n").map(
            String.init
        )
        // The restart first put the link back to 1.0.0 (reconcile), then the recovered job promoted 1.1.0.
        #expect(log == ["promote 1.0.0", "promote 1.1.0", "reconcile 1.0.0", "promote 1.1.0"])
        let history = try h.readStore { db in
            try String.fetchAll(db, sql: "SELECT version FROM production_history WHERE model = 'xray' ORDER BY seq")
        }
        #expect(history == ["1.0.0", "1.1.0"])
    }
}

/// Monitoring through the real daemon: the periodic pass, and `mlopsctl alerts | health`.
@Suite(.serialized) struct DaemonMonitoringTests {
    @Test func theTimerChecksProductionModelsAndTheCommandsReportThem() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.writeConfig("monitoring_check_interval: 1")
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("w".utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        try writeFile(dir + "/reference.csv", Data(MonitoringData.reference(rows: 1000).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        #expect(try h.waitForResult("cv").status == .succeeded)
        try h.drop("p.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("p").status == .succeeded)
        var traffic = MonitoringData.Traffic()
        traffic.scanners = ["S0", "UNSEEN"]
        try writeFile(
            h.root + "/data/preds.csv",
            Data(MonitoringData.predictions(prefix: "x", rows: 50, seed: 3, traffic: traffic).utf8)
        )
        try h.drop("log.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/preds.csv\n")
        let logged = try h.waitForResult("log")
        #expect(logged.result?["ingested"] == 50, "\(logged.error?.message ?? "")")
        #expect(logged.result?["check"] == nil, "50 < check_every_predictions: no check in the job")
        // The timer's pass finds the unseen scanner.
        try waitUntil(timeout: 30, "a timer check") {
            try h.readStore { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM monitoring_checks WHERE trigger = 'timer'") ?? 0
            } > 0
        }
        try waitUntil(timeout: 10, "the equipment alert file") {
            (try? FileManager.default.contentsOfDirectory(atPath: h.spool + "/alerts"))?.contains {
                $0.contains("equipment_change")
            } == true
        }
        let alerts = try Ctl.run(["alerts", "--spool", h.spool, "xray"], stdin: nil, in: h.root, timeout: 60)
        #expect(alerts.exitCode == 0, "\(alerts)")
        #expect(alerts.stdout.contains("equipment changed: new scanner_model `UNSEEN`"), "\(alerts)")
        let health = try Ctl.run(["health", "--spool", h.spool, "xray"], stdin: nil, in: h.root, timeout: 60)
        #expect(health.exitCode == 0, "\(health)")
        #expect(
            health.stdout.contains("xray: health 1.000 (good), window 50, labelled 0, status insufficient_data"),
            "\(health)"
        )
        #expect(health.stdout.contains("new equipment: scanner_model=UNSEEN"), "\(health)")
        // The metrics file carries the model's latest check and its open alert.
        try waitUntil(timeout: 10, "monitoring gauges in the metrics file") {
            let text = (try? String(contentsOfFile: h.root + "/mlopsd.prom", encoding: .utf8)) ?? ""
            return text.contains(#"mlopsd_model_health_score{model="xray"} 1"#)
                && text.contains(#"mlopsd_alerts_open{model="xray",severity="warning"} 1"#)
                && text.contains(#"mlopsd_model_last_check_timestamp_seconds{model="xray"}"#)
        }
        // `alerts --ack` acknowledges it once and says so the second time.
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: h.spool + "/alerts")
                .first { $0.contains("equipment_change") }
        )
        let id = String(file.dropLast(".json".count))
        let ack = try Ctl.run(["alerts", "--spool", h.spool, "--ack", id], stdin: nil, in: h.root, timeout: 60)
        #expect(ack.exitCode == 0 && ack.stdout.hasPrefix("alert \(id) acknowledged by "), "\(ack)")
        let again = try Ctl.run(["alerts", "--spool", h.spool, "--ack", id], stdin: nil, in: h.root, timeout: 60)
        #expect(again.exitCode == 0 && again.stdout.contains("(already acknowledged by "), "\(again)")
        // The rewritten alert file is an AlertDocument, written exactly as it encodes.
        let fileData = try Data(contentsOf: URL(fileURLWithPath: h.spool + "/alerts/" + file))
        let alert = try JSONDecoder().decode(AlertDocument.self, from: fileData)
        #expect(alert.id == id && alert.acknowledgedBy != nil && alert.severity == .warning)
        #expect(try JSONEncoder.mlopsPretty.encode(alert) + Data("\n".utf8) == fileData)
        let unknown = try Ctl.run(
            ["alerts", "--spool", h.spool, "--ack", id + "x"],
            stdin: nil,
            in: h.root,
            timeout: 60
        )
        #expect(unknown.exitCode == 65, "\(unknown)")
        // `alert ID` (a get-alert job) shows it with who acknowledged it; a misspelt id is
        // refused with the right one as "did you mean".
        let shown = try Ctl.run(["alert", "--spool", h.spool, id], stdin: nil, in: h.root, timeout: 60)
        #expect(shown.exitCode == 0, "\(shown)")
        #expect(shown.stdout.hasPrefix("\(id): warning equipment_change of xray"), "\(shown)")
        #expect(shown.stdout.contains("  acknowledged by \(alert.acknowledgedBy ?? "?") at "), "\(shown)")
        let misspelt = try Ctl.run(["alert", "--spool", h.spool, id + "x"], stdin: nil, in: h.root, timeout: 60)
        #expect(misspelt.exitCode == 65, "\(misspelt)")
        #expect(misspelt.stdout.contains("did you mean `\(id)`?"), "\(misspelt)")
    }
}
