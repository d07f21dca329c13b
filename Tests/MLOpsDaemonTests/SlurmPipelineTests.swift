import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Pipeline stages as batch jobs on a real one-node Slurm cluster (munged, slurmctld and
/// slurmd started by `scripts/slurm/cluster.sh`), driven through the real daemon
/// (docs/slurm.md). Skipped with a message when Slurm is not installed, except in CI
/// (`MLOPSD_REQUIRE_SLURM=1`).
@Suite(.serialized) struct SlurmPipelineTests {
    /// A pipeline whose train stage runs `argv` on Slurm.
    static func slurmPipeline(
        _ argv: [String],
        slurm: String = "{}",
        environment: String = "{}",
        parameters: String = "",
        executor: String = "slurm"
    ) -> String {
        """
        parameters:
          data: {type: path, required: true}
        \(parameters)
        stages:
          collect_data: {copy: data, holdout_share: 0.2}
          train:
            argv: [\(argv.map(PipelineDaemonTests.yamlString).joined(separator: ", "))]
            executor: \(executor)
            timeout: 600
            environment: \(environment)
        \(executor == "slurm" ? "    slurm: \(slurm)" : "")

        """
    }

    static var trainer: String { DaemonHarness.binDirectory + "/mlops-train" }

    /// A daemon on `cluster` with `pipelines`; nil when there is no cluster.
    static func harness(
        _ cluster: SlurmCluster,
        _ pipelines: [String: String],
        config: String = "",
        name: String = #function
    ) throws -> DaemonHarness {
        try PipelineDaemonTests.harness(
            pipelines,
            config: "slurm_conf: \(cluster.conf)\nslurm_poll_max: 1\n" + config,
            name: name
        )
    }

    func run(_ h: DaemonHarness, id: String, pipeline: String, extra: String = "") throws {
        try h.drop(
            "\(id).yaml",
            "kind: run-pipeline\nmodel: chest-xray\nid: \(id)\nparams:\n  pipeline: \(pipeline)\n  data: \(h.root)/data/train.csv\n"
                + extra
        )
    }

    func stage(_ doc: ResultDocument, _ name: PipelineStage) -> JSONValue? {
        guard case .array(let stages)? = doc.result?["stages"] else { return nil }
        return stages.first { $0["stage"]?.stringValue == name.rawValue }
    }

    /// Waits until the run's train stage has a Slurm job that is RUNNING; its run and job id.
    func waitForRunningJob(
        _ h: DaemonHarness,
        _ cluster: SlurmCluster,
        job: String
    ) throws -> (run: String, slurmJob: String) {
        let run = try PipelineDaemonTests().waitForStage(h, job: job, .train)
        var id = ""
        try waitUntil(timeout: 60, "Slurm job of run \(run) to be RUNNING") {
            guard let found = try? cluster.jobs(named: "mlopsd-\(run)-train").last else { return false }
            id = found
            return (try? cluster.job(found)["JobState"]) == "RUNNING"
        }
        return (run, id)
    }

    @Test func aTrainStageOnSlurmProducesAProductionVersion() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            [
                "onslurm": Self.slurmPipeline([Self.trainer]),
                "onhost": Self.slurmPipeline([Self.trainer], executor: "local"),
            ]
        )
        defer { h.cleanUp() }
        try run(h, id: "slurm1", pipeline: "onslurm")
        let doc = try h.waitForResult("slurm1", timeout: 180)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let train = try #require(stage(doc, .train))
        let report = try #require(train["report"])
        #expect(report["executor"] == "slurm")
        let jobID = try #require(report["slurm_job_id"]?.stringValue)
        #expect(report["slurm_state"] == "COMPLETED")
        let runID = try #require(doc.result?["run_id"]?.stringValue)
        #expect(report["job_name"]?.stringValue == "mlopsd-\(runID)-train")
        // Slurm ran it: scontrol knows the job by that name, and its output is in the run directory.
        let fields = try cluster.job(jobID)
        #expect(fields["JobName"] == "mlopsd-\(runID)-train")
        #expect(fields["JobState"] == "COMPLETED")
        let stdout = try String(contentsOfFile: h.state + "/runs/\(runID)/train/stdout.log", encoding: .utf8)
        #expect(stdout.contains("mlops-train: logistic regression"))
        let version = try #require(doc.result?["version"]?.stringValue)
        let production = try h.readStore { db in
            try String.fetchOne(
                db,
                sql: "SELECT version FROM versions WHERE model = 'chest-xray' AND state = 'production'"
            )
        }
        #expect(production == version)
        let recorded = try h.readStore { db in
            try Row.fetchAll(
                db,
                sql: "SELECT job_id, state, exit_code, ended_at FROM pipeline_slurm_jobs WHERE run_id = ?",
                arguments: [runID]
            )
        }
        #expect(recorded.count == 1)
        #expect(recorded.first?["job_id"] == jobID)
        #expect(recorded.first?["state"] == "COMPLETED")
        // mlopsctl run names the Slurm job in the train stage's line.
        let shown = try Ctl.run(["run", "--spool", h.spool, runID], in: h.root)
        let trainLine = shown.stdout.split(separator: "\n").first { $0.contains(" train ") } ?? ""
        #expect(trainLine.contains("slurm job \(jobID) COMPLETED"), "\(shown.stdout)")

        // The same stage as a local child, for the overhead figure.
        try run(h, id: "local1", pipeline: "onhost")
        let local = try h.waitForResult("local1", timeout: 180)
        #expect(local.status == .succeeded, "\(local.error?.message ?? "")")
        let slurmSeconds = stageSeconds(train)
        let localSeconds = stage(local, .train).map(stageSeconds) ?? .nan
        print(
            String(
                format:
                    "slurm: train stage %.2f s on Slurm (queued %.2f s before it started) vs %.2f s as a local child: overhead %.2f s",
                slurmSeconds,
                report["queued_seconds"]?.doubleValue ?? .nan,
                localSeconds,
                slurmSeconds - localSeconds
            )
        )
    }

    func stageSeconds(_ stage: JSONValue) -> Double {
        guard let start = stage["started_at"]?.stringValue.flatMap(Timestamp.parse),
            let end = stage["finished_at"]?.stringValue.flatMap(Timestamp.parse)
        else { return .nan }
        return end.timeIntervalSince(start)
    }

    @Test func aStageExiting3FailsWithCode3() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            ["fails": Self.slurmPipeline(["/bin/sh", "-c", "echo 'trainer: out of memory' >&2; exit 3"])]
        )
        defer { h.cleanUp() }
        try run(h, id: "bad", pipeline: "fails")
        let doc = try h.waitForResult("bad", timeout: 120)
        #expect(doc.status == .failed)
        #expect(doc.error?.code == "stage_failed")
        #expect(doc.error?.message.contains("exited with code 3") == true, "\(doc.error?.message ?? "")")
        #expect(doc.error?.message.contains("trainer: out of memory") == true, "\(doc.error?.message ?? "")")
        let train = try #require(stage(doc, .train))
        #expect(train["outcome"] == "failed")
        #expect(train["exit_code"] == 3)
        #expect(train["report"]?["slurm_state"] == "FAILED")
        #expect(train["report"]?["slurm_exit_code"] == "3:0")
        let alert = try h.readStore { db in
            try String.fetchOne(
                db,
                sql:
                    "SELECT message FROM alerts WHERE model = 'chest-xray' AND type = 'pipeline_failed' AND resolved_at IS NULL"
            )
        }
        #expect(alert?.contains("exited with code 3") == true)
    }

    @Test func cancelPipelineEndsTheSlurmJobCancelled() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(cluster, ["long": Self.slurmPipeline(["/bin/sleep", "300"])])
        defer { h.cleanUp() }
        try run(h, id: "long1", pipeline: "long")
        let (_, jobID) = try waitForRunningJob(h, cluster, job: "long1")
        try h.drop("cancel.yaml", "kind: cancel-pipeline\nmodel: chest-xray\n")
        #expect(try h.waitForResult("cancel").status == .succeeded)
        let doc = try h.waitForResult("long1", timeout: 60)
        #expect(doc.status == .failed)
        #expect(doc.error?.code == "cancelled")
        #expect(stage(doc, .train)?["outcome"] == "cancelled")
        #expect(try cluster.job(jobID)["JobState"] == "CANCELLED")
    }

    @Test func aStageOverItsTimeLimitEndsTimedOut() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            ["slow": Self.slurmPipeline(["/bin/sleep", "600"], slurm: "{time_limit: 1, partition: short}")]
        )
        defer { h.cleanUp() }
        try run(h, id: "slow1", pipeline: "slow")
        let doc = try h.waitForResult("slow1", timeout: 240)
        #expect(doc.status == .failed)
        let train = try #require(stage(doc, .train))
        #expect(train["outcome"] == "timed_out")
        #expect(train["report"]?["slurm_state"] == "TIMEOUT")
        #expect(doc.error?.message.contains("time limit") == true, "\(doc.error?.message ?? "")")
    }

    @Test func killNineAndSigtermDuringASlurmStageReattachAndTheRunCompletes() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let slow = Self.slurmPipeline(["/bin/sh", "-c", "sleep 12; exec \"$0\"", Self.trainer])
        let h = try Self.harness(cluster, ["slow": slow])
        defer { h.cleanUp() }

        // kill -9: nothing tells the job; the restarted daemon finds it in the store.
        try run(h, id: "k9", pipeline: "slow")
        let (run, jobID) = try waitForRunningJob(h, cluster, job: "k9")
        let trainStart = try trainStartedAt(h, run: run)
        try h.kill9()
        #expect(try cluster.job(jobID)["JobState"] == "RUNNING", "the job outlives the daemon")
        try h.start()
        let doc = try h.waitForResult("k9", timeout: 180)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        #expect(stage(doc, .train)?["report"]?["slurm_job_id"]?.stringValue == jobID)
        #expect(try cluster.jobs(named: "mlopsd-\(run)-train") == [jobID], "submitted once")
        #expect(doc.result?["version"]?.stringValue != nil)
        #expect(try trainStartedAt(h, run: run) == trainStart, "the re-attached stage keeps its first start")

        // SIGTERM (systemctl stop): the daemon detaches, the job runs on, the next start re-attaches.
        try self.run(h, id: "term", pipeline: "slow")
        let (run2, job2) = try waitForRunningJob(h, cluster, job: "term")
        #expect(try h.stop() == 0)
        #expect(try cluster.job(job2)["JobState"] == "RUNNING", "detached, not cancelled")
        let state = try h.readStore { db in
            try String.fetchOne(db, sql: "SELECT state FROM pipeline_runs WHERE id = ?", arguments: [run2])
        }
        #expect(state == "running")
        #expect(h.result("term")?.status == .running)
        try h.start()
        let second = try h.waitForResult("term", timeout: 180)
        #expect(second.status == .succeeded, "\(second.error?.message ?? "")")
        #expect(try cluster.jobs(named: "mlopsd-\(run2)-train") == [job2], "submitted once")
        let versions = try h.readStore { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model = 'chest-xray'")
        }
        #expect(versions == 2)
    }

    /// The train stage's `started_at` in the store.
    func trainStartedAt(_ h: DaemonHarness, run: String) throws -> String? {
        try h.readStore { db in
            try String.fetchOne(
                db,
                sql: "SELECT started_at FROM pipeline_stages WHERE run_id = ? AND stage = 'train'",
                arguments: [run]
            )
        }
    }

    @Test func aJobThatEndedWhileTheDaemonWasDownAndScontrolForgotIsReadFromTheCompletionLog() throws {
        // MinJobAge 2 s: slurmctld forgets an ended job at its next purge pass (every 60 s).
        guard let cluster = try SlurmCluster.start(minJobAge: 2) else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            ["slow": Self.slurmPipeline(["/bin/sh", "-c", "sleep 3; exec \"$0\"", Self.trainer])]
        )
        defer { h.cleanUp() }
        try run(h, id: "forgot", pipeline: "slow")
        let (run, jobID) = try waitForRunningJob(h, cluster, job: "forgot")
        try h.kill9()
        try waitUntil(timeout: 150, "scontrol to forget Slurm job \(jobID)") {
            (try? cluster.command(["scontrol", "-o", "show", "job", jobID]))?.contains("Invalid job id") == true
        }
        let completion = try cluster.command(["sacct", "-c", "-j", jobID, "-P", "-n", "-o", "JobID,State,ExitCode"])
        #expect(completion.contains("\(jobID)|COMPLETED|0:0"), "\(completion)")
        try h.start()
        let doc = try h.waitForResult("forgot", timeout: 120)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let report = stage(doc, .train)?["report"]
        #expect(report?["slurm_job_id"]?.stringValue == jobID)
        #expect(report?["slurm_state"] == "COMPLETED")
        #expect(doc.result?["version"]?.stringValue != nil)
        let jobs = try h.readStore { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_slurm_jobs WHERE run_id = ?", arguments: [run])
        }
        #expect(jobs == 1, "followed to its end, not submitted again")
    }

    /// Slurm's own `SubmitTime`, `StartTime` and `EndTime` of job `id` (scontrol prints them
    /// in this process's local time).
    func slurmTimes(_ cluster: SlurmCluster, _ id: String) throws -> (submit: Date, start: Date, end: Date) {
        let fields = try cluster.job(id)
        func time(_ key: String) throws -> Date {
            try #require(
                fields[key].flatMap { SlurmJobStatus.parseTime($0, timeZone: .current) },
                "\(key) of Slurm job \(id): \(fields[key] ?? "missing")"
            )
        }
        return (try time("SubmitTime"), try time("StartTime"), try time("EndTime"))
    }

    /// `value` (a report's timestamp) is `expected` to the millisecond.
    func same(_ value: JSONValue?, _ expected: Date) -> Bool {
        guard let date = value?.stringValue.flatMap(Timestamp.parse) else { return false }
        return abs(date.timeIntervalSince(expected)) < 0.001
    }

    @Test func aJobThatRanWhollyWhileTheDaemonWasDownReportsSlurmsOwnTimes() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            ["short": Self.slurmPipeline(["/bin/sh", "-c", "sleep 2; exec \"$0\"", Self.trainer])]
        )
        defer { h.cleanUp() }
        // The node drained: the job waits in the queue, so the daemon cannot see it start.
        let node = try #require(
            SlurmJobStatus.scontrolFields(try cluster.command(["scontrol", "-o", "show", "nodes"]))["NodeName"]
        )
        try cluster.command(["scontrol", "update", "NodeName=\(node)", "State=DRAIN", "Reason=mlopsd-test"])
        try run(h, id: "away", pipeline: "short")
        let run = try PipelineDaemonTests().waitForStage(h, job: "away", .train)
        var jobID = ""
        try waitUntil(timeout: 60, "the Slurm job of run \(run) to be submitted") {
            guard let found = try? cluster.jobs(named: "mlopsd-\(run)-train").last else { return false }
            jobID = found
            return true
        }
        try h.kill9()
        #expect(try cluster.job(jobID)["JobState"] == "PENDING")
        try cluster.command(["scontrol", "update", "NodeName=\(node)", "State=RESUME"])
        try waitUntil(timeout: 120, "Slurm job \(jobID) to complete") {
            (try? cluster.job(jobID)["JobState"]) == "COMPLETED"
        }
        let slurm = try slurmTimes(cluster, jobID)
        // The restart comes whole seconds after the job's end, so the daemon's clock would show.
        try waitUntil(timeout: 10, "2 s past the job's end") { Date() > slurm.end.addingTimeInterval(2) }
        try h.start()
        let doc = try h.waitForResult("away", timeout: 120)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let report = try #require(stage(doc, .train)?["report"])
        #expect(report["slurm_job_id"]?.stringValue == jobID)
        #expect(same(report["started_at"], slurm.start), "\(report) vs Slurm's \(slurm)")
        #expect(same(report["finished_at"], slurm.end), "\(report) vs Slurm's \(slurm)")
        #expect(same(report["submitted_at"], slurm.submit), "\(report) vs Slurm's \(slurm)")
        let queued = try #require(report["queued_seconds"]?.doubleValue)
        #expect(abs(queued - slurm.start.timeIntervalSince(slurm.submit)) < 0.001, "\(report) vs Slurm's \(slurm)")
    }

    @Test func aShortJobsStartIsSlurmsStartTimeAndNotAfterItsEnd() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(cluster, ["quick": Self.slurmPipeline([Self.trainer])])
        defer { h.cleanUp() }
        try run(h, id: "quick1", pipeline: "quick")
        let doc = try h.waitForResult("quick1", timeout: 120)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        let report = try #require(stage(doc, .train)?["report"])
        let jobID = try #require(report["slurm_job_id"]?.stringValue)
        let slurm = try slurmTimes(cluster, jobID)
        #expect(same(report["started_at"], slurm.start), "\(report) vs Slurm's \(slurm)")
        let started = try #require(report["started_at"]?.stringValue.flatMap(Timestamp.parse), "\(report)")
        let finished = try #require(report["finished_at"]?.stringValue.flatMap(Timestamp.parse), "\(report)")
        #expect(started <= finished, "\(report)")
        #expect(same(report["finished_at"], slurm.end), "\(report) vs Slurm's \(slurm)")
    }

    @Test func aJobRunningPastItsTimeoutAndTheGraceIsCancelledByMlopsd() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        // timeout 3 s → --time=1: Slurm would end the job after a minute; mlopsd's own clock
        // (3 s + slurm_timeout_grace 1 s from the job's start) ends it first.
        let pipeline = Self.slurmPipeline(["/bin/sleep", "300"]).replacingOccurrences(
            of: "timeout: 600",
            with: "timeout: 3"
        )
        let h = try Self.harness(cluster, ["stuck": pipeline], config: "slurm_timeout_grace: 1\n")
        defer { h.cleanUp() }
        try run(h, id: "stuck1", pipeline: "stuck")
        let (_, jobID) = try waitForRunningJob(h, cluster, job: "stuck1")
        let doc = try h.waitForResult("stuck1", timeout: 45)
        #expect(doc.status == .failed)
        let train = try #require(stage(doc, .train))
        #expect(train["outcome"] == "timed_out")
        #expect(train["report"]?["slurm_state"] == "CANCELLED")
        #expect(
            doc.error?.message.contains("mlopsd cancelled Slurm job \(jobID)") == true,
            "\(doc.error?.message ?? "")"
        )
        #expect(stageSeconds(train) < 40)
        #expect(try cluster.job(jobID)["JobState"] == "CANCELLED")
    }

    @Test func aControllerRestartDuringAStageDoesNotEndTheRun() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            ["slow": Self.slurmPipeline(["/bin/sh", "-c", "sleep 8; exec \"$0\"", Self.trainer])]
        )
        defer { h.cleanUp() }
        try run(h, id: "ctld", pipeline: "slow")
        _ = try waitForRunningJob(h, cluster, job: "ctld")
        try cluster.restartController()
        let doc = try h.waitForResult("ctld", timeout: 180)
        #expect(doc.status == .succeeded, "\(doc.error?.message ?? "")")
        #expect(stage(doc, .train)?["report"]?["slurm_state"] == "COMPLETED")
    }

    @Test func quotesDollarParensAndNewlinesArriveUnchangedAndRunNothing() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let canary = "/tmp/mlopsd-slurm-canary-\(UInt32.random(in: 0...UInt32.max))"
        let hostile = "it's \"q\" $(touch \(canary)) `touch \(canary)` ${HOME}\nline2; touch \(canary) #"
        let script =
            #"printf %s "$1" > "$MLOPSD_OUTPUT/arg"; printf %s "$HOSTILE" > "$MLOPSD_OUTPUT/env"; cp "$MLOPSD_PARAMS" "$MLOPSD_OUTPUT/params.json"; exit 3"#
        // A definition's argv holds no control characters; the newline goes through the
        // environment and the job parameter.
        let oneLine = hostile.replacingOccurrences(of: "\n", with: " ")
        let pipeline = Self.slurmPipeline(
            ["/bin/sh", "-c", script, "sh", oneLine],
            environment: "{HOSTILE: \(PipelineDaemonTests.yamlString(hostile))}",
            parameters: "  note: {type: string}"
        )
        let h = try Self.harness(cluster, ["quoting": pipeline])
        defer { h.cleanUp() }
        try run(h, id: "q", pipeline: "quoting", extra: "  note: \(PipelineDaemonTests.yamlString(hostile))\n")
        let doc = try h.waitForResult("q", timeout: 120)
        #expect(doc.status == .failed, "the stage exits 3 on purpose")
        let runID = try #require(doc.result?["run_id"]?.stringValue)
        let output = h.state + "/runs/\(runID)/train/output"
        #expect(try String(contentsOfFile: output + "/arg", encoding: .utf8) == oneLine)
        #expect(try String(contentsOfFile: output + "/env", encoding: .utf8) == hostile)
        let params = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: output + "/params.json"))
        )
        #expect(params["note"]?.stringValue == hostile)
        #expect(access(canary, F_OK) != 0, "a value ran as a command")
    }

    @Test func aMisconfiguredClusterFailsTheStageWithSlurmsMessageAndTheDaemonServesOn() throws {
        guard let cluster = try SlurmCluster.start() else { return }
        defer { cluster.stop() }
        let h = try Self.harness(
            cluster,
            [
                "nopart": Self.slurmPipeline([Self.trainer], slurm: "{partition: nosuchpartition}"),
                "onslurm": Self.slurmPipeline([Self.trainer]),
            ]
        )
        defer { h.cleanUp() }
        try run(h, id: "np", pipeline: "nopart")
        let doc = try h.waitForResult("np", timeout: 120)
        #expect(doc.status == .failed)
        #expect(doc.error?.message.contains("sbatch failed") == true, "\(doc.error?.message ?? "")")
        #expect(
            doc.error?.message.lowercased().contains("partition") == true,
            "Slurm's own message: \(doc.error?.message ?? "")"
        )
        let alert = try h.readStore { db in
            try String.fetchOne(
                db,
                sql:
                    "SELECT message FROM alerts WHERE model = 'chest-xray' AND type = 'pipeline_failed' AND resolved_at IS NULL"
            )
        }
        #expect(alert?.contains("sbatch") == true)
        // The daemon serves on.
        try h.drop("lv.yaml", "kind: list-versions\nmodel: chest-xray\nid: lv\n")
        #expect(try h.waitForResult("lv").status == .succeeded)

        // The controller down: sbatch gives up (after its own retries) and says why.
        try cluster.stopController()
        try run(h, id: "down", pipeline: "onslurm")
        let down = try h.waitForResult("down", timeout: 180)
        #expect(down.status == .failed)
        #expect(down.error?.message.contains("sbatch failed") == true, "\(down.error?.message ?? "")")
        #expect(down.error?.message.contains("controller") == true, "Slurm's own message: \(down.error?.message ?? "")")
        try h.drop("lv2.yaml", "kind: list-versions\nmodel: chest-xray\nid: lv2\n")
        #expect(try h.waitForResult("lv2").status == .succeeded)
    }

    @Test func noSlurmConfFailsTheStageClearly() throws {
        let h = try PipelineDaemonTests.harness(
            ["onslurm": Self.slurmPipeline([Self.trainer])],
            config: "slurm_conf: \"\"\n"
        )
        defer { h.cleanUp() }
        try run(h, id: "nc", pipeline: "onslurm")
        let doc = try h.waitForResult("nc", timeout: 120)
        #expect(doc.status == .failed)
        #expect(doc.error?.message.contains("no Slurm cluster is configured") == true, "\(doc.error?.message ?? "")")
        #expect(doc.error?.fix?.contains("slurm_conf") == true)
        try h.drop("lv.yaml", "kind: list-versions\nmodel: chest-xray\nid: lv\n")
        #expect(try h.waitForResult("lv").status == .succeeded)
    }
}
