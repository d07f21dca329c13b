import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Pipelines through the real daemon: real stage children (the real `mlops-train`, shell
/// scripts that fail, hang or ignore SIGTERM), real process groups, kill -9 and restart.
@Suite(.serialized) struct PipelineDaemonTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A daemon whose pipelines_dir holds the shipped default pipeline plus `extra`
    /// definitions (name → YAML), with the demo model registered and its data under data/.
    static func harness(
        _ extra: [String: String] = [:],
        config: String = "",
        name: String = #function
    ) throws -> DaemonHarness {
        let h = try DaemonHarness(name: name)
        let pipelines = h.root + "/pipelines"
        try FileManager.default.createDirectory(atPath: pipelines, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: h.root + "/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: repository + "/etc/pipelines/default.yaml",
            toPath: pipelines + "/default.yaml"
        )
        try FileManager.default.copyItem(
            atPath: repository + "/examples/demo-data/chest-xray-train.csv",
            toPath: h.root + "/data/train.csv"
        )
        for (name, text) in extra { try writeFile(pipelines + "/\(name).yaml", Data(text.utf8)) }
        try h.writeConfig("pipelines_dir: \(pipelines)\nstop_grace: 2\n" + config)
        try h.start()
        let register = try String(contentsOfFile: repository + "/examples/register-chest-xray.yaml", encoding: .utf8)
        try h.drop("reg.yaml", register.replacingOccurrences(of: "id: register-chest-xray", with: "id: reg"))
        let result = try h.waitForResult("reg")
        guard result.status == .succeeded else { throw TestFailure("register: \(result.error?.message ?? "")") }
        return h
    }

    /// A pipeline whose train stage runs `script` with /bin/sh (the test's choice of
    /// program; the daemon itself never adds a shell).
    static func scripted(_ script: String, timeout: Double = 600) -> String {
        """
        parameters:
          data: {type: path, required: true}
        stages:
          collect_data: {copy: data, holdout_share: 0.2}
          train:
            argv: [/bin/sh, -c, \(yamlString(script))]
            timeout: \(timeout)

        """
    }

    static func yamlString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data(), as: UTF8.self)
    }

    func run(_ h: DaemonHarness, id: String, pipeline: String = "default") throws {
        try h.drop(
            "\(id).yaml",
            "kind: run-pipeline\nmodel: chest-xray\nid: \(id)\nparams:\n  pipeline: \(pipeline)\n  data: \(h.root)/data/train.csv\n"
        )
    }

    /// Waits until the run's running result names `stage`.
    func waitForStage(_ h: DaemonHarness, job: String, _ stage: PipelineStage) throws -> String {
        var runID = ""
        try waitUntil(timeout: 60, "run of \(job) reaching \(stage.rawValue)") {
            guard let doc = h.result(job), doc.status == .running, let r = doc.result else { return false }
            runID = r["run_id"]?.stringValue ?? ""
            return r["stage"]?.stringValue == stage.rawValue
        }
        return runID
    }

    /// Pids of live processes whose environment carries MLOPSD_RUN_ID=`run`.
    static func processes(ofRun run: String) -> [Int32] {
        let marker = Array("MLOPSD_RUN_ID=\(run)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z"
            {
                return false
            }
            return environ.split(separator: 0).contains { Array($0) == marker }
        }
    }

    func stageOutcomes(_ doc: ResultDocument) -> [String: String] {
        guard case .array(let stages)? = doc.result?["stages"] else { return [:] }
        var map: [String: String] = [:]
        for s in stages { map[s["stage"]?.stringValue ?? ""] = s["outcome"]?.stringValue }
        return map
    }

    @Test func aFullRunOnTheDemoDataDeploysAMonitoredProductionVersion() throws {
        let h = try Self.harness()
        defer { h.cleanUp() }
        try run(h, id: "run1")
        let doc = try h.waitForResult("run1", timeout: 180)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let result = try #require(doc.result)
        #expect(result["state"] == "succeeded")
        let version = try #require(result["version"]?.stringValue)
        let outcomes = stageOutcomes(doc)
        for stage in PipelineStage.allCases where stage != .abTest {
            #expect(outcomes[stage.rawValue] == "succeeded", "\(stage.rawValue): \(outcomes)")
        }
        #expect(outcomes["ab_test"] == "skipped")
        // The store, the serving link and the lineage agree.
        let (production, lineageRun) = try h.readStore { db in
            (
                try String.fetchOne(
                    db,
                    sql: "SELECT version FROM versions WHERE model = 'chest-xray' AND state = 'production'"
                ),
                try String.fetchOne(
                    db,
                    sql: "SELECT run_id FROM versions WHERE model = 'chest-xray' AND version = ?",
                    arguments: [version]
                )
            )
        }
        #expect(production == version)
        #expect(lineageRun == result["run_id"]?.stringValue)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: h.state + "/serving/chest-xray/current")
        #expect(link.contains("artifacts/"))
        // The trainer's output was captured, the job file moved to done/.
        let runID = try #require(result["run_id"]?.stringValue)
        let stdout = try String(contentsOfFile: h.state + "/runs/\(runID)/train/stdout.log", encoding: .utf8)
        #expect(stdout.contains("mlops-train: logistic regression"))
        #expect(h.names(in: "done").contains("run1.yaml"))
        #expect(h.names(in: "active").isEmpty)
        // A second run (a new version) works too and the history lists both.
        try self.run(h, id: "run2")
        let second = try h.waitForResult("run2", timeout: 180)
        #expect(second.status == .succeeded, "\(second.error?.message ?? "")")
        try h.drop("hist.yaml", "kind: pipeline-history\nmodel: chest-xray\n")
        let history = try h.waitForResult("hist")
        #expect(history.result?["count"] == 2)
    }

    @Test func aFailingStageEndsTheRunWithThatStagesErrorAndAnAlert() throws {
        let h = try Self.harness(["broken": Self.scripted("echo 'trainer: out of memory' >&2; exit 3")])
        defer { h.cleanUp() }
        try run(h, id: "bad", pipeline: "broken")
        let doc = try h.waitForResult("bad", timeout: 60)
        #expect(doc.status == .failed)
        #expect(doc.error?.code == "stage_failed")
        #expect(doc.error?.message.contains("train") == true)
        let outcomes = stageOutcomes(doc)
        #expect(outcomes["collect_data"] == "succeeded")
        #expect(outcomes["train"] == "failed")
        #expect(outcomes["deploy"] == "skipped" && outcomes["monitor"] == "skipped")
        guard case .array(let stages)? = doc.result?["stages"],
            let train = stages.first(where: { $0["stage"] == "train" })
        else {
            Issue.record("no train stage")
            return
        }
        #expect(train["exit_code"] == 3)
        let run = try #require(doc.result?["run_id"]?.stringValue)
        let stderr = try String(contentsOfFile: h.state + "/runs/\(run)/train/stderr.log", encoding: .utf8)
        #expect(stderr.contains("out of memory"))
        let alerts = try h.readStore { db in
            try String.fetchAll(db, sql: "SELECT type FROM alerts WHERE model = 'chest-xray' AND resolved_at IS NULL")
        }
        #expect(alerts.contains("pipeline_failed"))
        #expect(h.names(in: "failed").contains("bad.yaml"))
        // The metrics file counts the run once it ended.
        try waitUntil(timeout: 15, "mlopsd_pipeline_runs_total{state=\"failed\"} 1 in the metrics file") {
            let text = (try? String(contentsOfFile: h.root + "/mlopsd.prom", encoding: .utf8)) ?? ""
            return text.contains("mlopsd_pipeline_runs_total{state=\"failed\"} 1")
                && text.contains("mlopsd_pipeline_last_run_duration_seconds{model=\"chest-xray\",state=\"failed\"}")
        }
    }

    @Test func aTrainerOverItsTimeoutLeavesNoProcessBehind() throws {
        let h = try Self.harness(["slow": Self.scripted("sleep 1000 & sleep 1000 & wait", timeout: 1)])
        defer { h.cleanUp() }
        try run(h, id: "slow1", pipeline: "slow")
        let doc = try h.waitForResult("slow1", timeout: 60)
        #expect(doc.status == .failed)
        #expect(stageOutcomes(doc)["train"] == "timed_out")
        let run = try #require(doc.result?["run_id"]?.stringValue)
        try waitUntil(timeout: 10, "no process of run \(run)") { Self.processes(ofRun: run).isEmpty }
    }

    @Test func cancellingARunningRunStopsItsChildrenAndEndsItCancelled() throws {
        let h = try Self.harness(["hang": Self.scripted("trap '' TERM; sleep 1000 & sleep 1000 & wait; sleep 1000")])
        defer { h.cleanUp() }
        try run(h, id: "hang1", pipeline: "hang")
        let run = try waitForStage(h, job: "hang1", .train)
        try waitUntil(timeout: 10, "the trainer's processes") { Self.processes(ofRun: run).count >= 2 }
        try h.drop("cancel.yaml", "kind: cancel-pipeline\nmodel: chest-xray\n")
        #expect(try h.waitForResult("cancel").status == .succeeded)
        let doc = try h.waitForResult("hang1", timeout: 30)
        #expect(doc.status == .failed)
        #expect(doc.error?.code == "cancelled")
        #expect(stageOutcomes(doc)["train"] == "cancelled")
        try waitUntil(timeout: 10, "no process of run \(run)") { Self.processes(ofRun: run).isEmpty }
        // The model is free for a new run.
        try self.run(h, id: "after")
        #expect(try h.waitForResult("after", timeout: 180).status == .succeeded)
    }

    /// Runs pipeline `hang` as job `id`, waits until its train stage's processes run, then
    /// kills the daemon with SIGKILL; the run's id.
    func killNineDuringTrain(_ h: DaemonHarness, id: String) throws -> String {
        try run(h, id: id, pipeline: "hang")
        let run = try waitForStage(h, job: id, .train)
        try waitUntil(timeout: 10, "the trainer's processes") { Self.processes(ofRun: run).count >= 2 }
        try h.kill9()
        return run
    }

    @Test func killNineDuringTrainThenRestartInterruptsTheRunAndKillsItsChildren() throws {
        let h = try Self.harness(["hang": Self.scripted("sleep 1000 & sleep 1000 & wait")])
        defer { h.cleanUp() }
        let run = try killNineDuringTrain(h, id: "lost")
        // The children outlive the daemon (no systemd here to stop the cgroup)...
        #expect(!Self.processes(ofRun: run).isEmpty)
        try h.start()
        // ...and the restarted daemon kills them and ends the run `interrupted`.
        let doc = try h.waitForResult("lost", timeout: 30)
        #expect(doc.status == .failed)
        #expect(doc.error?.code == "interrupted")
        #expect(stageOutcomes(doc)["train"] == "interrupted")
        try waitUntil(timeout: 10, "no process of run \(run)") { Self.processes(ofRun: run).isEmpty }
        #expect(h.names(in: "failed").contains("lost.yaml"))
        #expect(h.names(in: "active").isEmpty)
        // A new run works.
        try self.run(h, id: "next")
        #expect(try h.waitForResult("next", timeout: 180).status == .succeeded)
    }

    @Test func childTheDeadDaemonNeverRecordedIsKilledByItsRunIdAtRestart() throws {
        let h = try Self.harness(["hang": Self.scripted("sleep 1000 & sleep 1000 & wait")])
        defer { h.cleanUp() }
        let run = try killNineDuringTrain(h, id: "unrecorded")
        // As if the kill had landed between the spawn and the commit of the child's record
        // (found by the torture harness): the store knows the run, not its processes.
        try h.writeStore { db in try db.execute(sql: "DELETE FROM pipeline_children WHERE run_id = ?", arguments: [run])
        }
        #expect(!Self.processes(ofRun: run).isEmpty)
        try h.start()
        let doc = try h.waitForResult("unrecorded", timeout: 30)
        #expect(doc.error?.code == "interrupted")
        // recover() ends them before the engine serves, so they are gone by the result.
        #expect(Self.processes(ofRun: run).isEmpty)
    }

    @Test func sigtermDuringAStageStopsItsChildrenAndMarksTheRunInterrupted() throws {
        let h = try Self.harness(["hang": Self.scripted("trap '' TERM; sleep 1000 & wait; sleep 1000")])
        defer { h.cleanUp() }
        try run(h, id: "stopped", pipeline: "hang")
        let run = try waitForStage(h, job: "stopped", .train)
        try waitUntil(timeout: 10, "the trainer's processes") { !Self.processes(ofRun: run).isEmpty }
        let status = try h.stop()
        #expect(status == 0)
        #expect(Self.processes(ofRun: run).isEmpty)
        let state = try h.readStore { db in
            try String.fetchOne(db, sql: "SELECT state FROM pipeline_runs WHERE id = ?", arguments: [run])
        }
        #expect(state == "interrupted")
        #expect(h.result("stopped")?.error?.code == "interrupted")
    }

    @Test func jobsThatOverstepThePipelineAreRejectedWithLineAndColumn() throws {
        let h = try Self.harness(["hang": Self.scripted("sleep 1000")])
        defer { h.cleanUp() }
        // (id, params, error code, the line it points at: the job's lines 1-4 are kind, model, id, params)
        let cases: [(String, String, String, Int)] = [
            ("cmd", "params:\n  data: \(h.root)/data/train.csv\n  argv: [/bin/sh, -c, id]\n", "command_refused", 6),
            ("undeclared", "params:\n  data: \(h.root)/data/train.csv\n  learning_rat: 0.1\n", "unknown_key", 6),
            ("outside", "params:\n  data: /etc/passwd\n", "invalid_value", 5),
            ("nopipe", "params:\n  pipeline: nope\n  data: \(h.root)/data/train.csv\n", "unknown_pipeline", 5),
            ("wrongtype", "params:\n  data: \(h.root)/data/train.csv\n  l2: lots\n", "invalid_value", 6),
        ]
        for (id, params, code, line) in cases {
            try h.drop("\(id).yaml", "kind: run-pipeline\nmodel: chest-xray\nid: \(id)\n" + params)
            let doc = try h.waitForResult(id)
            #expect(doc.status == .rejected, "\(id)")
            #expect(doc.error?.code == code, "\(id): \(doc.error?.message ?? "")")
            #expect(doc.error?.line == line, "\(id): line \(doc.error?.line ?? 0)")
            #expect((doc.error?.column ?? 0) > 3, "\(id): the column of the value, not \(doc.error?.column ?? 0)")
        }
        // One run per model: a second while the first runs is a conflict.
        try run(h, id: "first", pipeline: "hang")
        _ = try waitForStage(h, job: "first", .train)
        try run(h, id: "second")
        let second = try h.waitForResult("second")
        #expect(second.status == .rejected)
        #expect(second.error?.code == "conflict")
        let runs = try h.readStore { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pipeline_runs") }
        #expect(runs == 1)
    }
    @Test func runsBeyondMaxConcurrentPipelinesWaitInOrder() throws {
        // Three models, one slot: the second and third runs wait, then start in the order
        // they were accepted.
        let h = try Self.harness(["quick": Self.scripted("sleep 1; exit 3")], config: "max_concurrent_pipelines: 1\n")
        defer { h.cleanUp() }
        let register = try String(
            contentsOfFile: Self.repository + "/examples/register-chest-xray.yaml",
            encoding: .utf8
        )
        for site in ["b", "c"] {
            try h.drop(
                "reg-\(site).yaml",
                register.replacingOccurrences(of: "id: register-chest-xray", with: "id: reg-\(site)")
                    .replacingOccurrences(of: "model: chest-xray\n", with: "model: chest-xray-\(site)\n")
            )
            #expect(try h.waitForResult("reg-\(site)").status == .succeeded)
        }
        for (job, model) in [("q1", "chest-xray"), ("q2", "chest-xray-b"), ("q3", "chest-xray-c")] {
            try h.drop(
                "\(job).yaml",
                "kind: run-pipeline\nmodel: \(model)\nid: \(job)\nparams:\n  pipeline: quick\n  data: \(h.root)/data/train.csv\n"
            )
            try waitUntil(timeout: 30, "\(job) accepted") { h.result(job) != nil }
        }
        // While the first runs, the others are queued.
        _ = try waitForStage(h, job: "q1", .train)
        #expect(h.result("q2")?.result?["state"] == "queued")
        #expect(h.result("q3")?.result?["state"] == "queued")
        for job in ["q1", "q2", "q3"] { #expect(try h.waitForResult(job, timeout: 60).status == .failed) }
        let runs = try h.readStore { db in
            try Row.fetchAll(db, sql: "SELECT job_id, started_at, finished_at FROM pipeline_runs ORDER BY started_at")
        }
        #expect(runs.map { $0["job_id"] as String } == ["q1", "q2", "q3"])
        // Never two at once: each started after the previous one finished.
        for i in 1..<runs.count {
            #expect((runs[i]["started_at"] as String) >= (runs[i - 1]["finished_at"] as String))
        }
    }

    @Test func pipelineHistoryLabelsARunPipelineRunByItsJobKindAndARetrainingByItsTriggerAlsoAfterAnUpgrade() throws {
        let h = try Self.harness(["quick": Self.scripted("exit 3")])
        defer { h.cleanUp() }
        let params = "params:\n  pipeline: quick\n  data: \(h.root)/data/train.csv\n"
        try h.drop("plain.yaml", "kind: run-pipeline\nmodel: chest-xray\nid: plain\n" + params)
        let plain = try h.waitForResult("plain", timeout: 60)
        #expect(plain.result?["trigger"] == "run-pipeline", "\(String(describing: plain.result))")
        try h.drop("retrain.yaml", "kind: retraining-trigger\nmodel: chest-xray\nid: retrain\n" + params)
        let retrain = try h.waitForResult("retrain", timeout: 60)
        #expect(retrain.result?["trigger"] == "manual", "\(String(describing: retrain.result))")
        let plainRun = try #require(plain.result?["run_id"]?.stringValue)
        let retrainRun = try #require(retrain.result?["run_id"]?.stringValue)

        /// Run id → trigger, as pipeline-history (job `id`) lists them.
        func triggers(_ id: String) throws -> [String: String] {
            try h.drop("\(id).yaml", "kind: pipeline-history\nmodel: chest-xray\nid: \(id)\n")
            let doc = try h.waitForResult(id)
            guard case .array(let runs)? = doc.result?["runs"] else {
                throw TestFailure("no runs: \(String(describing: doc.result))")
            }
            var map: [String: String] = [:]
            for run in runs { map[run["run_id"]?.stringValue ?? ""] = run["trigger"]?.stringValue }
            return map
        }
        #expect(try triggers("hist1") == [plainRun: "run-pipeline", retrainRun: "manual"])

        // A store from before the label existed called every job-submitted run `manual`:
        // the upgrade relabels the runs that are not retrainings.
        #expect(try h.stop() == 0)
        try h.writeStore { db in
            try db.execute(sql: "UPDATE pipeline_runs SET trigger = 'manual'")
            try db.execute(
                sql: "DELETE FROM grdb_migrations WHERE identifier = ?",
                arguments: ["v8-run-pipeline-trigger"]
            )
        }
        try h.start()
        #expect(try triggers("hist2") == [plainRun: "run-pipeline", retrainRun: "manual"])
    }

    @Test func thePythonTrainerExampleFollowsTheContractEndToEnd() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            print("SKIPPED thePythonTrainerExample: no /usr/bin/python3")
            return
        }
        var text = try String(contentsOfFile: Self.repository + "/examples/pipelines/python.yaml", encoding: .utf8)
        text = text.replacingOccurrences(
            of: "/usr/local/lib/mlopsd/python-trainer.py",
            with: Self.repository + "/examples/pipelines/python-trainer.py"
        )
        .replacingOccurrences(of: "default: 300", with: "default: 40")
        let h = try Self.harness(["python": text])
        defer { h.cleanUp() }
        try run(h, id: "py", pipeline: "python")
        let doc = try h.waitForResult("py", timeout: 300)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let outcomes = stageOutcomes(doc)
        #expect(outcomes["train"] == "succeeded")
        #expect(outcomes["test_model"] == "skipped")  // the built-in evaluation reads mlops-train models only
        #expect(outcomes["deploy"] == "succeeded")
        let production = try h.readStore { db in
            try String.fetchOne(
                db,
                sql: "SELECT version FROM versions WHERE model = 'chest-xray' AND state = 'production'"
            )
        }
        #expect(production == doc.result?["version"]?.stringValue)
    }
}
