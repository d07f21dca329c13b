import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The label-free signals in the daemon's checks (issue 20): reference outputs per version,
/// output drift, the estimated metric and `estimated_decay`, multivariate drift.
@Suite(.serialized) struct EstimationDaemonTests {
    static let referenceRows = 5000
    static let policy = "window_size: 1000\nmin_samples: 200\ncheck_every_predictions: 100"

    /// A model in production whose version carries (or not) its outputs on a 5,000-row
    /// reference, with the reference's own accuracy as its baseline.
    func fixture(outputs: Bool = true, name: String = #function) throws -> (RegistryFixture, ResultDocument) {
        let f = try RegistryFixture(name: name)
        try f.register(policy: Self.policy)
        let dir = try f.artifact(
            "v1",
            accuracy: EstimationData.referenceAccuracy(rows: Self.referenceRows),
            reference: EstimationData.reference(rows: Self.referenceRows, outputs: outputs)
        )
        let created = try f.createVersion(artifact: dir)
        #expect(created.status == .succeeded, "\(created.error?.message ?? "")")
        #expect(try f.promote("1.0.0").status == .succeeded)
        return (f, created)
    }

    /// Logs `csv` and runs a check; returns the check's result.
    func check(_ f: RegistryFixture, _ name: String, _ csv: String) throws -> ResultDocument {
        let path = f.root + "/data/" + name + ".csv"
        try writeFile(path, Data(csv.utf8))
        let logged = try f.run("kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n")
        #expect(logged.status == .succeeded, "\(logged.error?.message ?? "")")
        let checked = try f.run("kind: monitor-model\nmodel: xray\n")
        #expect(checked.status == .succeeded, "\(checked.error?.message ?? "")")
        return checked
    }

    func openAlerts(_ f: RegistryFixture) throws -> [String] {
        try f.store.read { db in try AlertBook.open(db, model: "xray").map(\.type) }
    }

    @Test func aVersionWithReferenceOutputsEstimatesItsMetricBeforeTheLabels() throws {
        let (f, created) = try fixture()
        let note = try #require(created.result?["reference_outputs"]?.stringValue)
        #expect(note.contains("output drift and estimated performance"), "\(note)")
        #expect(created.result?["ignored_columns"] == [])
        let result = try check(f, "plain", EstimationData.predictions(prefix: "a", rows: 1000, seed: 11))
        let estimate = try #require(result.result?["estimate"])
        #expect(estimate["status"] == "estimated", "\(estimate)")
        #expect(estimate["metric"] == "accuracy")
        let baseline = EstimationData.referenceAccuracy(rows: Self.referenceRows)
        let value = try #require(estimate["estimated"]?.doubleValue)
        #expect(abs(value - baseline) < 0.03, "estimated \(value) against baseline \(baseline)")
        #expect(estimate["decayed"] == false)
        #expect(estimate["metrics"]?["metrics"] != nil)
        // The outputs are tested beside the features, and do not drift.
        guard case .array(let columns)? = result.result?["columns"] else {
            Issue.record("no columns")
            return
        }
        let outputs = columns.filter { $0["kind"] == "output" }.compactMap { $0["name"]?.stringValue }
        #expect(outputs == ["score", "prediction"])
        #expect(result.result?["drifted"] == [])
        // The health score says the decay part is estimated.
        guard case .array(let contributions)? = result.result?["health"]?["contributions"] else {
            Issue.record("no contributions")
            return
        }
        let decay = contributions.first { $0["signal"] == "decay" }
        #expect(decay?["estimated"] == true, "\(String(describing: decay))")
        #expect(try openAlerts(f).isEmpty)
    }

    @Test func aCovariateShiftWithoutLabelsOpensNoEstimatedDecayWhileADropInConfidenceDoes() throws {
        let (f, _) = try fixture()
        var shifted = EstimationData.Traffic()
        shifted.ageShift = 10
        let moved = try check(
            f,
            "shift",
            EstimationData.predictions(prefix: "s", rows: 1000, seed: 21, traffic: shifted)
        )
        #expect(moved.result?["estimate"]?["status"] == "estimated")
        #expect(moved.result?["estimate"]?["decayed"] == false, "\(String(describing: moved.result?["estimate"]))")
        let afterShift = try openAlerts(f)
        #expect(afterShift.contains("data_drift"), "\(afterShift)")
        #expect(!afterShift.contains("estimated_decay"), "\(afterShift)")
        guard case .array(let drifted)? = moved.result?["drifted"] else {
            Issue.record("no drifted list")
            return
        }
        #expect(drifted.contains("age") && drifted.contains("score"), "\(drifted)")

        var unsure = EstimationData.Traffic()
        unsure.confidence = 0.3
        let dropped = try check(
            f,
            "unsure",
            EstimationData.predictions(prefix: "u", rows: 1000, seed: 22, traffic: unsure)
        )
        let estimate = try #require(dropped.result?["estimate"])
        #expect(estimate["decayed"] == true, "\(estimate)")
        #expect((estimate["relative_drop"]?.doubleValue ?? 0) > 0.1, "\(estimate)")
        let alert = try #require(
            try f.store.read { db in try AlertBook.open(db, model: "xray").first { $0.type == "estimated_decay" } }
        )
        #expect(alert.severity == .critical)
        #expect(alert.message.contains("before the labels"), "\(alert.message)")
        // Retraining sees the trigger (switched off here, so it is only reported).
        let inquiry = try f.run("kind: check-retrain\nmodel: xray\n")
        guard case .array(let conditions)? = inquiry.result?["conditions"] else {
            Issue.record("no conditions in \(String(describing: inquiry.result))")
            return
        }
        let trigger = conditions.first { $0["trigger"] == "estimated_decay" }
        #expect(trigger?["holds"] == true, "\(conditions)")

        // Labels arrive: decay is judged on them and the estimated alert resolves.
        var labelled = EstimationData.Traffic()
        labelled.labelled = true
        let judged = try check(
            f,
            "labelled",
            EstimationData.predictions(prefix: "l", rows: 1000, seed: 23, traffic: labelled)
        )
        #expect(
            judged.result?["estimate"]?["status"] == "labelled",
            "\(String(describing: judged.result?["estimate"]))"
        )
        #expect(judged.result?["estimate"]?["realized"]?.doubleValue != nil)
        #expect(!(try openAlerts(f)).contains("estimated_decay"))
    }

    @Test func labelsArrivingForAnEstimatedWindowHoldTheEstimateToAccount() throws {
        let (f, _) = try fixture()
        let before = try check(f, "w", EstimationData.predictions(prefix: "w", rows: 1000, seed: 51))
        #expect(before.result?["estimate"]?["status"] == "estimated")
        #expect(before.result?["estimate"]?["realized"] == .null || before.result?["estimate"]?["realized"] == nil)
        // The labels of the same predictions arrive: the window now has both.
        let path = f.root + "/data/w-labels.csv"
        try writeFile(path, Data(EstimationData.labels(prefix: "w", rows: 1000, seed: 51).utf8))
        let labelled = try f.run("kind: log-ground-truth\nmodel: xray\nparams:\n  file: \(path)\n")
        #expect(labelled.status == .succeeded, "\(labelled.error?.message ?? "")")
        let after = try f.run("kind: monitor-model\nmodel: xray\n")
        let estimate = try #require(after.result?["estimate"])
        #expect(estimate["status"] == "labelled", "\(estimate)")
        let estimated = try #require(estimate["estimated"]?.doubleValue)
        let realized = try #require(estimate["realized"]?.doubleValue)
        #expect(abs(estimated - realized) < 0.05, "estimated \(estimated), realized \(realized)")
        #expect(after.result?["decay"]?["current"]?.doubleValue == realized)

        let history = try f.run("kind: monitoring-history\nmodel: xray\n")
        guard case .array(let checks)? = history.result?["checks"], let last = checks.last, let first = checks.first
        else {
            Issue.record("no checks")
            return
        }
        #expect(first["estimate"]?["status"] == "estimated")
        #expect(first["estimate"]?["absolute_error"] == nil)
        #expect(last["estimate"]?["realized"]?.doubleValue == realized)
        let error = try #require(last["estimate"]?["absolute_error"]?.doubleValue)
        #expect(abs(error - abs(estimated - realized)) < 1e-12)
        let withBoth = checks.compactMap { $0["estimate"]?["absolute_error"]?.doubleValue }
        let running = try #require(last["estimate"]?["running_absolute_error"]?.doubleValue)
        #expect(abs(running - withBoth.reduce(0, +) / Double(withBoth.count)) < 1e-12)
    }

    @Test func throughTheRealDaemonHardCasesOpenEstimatedDecayAndTheLabelsConfirmIt() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try h.drop(
            "reg.yaml",
            Jobs.registerModel("xray") + "  policy:\n    " + Self.policy.replacingOccurrences(of: "\n", with: "\n    ")
                + "\n"
        )
        #expect(try h.waitForResult("reg").status == .succeeded)
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("w".utf8))
        let baseline = EstimationData.referenceAccuracy(rows: Self.referenceRows)
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": \#(baseline)}"#.utf8))
        try writeFile(dir + "/reference.csv", Data(EstimationData.reference(rows: Self.referenceRows).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        #expect(try h.waitForResult("cv").status == .succeeded)
        try h.drop("p.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("p").status == .succeeded)
        // Every case near the decision boundary: the model is unsure and truly less accurate.
        var unsure = EstimationData.Traffic()
        unsure.ageSpread = 2
        let predictions = h.root + "/data/unsure.csv"
        try writeFile(
            predictions,
            Data(EstimationData.predictions(prefix: "u", rows: 1000, seed: 61, traffic: unsure).utf8)
        )
        try h.drop("log.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(predictions)\n")
        let logged = try h.waitForResult("log")
        #expect(logged.result?["check"] != nil, "\(logged)")
        let labels = h.root + "/data/unsure-labels.csv"
        try writeFile(labels, Data(EstimationData.labels(prefix: "u", rows: 1000, seed: 61, traffic: unsure).utf8))
        let open = try h.readStore { db in try AlertBook.open(db, model: "xray").map(\.type) }
        #expect(open.contains("estimated_decay"), "\(open)")
        let health = try Ctl.run(["health", "--spool", h.spool, "xray"], stdin: nil, in: h.root, timeout: 60)
        #expect(health.stdout.contains("estimate: estimated — accuracy estimated"), "\(health.stdout)")
        #expect(health.stdout.contains("decayed (estimated)"), "\(health.stdout)")
        #expect(health.stdout.contains("multivariate: "), "\(health.stdout)")
        try h.drop("gt.yaml", "kind: log-ground-truth\nmodel: xray\nparams:\n  file: \(labels)\n")
        #expect(try h.waitForResult("gt").status == .succeeded)
        try h.drop("mon.yaml", "kind: monitor-model\nmodel: xray\n")
        let judged = try h.waitForResult("mon")
        // The labels agree with the estimate: the model did get worse, and decay is now measured.
        #expect(judged.result?["decay"]?["decayed"] == true, "\(String(describing: judged.result?["decay"]))")
        #expect(judged.result?["estimate"]?["status"] == "labelled")
        let estimated = try #require(judged.result?["estimate"]?["estimated"]?.doubleValue)
        let realized = try #require(judged.result?["estimate"]?["realized"]?.doubleValue)
        #expect(abs(estimated - realized) < 0.05, "estimated \(estimated), realized \(realized)")
        let closed = try h.readStore { db in try AlertBook.open(db, model: "xray").map(\.type) }
        #expect(closed.contains("model_decay") && !closed.contains("estimated_decay"), "\(closed)")
        let history = try Ctl.run(["history", "--spool", h.spool, "xray"], stdin: nil, in: h.root, timeout: 60)
        #expect(history.exitCode == 0, "\(history)")
        #expect(history.stdout.contains("accuracy estimated"), "\(history.stdout)")
        #expect(history.stdout.contains("mean |estimated − realized|"), "\(history.stdout)")
    }

    @Test func aMulticlassModelTestsEachClassProbabilityAndEstimatesFromTheLoggedProbabilities() throws {
        let f = try RegistryFixture()
        let register = Jobs.registerModel("xray")
            .replacingOccurrences(of: "binary_classification", with: "multiclass_classification")
            .replacingOccurrences(of: "classes: [normal, pneumonia]", with: "classes: [a, b, c]")
        let registered = try f.run(
            register + "  policy:\n" + Self.policy.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
                + "\n"
        )
        #expect(registered.status == .succeeded, "\(registered.error?.message ?? "")")
        let dir = try f.artifact(
            "v1",
            accuracy: EstimationData.multiclassAccuracy(rows: Self.referenceRows),
            reference: EstimationData.multiclassReference(rows: Self.referenceRows)
        )
        let created = try f.createVersion(artifact: dir)
        #expect(created.status == .succeeded, "\(created.error?.message ?? "")")
        #expect(try f.promote("1.0.0").status == .succeeded)

        func check(_ name: String, _ text: String) throws -> ResultDocument {
            let path = f.root + "/data/" + name + ".jsonl"
            try writeFile(path, Data(text.utf8))
            let logged = try f.run("kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n")
            #expect(logged.status == .succeeded, "\(logged.error?.message ?? "")")
            return try f.run("kind: monitor-model\nmodel: xray\n")
        }
        let plain = try check("plain", EstimationData.multiclassPredictions(prefix: "m", rows: 1000, seed: 71))
        guard case .array(let columns)? = plain.result?["columns"] else {
            Issue.record("no columns")
            return
        }
        let outputs = columns.filter { $0["kind"] == "output" }.compactMap { $0["name"]?.stringValue }
        #expect(outputs == ["probabilities.a", "probabilities.b", "probabilities.c", "prediction"])
        #expect(plain.result?["drifted"] == [])
        let estimate = try #require(plain.result?["estimate"])
        #expect(estimate["status"] == "estimated", "\(estimate)")
        let baseline = EstimationData.multiclassAccuracy(rows: Self.referenceRows)
        let value = try #require(estimate["estimated"]?.doubleValue)
        #expect(abs(value - baseline) < 0.03, "estimated \(value) against baseline \(baseline)")

        let hard = try check(
            "hard",
            EstimationData.multiclassPredictions(prefix: "h", rows: 1000, seed: 72, ageSpread: 2)
        )
        #expect(hard.result?["estimate"]?["decayed"] == true, "\(String(describing: hard.result?["estimate"]))")
        let open = try f.store.read { db in try AlertBook.open(db, model: "xray").map(\.type) }
        #expect(open.contains("estimated_decay"), "\(open)")
    }

    @Test func aCorrelationFlipOpensMultivariateDriftWhileNoColumnDrifts() throws {
        let (f, _) = try fixture()
        let calm = try check(f, "calm", EstimationData.predictions(prefix: "c", rows: 1000, seed: 31))
        #expect(calm.result?["multivariate"]?["judged"] == true, "\(String(describing: calm.result?["multivariate"]))")
        #expect(calm.result?["multivariate"]?["drift"] == false)
        #expect(calm.result?["multivariate"]?["components"] == 1)
        var flipped = EstimationData.Traffic()
        flipped.correlation = -0.8
        let result = try check(
            f,
            "flip",
            EstimationData.predictions(prefix: "f", rows: 1000, seed: 32, traffic: flipped)
        )
        let multivariate = try #require(result.result?["multivariate"])
        #expect(multivariate["drift"] == true, "\(multivariate)")
        #expect(multivariate["result"]?["error"]?.doubleValue != nil)
        #expect(result.result?["drifted"] == [], "no single column drifts")
        let open = try openAlerts(f)
        #expect(open.contains("multivariate_drift"), "\(open)")
        #expect(!open.contains("data_drift"), "\(open)")
        guard case .array(let contributions)? = result.result?["health"]?["contributions"] else {
            Issue.record("no contributions")
            return
        }
        let part = contributions.first { $0["signal"] == "multivariate" }
        #expect(part?["penalty"]?.doubleValue == HealthScore.multivariateWeight, "\(String(describing: part))")
        // The correlation back: the alert resolves.
        _ = try check(f, "back", EstimationData.predictions(prefix: "b", rows: 1000, seed: 33))
        #expect(!(try openAlerts(f)).contains("multivariate_drift"))
    }

    @Test func aVersionWithoutReferenceOutputsSaysItHasNoEstimate() throws {
        let (f, created) = try fixture(outputs: false)
        let note = try #require(created.result?["reference_outputs"]?.stringValue)
        #expect(note.contains("no model outputs"), "\(note)")
        let result = try check(f, "plain", EstimationData.predictions(prefix: "n", rows: 1000, seed: 41))
        let estimate = try #require(result.result?["estimate"])
        #expect(estimate["status"] == "unavailable")
        #expect(estimate["explanation"]?.stringValue?.contains("no model outputs") == true, "\(estimate)")
        guard case .array(let columns)? = result.result?["columns"] else {
            Issue.record("no columns")
            return
        }
        #expect(!columns.contains { $0["kind"] == "output" })
    }

    @Test func aPipelineBuiltVersionCarriesItsOutputsOnTheHeldOutRows() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        try h.drop(
            "run1.yaml",
            "id: run1\nkind: run-pipeline\nmodel: chest-xray\nparams:\n  data: \(h.root)/data/train.csv\n"
        )
        let doc = try h.waitForResult("run1", timeout: 240)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        guard case .array(let stages)? = doc.result?["stages"],
            let test = stages.first(where: { $0["stage"] == "test_model" })
        else {
            Issue.record("no test_model stage")
            return
        }
        let written = test["report"]?["reference_outputs"]?.stringValue ?? ""
        #expect(written.hasPrefix("reference_outputs.csv: the model's outputs on the"), "\(written)")
        let sha = try #require(
            try h.readStore { db in
                try String.fetchOne(
                    db,
                    sql: "SELECT artifact_sha256 FROM versions WHERE model = 'chest-xray' AND state = 'production'"
                )
            }
        )
        let text = try String(
            contentsOfFile: h.root + "/state/artifacts/\(sha)/reference_outputs.csv",
            encoding: .utf8
        )
        let table = try CSVTable.parse(text)
        #expect(table.header == ["finding", "prediction", "score"])
        #expect(table.rows.count > 100)
        #expect(table.rows.allSatisfy { ["normal", "pneumonia"].contains($0[1]) && (Double($0[2]) ?? -1) >= 0 })
        // The version's checks now look for an estimate (the window is empty so far).
        try h.drop("mon.yaml", "id: mon\nkind: monitor-model\nmodel: chest-xray\n")
        let check = try h.waitForResult("mon")
        let explanation = check.result?["estimate"]?["explanation"]?.stringValue ?? ""
        #expect(explanation.contains("min_samples"), "\(explanation)")
    }

    @Test func referenceOutputsOutsideTheModelsClassesAreRefusedWithLineAndField() throws {
        let f = try RegistryFixture()
        try f.register(policy: Self.policy)
        var csv = EstimationData.reference(rows: 50)
        csv = csv.replacingOccurrences(of: ",pneumonia,", with: ",pneumonai,", options: [], range: nil)
        let dir = try f.artifact("bad", reference: csv)
        let created = try f.createVersion(artifact: dir)
        #expect(created.status == .rejected)
        let message = created.error?.message ?? ""
        #expect(message.contains("reference.csv line"), "\(message)")
        #expect(
            message.contains("field 5: `prediction` is `pneumonai`, not one of the classes (normal, pneumonia)"),
            "\(message)"
        )

        let partial = try f.artifact(
            "partial",
            reference: "age,scanner_kv,scanner_model,age_band,prediction\n50,110,S0,b0,normal\n"
        )
        let refused = try f.createVersion(artifact: partial)
        #expect(refused.status == .rejected)
        #expect(refused.error?.message.contains("lacks `score`") == true, "\(refused.error?.message ?? "")")
    }
}
