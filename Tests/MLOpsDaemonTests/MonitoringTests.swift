import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Monitoring scenarios through the job processor, a real store and real files.
@Suite(.serialized) struct MonitoringTests {
    /// A model in production with a 2,000-row reference and accuracy 0.9 in its metrics.
    func fixture(
        policy: String = "window_size: 1000\nmin_samples: 200\ncheck_every_predictions: 100",
        name: String = #function
    ) throws -> RegistryFixture {
        let f = try RegistryFixture(name: name)
        try f.register(policy: policy)
        let dir = try f.artifact("v1", weights: "w", accuracy: 0.9, reference: MonitoringData.reference(rows: 2000))
        let created = try f.createVersion(artifact: dir)
        #expect(created.status == .succeeded, "\(created.error?.message ?? "")")
        #expect(try f.promote("1.0.0").status == .succeeded)
        return f
    }

    /// Writes `csv` under data/ and logs it; returns the result.
    @discardableResult
    func log(_ f: RegistryFixture, _ name: String, _ csv: String) throws -> ResultDocument {
        let path = f.root + "/data/" + name + ".csv"
        try writeFile(path, Data(csv.utf8))
        return try f.run("kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n")
    }

    func openAlerts(_ f: RegistryFixture) throws -> [AlertRecord] {
        try f.store.read { db in try AlertBook.open(db, model: "xray") }
    }

    @Test func noDriftRaisesNoDriftAlertInAHundredConsecutiveChecks() throws {
        let f = try fixture()
        var checks = 0
        for batch in 0..<100 {
            let result = try log(
                f,
                "p\(batch)",
                MonitoringData.predictions(prefix: "b\(batch)", rows: 100, seed: UInt64(100 + batch))
            )
            #expect(result.status == .succeeded, "\(result.error?.message ?? "")")
            if result.result?["check"] != nil { checks += 1 }
        }
        #expect(checks == 100)
        let statuses = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT status FROM monitoring_checks WHERE model = 'xray'")
        }
        #expect(statuses.count == 100)
        #expect(
            statuses.filter { $0 == "insufficient_data" }.count == 1,
            "the first check sees 100 < min_samples predictions"
        )
        let drifting = try f.store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM monitoring_checks WHERE drift_share > 0")
        }
        #expect(drifting == 0)
        #expect(try openAlerts(f).filter { $0.type == "data_drift" }.isEmpty)
        let open = try openAlerts(f)
        #expect(open.isEmpty, "\(open.map(\.message))")
    }

    @Test func aShiftedFeatureDriftsAloneAndTheAlertOpensUpdatesAndResolves() throws {
        let f = try fixture()
        var traffic = MonitoringData.Traffic()
        traffic.kvpShift = 6
        try log(f, "shift1", MonitoringData.predictions(prefix: "s1", rows: 1000, seed: 7, traffic: traffic))
        let report = try f.run("kind: monitor-model\nmodel: xray\n")
        #expect(report.status == .succeeded, "\(report.error?.message ?? "")")
        #expect(report.result?["drifted"] == ["scanner_kv"])
        #expect(try openAlerts(f).map(\.type).contains("data_drift"))
        // Still drifting: the same alert, updated, with the streak confirmed.
        _ = try f.run("kind: monitor-model\nmodel: xray\n")
        let drift = try #require(try openAlerts(f).first { $0.type == "data_drift" })
        #expect(drift.occurrences >= 2)
        #expect(drift.severity == .critical)
        // Acknowledge it.
        let ack = try f.run("kind: acknowledge-alert\nparams: {alert: \(drift.id)}\n")
        #expect(ack.status == .succeeded, "\(ack.error?.message ?? "")")
        #expect(try openAlerts(f).first { $0.type == "data_drift" }?.acknowledgedBy != nil)
        // Traffic back to normal: the window fills with good predictions and the alert resolves.
        try log(f, "good", MonitoringData.predictions(prefix: "g", rows: 1000, seed: 8))
        _ = try f.run("kind: monitor-model\nmodel: xray\n")
        #expect(try openAlerts(f).first { $0.type == "data_drift" } == nil)
        let file = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: f.root + "/spool/alerts/\(drift.id).json"))
        )
        #expect(file["resolved_at"]?.stringValue != nil)
        #expect(file["acknowledged_by"]?.stringValue != nil)
    }

    @Test func anUnseenScannerRaisesAnEquipmentAlertAtOnce() throws {
        let f = try fixture()
        var traffic = MonitoringData.Traffic()
        traffic.scanners = ["S0", "S1", "S2", "NEW-SCANNER"]
        let result = try log(f, "eq", MonitoringData.predictions(prefix: "e", rows: 100, seed: 9, traffic: traffic))
        #expect(result.result?["check"]?["status"]?.stringValue == "insufficient_data")
        let alert = try #require(try openAlerts(f).first { $0.type == "equipment_change" })
        #expect(alert.message.contains("NEW-SCANNER"))
    }

    @Test func aChangedAgeMixRaisesAPopulationAlert() throws {
        let f = try fixture()
        var traffic = MonitoringData.Traffic()
        traffic.ageBandWeights = [6, 1, 1, 1]
        try log(f, "pop", MonitoringData.predictions(prefix: "a", rows: 1000, seed: 10, traffic: traffic))
        let report = try f.run("kind: monitor-model\nmodel: xray\n")
        #expect(report.result?["population"]?["shifted"] == ["age_band"])
        #expect(try openAlerts(f).contains { $0.type == "population_change" })
        #expect(report.result?["drifted"] == ["age_band"])
    }

    @Test func aTenPercentAccuracyDropIsDecay() throws {
        let f = try fixture()
        var traffic = MonitoringData.Traffic()
        traffic.accuracy = 0.80  // baseline 0.9: an 11% relative drop
        try log(f, "decay", MonitoringData.predictions(prefix: "d", rows: 1000, seed: 11, traffic: traffic))
        let report = try f.run("kind: monitor-model\nmodel: xray\n")
        let decay = try #require(report.result?["decay"])
        #expect(decay["status"]?.stringValue == "decayed")
        let drop = try #require(decay["relative_drop"]?.doubleValue)
        #expect(drop > 0.05 && drop < 0.2)
        #expect(decay["interval"]?["lower"]?.doubleValue != nil)
        #expect(try openAlerts(f).contains { $0.type == "model_decay" })
        // Health explains itself: decay takes its share off.
        let health = try #require(report.result?["health"])
        guard case .array(let contributions)? = health["contributions"] else {
            Issue.record("no contributions")
            return
        }
        #expect(contributions.map { $0["signal"]?.stringValue } == ["drift", "decay"])
        #expect(contributions[1]["penalty"]?.doubleValue == 0.5)
        #expect((health["score"]?.doubleValue ?? 1) < 0.8)
    }

    @Test func labelsJoinLaterAndUnknownIdsAreReported() throws {
        let f = try fixture()
        try log(f, "p", MonitoringData.predictions(prefix: "q", rows: 10, seed: 12))
        let labels = try f.run(
            """
            kind: log-ground-truth
            model: xray
            params:
              labels:
                - {id: q-1, label: normal}
                - {id: q-2, label: pneumonia}
                - {id: nobody, label: normal}

            """
        )
        #expect(labels.status == .succeeded, "\(labels.error?.message ?? "")")
        #expect(labels.result?["labelled"] == 2)
        #expect(labels.result?["unknown"] == 1)
        #expect(labels.result?["unknown_ids"] == ["nobody"])
        let stored = try f.store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions WHERE label IS NOT NULL")
        }
        #expect(stored == 2)
        let bad = try f.run("kind: log-ground-truth\nmodel: xray\nparams:\n  labels:\n    - {id: q-3, label: maybe}\n")
        #expect(bad.status == .rejected)
        #expect(bad.error?.message.contains("row 1, column `label`: `maybe` is not one of the model's classes") == true)
    }

    @Test func aMalformedFileIsRejectedByRowAndColumnAndNothingIsIngestedTwice() throws {
        let f = try fixture()
        var csv = MonitoringData.predictions(prefix: "m", rows: 50, seed: 13)
        csv += "m-bad,abc,110,S0,b1,normal,0.5\n"
        let rejected = try log(f, "bad", csv)
        #expect(rejected.status == .rejected)
        #expect(rejected.error?.message.contains("row 51 (line 52), column `age`: `abc` is not a number") == true)
        #expect(rejected.error?.line == 4)
        let count = { try f.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions") ?? -1 } }
        #expect(try count() == 0)
        let good = MonitoringData.predictions(prefix: "m", rows: 50, seed: 13)
        #expect(try log(f, "good1", good).result?["ingested"] == 50)
        let again = try log(f, "good2", good)
        #expect(again.result?["ingested"] == 0)
        #expect(again.result?["duplicates"] == 50)
        #expect(try count() == 50)
    }
}
