import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The pipeline's ab_test stage through the real daemon: the challenger served beside the
/// champion with routing.json, labelled predictions per arm, the decision, and what deploy
/// does with it; a restart in the middle of a test resumes it.
@Suite(.serialized) struct ABTestDaemonTests {
    /// A pipeline like the default one with the A/B stage on: small samples, quick looks.
    static func pipeline(minSamples: Int) throws -> String {
        var text = try String(
            contentsOfFile: PipelineDaemonTests.repository + "/etc/pipelines/default.yaml",
            encoding: .utf8
        )
        text = text.replacingOccurrences(
            of: "  ab_test:\n    enabled: false\n",
            with: """
                  ab_test:
                    enabled: true
                    challenger_share: 0.5
                    min_samples: \(minSamples)
                    alpha: 0.05
                    check_interval: 1

                """
        )
        return text
    }

    /// Writes `n` predictions of `variant` with `correct` of them right into a CSV under
    /// data/, logs them, then logs their labels.
    func log(_ h: DaemonHarness, variant: String, n: Int, correct: Int, tag: String) throws {
        var predictions =
            "id,patient_age,exposure_kvp,view_position,scanner_model,site,age_band,sex,prediction,variant\n"
        var labels = "id,label\n"
        for i in 0..<n {
            let id = "\(tag)-\(variant)-\(i)"
            predictions +=
                "\(id),\(40 + i % 40),\(110 + Double(i % 20)),PA,AcmeRad X1,ward-3,40-64,f,normal,\(variant)\n"
            labels += "\(id),\(i < correct ? "normal" : "pneumonia")\n"
        }
        try writeFile(h.root + "/data/\(tag)-\(variant)-p.csv", Data(predictions.utf8))
        try writeFile(h.root + "/data/\(tag)-\(variant)-l.csv", Data(labels.utf8))
        try h.drop(
            "\(tag)-\(variant)-p.yaml",
            "kind: log-predictions\nmodel: chest-xray\nparams:\n  file: \(h.root)/data/\(tag)-\(variant)-p.csv\n"
        )
        let p = try h.waitForResult("\(tag)-\(variant)-p")
        guard p.status == .succeeded else { throw TestFailure("log-predictions: \(p.error?.message ?? "")") }
        try h.drop(
            "\(tag)-\(variant)-l.yaml",
            "kind: log-ground-truth\nmodel: chest-xray\nparams:\n  file: \(h.root)/data/\(tag)-\(variant)-l.csv\n"
        )
        let l = try h.waitForResult("\(tag)-\(variant)-l")
        guard l.status == .succeeded else { throw TestFailure("log-ground-truth: \(l.error?.message ?? "")") }
    }

    func production(_ h: DaemonHarness) throws -> String? {
        try h.readStore { db in
            try String.fetchOne(
                db,
                sql: "SELECT version FROM versions WHERE model = 'chest-xray' AND state = 'production'"
            )
        }
    }

    /// First run: no champion, the stage is skipped and deploy promotes. Second run: the
    /// challenger serves beside it until the arms decide.
    func startTest(_ h: DaemonHarness, _ pipeline: String, job: String) throws -> String {
        try h.drop(
            "first.yaml",
            "kind: run-pipeline\nmodel: chest-xray\nid: first\nparams:\n  pipeline: \(pipeline)\n  data: \(h.root)/data/train.csv\n"
        )
        let first = try h.waitForResult("first", timeout: 180)
        guard first.status == .succeeded else { throw TestFailure("first run: \(first.error?.message ?? "")") }
        guard case .array(let stages)? = first.result?["stages"],
            stages.first(where: { $0["stage"] == "ab_test" })?["outcome"] == "skipped"
        else { throw TestFailure("ab_test was not skipped without a champion") }
        try h.drop(
            "\(job).yaml",
            "kind: run-pipeline\nmodel: chest-xray\nid: \(job)\nparams:\n  pipeline: \(pipeline)\n  data: \(h.root)/data/train.csv\n  l2: 0.01\n"
        )
        _ = try PipelineDaemonTests().waitForStage(h, job: job, .abTest)
        let routing = h.state + "/serving/chest-xray/routing.json"
        try waitUntil(timeout: 60, "routing.json with a challenger") {
            ((try? String(contentsOfFile: routing, encoding: .utf8)) ?? "").contains("\"link\" : \"challenger\"")
        }
        #expect(FileManager.default.fileExists(atPath: h.state + "/serving/chest-xray/challenger"))
        return try #require(first.result?["version"]?.stringValue)
    }

    @Test func aBetterChallengerIsPromotedAfterMinSamplesPerArm() throws {
        let h = try PipelineDaemonTests.harness(["abtest": Self.pipeline(minSamples: 60)])
        defer { h.cleanUp() }
        let champion = try startTest(h, "abtest", job: "second")
        // While it waits, `mlopsctl ab` shows the test in progress.
        try waitUntil(timeout: 30, "mlopsctl ab showing the test in progress") {
            let shown = try Ctl.run(["ab", "chest-xray", "--spool", h.spool], in: h.root)
            return shown.exitCode == 0 && shown.stdout.contains("in progress, decision undecided")
                && shown.stdout.contains("champion   \(champion)")
        }
        try log(h, variant: "champion", n: 60, correct: 36, tag: "a")  // 60%
        try log(h, variant: "challenger", n: 60, correct: 57, tag: "a")  // 95%
        let doc = try h.waitForResult("second", timeout: 60)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let version = try #require(doc.result?["version"]?.stringValue)
        #expect(version != champion)
        #expect(try production(h) == version)
        guard case .array(let stages)? = doc.result?["stages"],
            let ab = stages.first(where: { $0["stage"] == "ab_test" })
        else {
            Issue.record("no ab_test stage")
            return
        }
        #expect(ab["report"]?["decision"] == "promote")
        #expect((ab["report"]?["p_value"]?.doubleValue ?? 1) < 0.05)
        let won = try h.readStore { db in
            try Int.fetchOne(
                db,
                sql: "SELECT ab_test_won FROM versions WHERE model = 'chest-xray' AND version = ?",
                arguments: [version]
            )
        }
        #expect(won == 1)
        // The split is over: all traffic to current, no challenger link.
        let routing = try String(contentsOfFile: h.state + "/serving/chest-xray/routing.json", encoding: .utf8)
        #expect(routing.contains("\"decision\" : \"promote\""))
        let shown = try Ctl.run(["ab", "chest-xray", "--spool", h.spool], in: h.root)
        #expect(shown.stdout.contains("decision promote"), "\(shown)")
        #expect(shown.stdout.contains("57/60 correct (0.9500)"), "\(shown)")
        #expect(!FileManager.default.fileExists(atPath: h.state + "/serving/chest-xray/challenger"))
    }

    /// `routing.json` decoded (the file a model server reads).
    func routing(_ h: DaemonHarness) throws -> JSONValue {
        let data = try Data(contentsOf: URL(fileURLWithPath: h.state + "/serving/chest-xray/routing.json"))
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    @Test func afterAPromotionRoutingJsonNamesThePromotedVersionAsChampionAndARollbackNamesTheRestoredOne() throws {
        let h = try PipelineDaemonTests.harness(["abtest": Self.pipeline(minSamples: 40)])
        defer { h.cleanUp() }
        let champion = try startTest(h, "abtest", job: "second")
        try log(h, variant: "champion", n: 40, correct: 20, tag: "p")
        try log(h, variant: "challenger", n: 40, correct: 39, tag: "p")
        let doc = try h.waitForResult("second", timeout: 60)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let promoted = try #require(doc.result?["version"]?.stringValue)
        #expect(promoted != champion)
        #expect(try production(h) == promoted)
        // A server labels a prediction with the champion's version: that is now `current`.
        let after = try routing(h)
        #expect(after["champion"]?["version"]?.stringValue == promoted, "\(after)")
        #expect(after["champion"]?["link"] == "current")
        #expect(after["champion"]?["share"]?.doubleValue == 1.0)
        #expect(after["challenger"] == .null)
        #expect(after["decision"] == "promote")
        // routing.json follows `current`, whatever switches it: a rollback names the old champion again.
        try h.drop("back.yaml", "kind: rollback\nmodel: chest-xray\nreason: test\n")
        #expect(try h.waitForResult("back").status == .succeeded)
        let rolledBack = try routing(h)
        #expect(rolledBack["champion"]?["version"]?.stringValue == champion, "\(rolledBack)")
        #expect(rolledBack["challenger"] == .null)
    }

    @Test func equalArmsKeepTheChampionInProductionAndInRoutingJsonAndTheCandidateStaysInStaging() throws {
        let h = try PipelineDaemonTests.harness(["abtest": Self.pipeline(minSamples: 50)])
        defer { h.cleanUp() }
        let champion = try startTest(h, "abtest", job: "second")
        try log(h, variant: "champion", n: 50, correct: 40, tag: "e")
        try log(h, variant: "challenger", n: 50, correct: 40, tag: "e")
        let doc = try h.waitForResult("second", timeout: 60)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        #expect(try production(h) == champion)
        guard case .array(let stages)? = doc.result?["stages"] else { return }
        #expect(stages.first(where: { $0["stage"] == "ab_test" })?["report"]?["decision"] == "keep_champion")
        #expect(stages.first(where: { $0["stage"] == "deploy" })?["outcome"] == "skipped")
        let state = try h.readStore { db in
            try String.fetchOne(
                db,
                sql: "SELECT state FROM versions WHERE model = 'chest-xray' AND version != ? ORDER BY sequence DESC",
                arguments: [champion]
            )
        }
        #expect(state == "staging")
        // routing.json still names the champion, and no challenger.
        let kept = try routing(h)
        #expect(kept["champion"]?["version"]?.stringValue == champion, "\(kept)")
        #expect(kept["challenger"] == .null)
        #expect(kept["decision"] == "keep_champion")
    }

    @Test func aRestartDuringATestResumesItInsteadOfLosingIt() throws {
        let h = try PipelineDaemonTests.harness(["abtest": Self.pipeline(minSamples: 40)])
        defer { h.cleanUp() }
        _ = try startTest(h, "abtest", job: "second")
        #expect(try h.stop() == 0)
        #expect(h.result("second")?.status == .running)
        try h.start()
        try log(h, variant: "champion", n: 40, correct: 20, tag: "r")
        try log(h, variant: "challenger", n: 40, correct: 39, tag: "r")
        let doc = try h.waitForResult("second", timeout: 60)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        guard case .array(let stages)? = doc.result?["stages"] else { return }
        #expect(stages.first(where: { $0["stage"] == "ab_test" })?["report"]?["decision"] == "promote")
    }
}
