import Foundation
import Logging
import MLOpsCore

/// A pipeline stage as a Slurm batch job (docs/slurm.md): the script written into the
/// stage's directory, the job submitted (or, after a daemon restart, re-attached), followed
/// until it ends, and its state and exit code turned into the stage's result.
///
/// The job id is in the store before the daemon waits on it, so a restart finds the job
/// again; a daemon that died between sbatch and recording the id finds it by its name,
/// `mlopsd-<run>-<stage>`. Cancelling the run (`cancel-pipeline`) cancels the job; stopping
/// the daemon detaches from it (or cancels it, with `slurm_on_shutdown: cancel`).
enum SlurmStage {
    /// The first wait between two looks at the job; it doubles up to `slurm_poll_max`.
    static let firstPoll = 0.5
    /// Consecutive failed status queries (the controller restarting) tolerated before the
    /// stage gives up; with the waits between them that is several minutes.
    static let maxQueryFailures = 30

    /// Runs `job` for `stage` of `run` and waits for it to end.
    static func run(
        _ job: SlurmBatchJob,
        run: String,
        stage: PipelineStage,
        model: String,
        config: DaemonConfig,
        service: PipelineService
    ) async -> PipelineRunner.StageResult {
        var context = Context(
            job: job,
            run: run,
            stage: stage,
            config: config,
            service: service,
            metadata: ["run": "\(run)", "stage": "\(stage.rawValue)", "model": "\(model)"]
        )
        let client: SlurmClient
        do {
            client = try SlurmClient.make(config)
        } catch {
            return context.slurmFailure(error, "cannot submit")
        }

        // Attach to the job a dead daemon left, or submit a new one.
        let submission: Submission
        switch await attachOrSubmit(context, client: client) {
        case .proceed(let value): submission = value
        case .finished(let result): return result
        }
        let jobID = submission.jobID
        context.metadata["slurm_job"] = "\(jobID)"
        var submittedMetadata = context.metadata
        submittedMetadata["event"] = LogEvent.slurmJobSubmitted.metadataValue
        let how = submission.attached ? "re-attached to" : "submitted as"
        context.logger.info(
            "stage \(stage.rawValue) of run \(run) \(how) Slurm job \(jobID) (\(job.name))",
            metadata: submittedMetadata
        )

        // Follow it.
        var follower = Follower(context: context, client: client, submission: submission)
        if let early = await follower.follow() { return early }

        // It ended.
        return ended(context, follower)
    }

    /// What the steps of one stage's run share: the job, where it belongs, the service.
    struct Context {
        let job: SlurmBatchJob
        let run: String
        let stage: PipelineStage
        let config: DaemonConfig
        let service: PipelineService
        /// Journal metadata of every line about the stage (the job id added once known).
        var metadata: Logger.Metadata

        var logger: Logger { service.logger }
        var store: Store { service.store }

        /// Logs a Slurm command's failure, ends the stage's job record, and fails the stage.
        func slurmFailure(_ error: SlurmError, _ doing: String) -> PipelineRunner.StageResult {
            var errorMetadata = metadata
            errorMetadata["event"] = LogEvent.slurmError.metadataValue
            logger.error("stage \(stage.rawValue) of run \(run): \(doing): \(error)", metadata: errorMetadata)
            store.writeOrLog("record the Slurm job's end", logger: logger, metadata: metadata) { db in
                try SlurmJobStore.ended(db, run: run, stage: stage, state: nil, exitCode: nil, at: Date())
            }
            return .failed(
                "Slurm: \(error)",
                report: ["executor": "slurm", "job_name": .string(job.name)],
                fix: error.fix
            )
        }
    }

    /// The job a stage follows: its id, when it was submitted and started, and whether it
    /// was found again (a restart) rather than submitted now.
    struct Submission {
        var jobID: String
        var submittedAt: Date
        var startedAt: Date?
        var attached: Bool
    }

    /// A step's answer: go on with a value, or the stage is over with this result.
    enum Step<Value> {
        case proceed(Value)
        case finished(PipelineRunner.StageResult)
    }

    /// Finds the stage's job in the store (or, recorded but without an id, in Slurm by its
    /// name), or writes the batch script and submits it, recording the id.
    static func attachOrSubmit(_ context: Context, client: SlurmClient) async -> Step<Submission> {
        let (run, stage, store) = (context.run, context.stage, context.store)
        let submittedAt = Date()
        let live: SlurmJobStore.Record?
        do {
            live = try store.read { db in try SlurmJobStore.live(db, run: run, stage: stage) }
        } catch {
            return .finished(.failed("cannot read the stage's Slurm job: \(error)"))
        }
        if let live, let id = live.jobID {
            return .proceed(
                Submission(
                    jobID: id,
                    submittedAt: live.submittedAt,
                    startedAt: live.startedAt,
                    attached: true
                )
            )
        }
        if let live,
            case .success(let jobs) = await uncancelled({ () async throws(SlurmError) in
                try await client.jobs(named: live.name)
            }),
            let found = jobs.last
        {
            store.writeOrLog("record Slurm job \(found.id)", logger: context.logger, metadata: context.metadata) { db in
                try SlurmJobStore.submitted(db, run: run, stage: stage, jobID: found.id)
            }
            return .proceed(Submission(jobID: found.id, submittedAt: live.submittedAt, startedAt: nil, attached: true))
        }
        if live != nil {
            // Recorded but never submitted (or forgotten): start over.
            store.writeOrLog("record the Slurm job's end", logger: context.logger, metadata: context.metadata) { db in
                try SlurmJobStore.ended(db, run: run, stage: stage, state: nil, exitCode: nil, at: Date())
            }
        }
        return await submit(context, client: client, at: submittedAt)
    }

    /// Writes the batch script, records the submission, runs `sbatch` and records the id.
    static func submit(_ context: Context, client: SlurmClient, at submittedAt: Date) async -> Step<Submission> {
        let (job, run, stage, store) = (context.job, context.run, context.stage, context.store)
        let scriptPath = job.workingDirectory + "/slurm-job.sh"
        do {
            try FileManager.default.createDirectory(atPath: job.workingDirectory, withIntermediateDirectories: true)
            try Data(job.script.utf8).write(to: URL(fileURLWithPath: scriptPath), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: scriptPath)
            try store.write { db in
                try SlurmJobStore.submitting(db, run: run, stage: stage, name: job.name, at: submittedAt)
            }
        } catch {
            return .finished(.failed("cannot write the batch script \(scriptPath): \(error.localizedDescription)"))
        }
        let jobID: String
        switch await uncancelled({ () async throws(SlurmError) -> String in
            try await client.submit(job, scriptPath: scriptPath)
        }) {
        case .success(let id): jobID = id
        case .failure(let error): return .finished(context.slurmFailure(error, "sbatch failed"))
        }
        do {
            try store.write { db in try SlurmJobStore.submitted(db, run: run, stage: stage, jobID: jobID) }
        } catch {
            // The job runs; without its id in the store a restart finds it by name.
            context.logger.error(
                "cannot record Slurm job \(jobID) of run \(run): \(error)",
                metadata: ["run": "\(run)", "event": LogEvent.storeError.metadataValue]
            )
        }
        return .proceed(Submission(jobID: jobID, submittedAt: submittedAt, startedAt: nil, attached: false))
    }

    /// Follows one submitted job until it ends: polls its status with a doubling wait,
    /// cancels it when the run is cancelled, mlopsd stops (with `slurm_on_shutdown: cancel`)
    /// or it runs past its deadline, and detaches when mlopsd stops otherwise.
    struct Follower {
        let context: Context
        let client: SlurmClient
        let jobID: String
        /// Slurm's `SubmitTime` once it gave one; until then when mlopsd submitted.
        private(set) var submittedAt: Date
        /// Slurm's `StartTime` once it gave one; mlopsd's clock when it first saw the job
        /// running only when Slurm gave none (the backstop's clock runs from it).
        private(set) var startedAt: Date?
        /// Slurm's `EndTime`, once the job is over.
        private(set) var finishedAt: Date?
        private(set) var status: SlurmJobStatus?
        /// Why mlopsd cancelled the job, once it has.
        private(set) var cancelling: StageOutcome?
        private var cancelDeadline: Date?
        private var wait = firstPoll
        private var failures = 0

        init(context: Context, client: SlurmClient, submission: Submission) {
            self.context = context
            self.client = client
            jobID = submission.jobID
            submittedAt = submission.submittedAt
            startedAt = submission.startedAt
        }

        /// Polls until the job ends (nil: go on to its ending) or the stage ends early:
        /// detached at a stop, or failed because Slurm lost the job or stopped answering.
        mutating func follow() async -> PipelineRunner.StageResult? {
            let (job, run, config) = (context.job, context.run, context.config)
            while true {
                if cancelling == nil, Task.isCancelled {
                    let reason = context.service.scheduler.stopReason(run) ?? .cancelled
                    if reason == .interrupted, config.slurmOnShutdown == .detach { return detached() }
                    await cancel(reason, "")
                }
                if cancelling == nil, let startedAt,
                    Date() > job.runDeadline(startedAt: startedAt, grace: config.slurmTimeoutGrace)
                {
                    let why = String(
                        format: " (running %.0f s, over its %.0f s time limit and the %.0f s slurm_timeout_grace)",
                        Date().timeIntervalSince(startedAt),
                        job.runBudget,
                        config.slurmTimeoutGrace
                    )
                    await cancel(.timedOut, why)
                }
                if let cancelDeadline, Date() > cancelDeadline {
                    context.logger.error(
                        "Slurm job \(jobID) of run \(run) did not end after scancel; the stage ends without it",
                        metadata: context.metadata.merging(["event": LogEvent.slurmError.metadataValue]) { $1 }
                    )
                    status = SlurmJobStatus(state: "CANCELLED")
                    return nil
                }
                switch await poll() {
                case .proceed(let finished): if finished { return nil }
                case .finished(let result): return result
                }
                await sleep()
            }
        }

        /// The stage's result when mlopsd stops and the job runs on.
        private func detached() -> PipelineRunner.StageResult {
            context.logger.notice(
                "mlopsd stops; Slurm job \(jobID) of run \(context.run) runs on and is re-attached at the next start",
                metadata: context.metadata
            )
            var result = PipelineRunner.StageResult(
                outcome: .interrupted,
                report: report(
                    context.job,
                    jobID: jobID,
                    status: status,
                    submittedAt: submittedAt,
                    startedAt: startedAt
                )
            )
            result.detached = true
            return result
        }

        /// Sends `scancel` once, for `reason`; the loop then waits for Slurm to end the job.
        private mutating func cancel(_ reason: StageOutcome, _ why: String) async {
            cancelling = reason
            cancelDeadline = Date().addingTimeInterval(context.config.slurmCommandTimeout + 120)
            let (client, jobID, run) = (client, jobID, context.run)
            switch await uncancelled({ () async throws(SlurmError) in try await client.cancel(jobID) }) {
            case .success:
                context.logger.notice("cancelled Slurm job \(jobID) of run \(run)\(why)", metadata: context.metadata)
            case .failure(let error):
                var errorMetadata = context.metadata
                errorMetadata["event"] = LogEvent.slurmError.metadataValue
                context.logger.error(
                    "cannot cancel Slurm job \(jobID) of run \(run): \(error)",
                    metadata: errorMetadata
                )
            }
            wait = firstPoll
        }

        /// Asks Slurm once; proceeds with whether the job has finished, or ends the stage when
        /// the job is lost or Slurm has not answered `maxQueryFailures` times in a row.
        private mutating func poll() async -> Step<Bool> {
            let (client, jobID, run, stage, store) = (client, jobID, context.run, context.stage, context.store)
            switch await uncancelled({ () async throws(SlurmError) -> SlurmJobStatus in try await client.status(jobID) }
            ) {
            case .success(let current):
                status = current
                failures = 0
                if let submitTime = current.submitTime { submittedAt = submitTime }
                if let endTime = current.endTime { finishedAt = endTime }
                let firstSeen = startedAt == nil
                if current.hasStarted, let start = current.startTime ?? (firstSeen ? Date() : nil), start != startedAt {
                    startedAt = start
                    store.writeOrLog("record the Slurm job's start", logger: context.logger, metadata: context.metadata)
                    { db in
                        try SlurmJobStore.started(db, run: run, stage: stage, at: start)
                    }
                    if firstSeen {
                        let line =
                            "Slurm job \(jobID) of run \(run) started" + (current.nodes.map { " on \($0)" } ?? "")
                            + String(format: " %.0f s after submission", start.timeIntervalSince(submittedAt))
                        context.logger.info("\(line)", metadata: context.metadata)
                    }
                }
                return .proceed(current.isFinished)
            case .failure(let error):
                if case .unknownJob = error { return .finished(context.slurmFailure(error, "lost the job")) }
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    var errorMetadata = context.metadata
                    errorMetadata["event"] = LogEvent.slurmError.metadataValue
                    context.logger.error(
                        "cannot ask Slurm about job \(jobID) of run \(run) (try \(failures)): \(error); asking again",
                        metadata: errorMetadata
                    )
                }
                if failures >= maxQueryFailures {
                    return .finished(context.slurmFailure(error, "gave up asking about job \(jobID)"))
                }
                return .proceed(false)
            }
        }

        /// Sleeps until the next look (in a task of its own once cancelling: a cancellation
        /// wakes the loop early, it does not end it), then doubles the wait.
        private mutating func sleep() async {
            var sleep = wait
            if cancelling == nil, let startedAt {
                // Wake for the run deadline, not a whole poll interval after it.
                let deadline = context.job.runDeadline(startedAt: startedAt, grace: context.config.slurmTimeoutGrace)
                let untilDeadline = deadline.timeIntervalSinceNow
                sleep = min(sleep, max(untilDeadline + 0.05, 0.05))
            }
            let nanoseconds = UInt64(sleep * 1e9)
            if cancelling == nil {
                try? await Task.sleep(nanoseconds: nanoseconds)
            } else {
                await Task { try? await Task.sleep(nanoseconds: nanoseconds) }.value
            }
            wait = min(wait * 2, cancelling == nil ? context.config.slurmPollMax : 2)
        }
    }

    /// Records how the followed job ended and turns its state into the stage's result.
    static func ended(_ context: Context, _ follower: Follower) -> PipelineRunner.StageResult {
        let (job, run, stage, config) = (context.job, context.run, context.stage, context.config)
        let (jobID, submittedAt, startedAt, finishedAt, cancelling) =
            (follower.jobID, follower.submittedAt, follower.startedAt, follower.finishedAt, follower.cancelling)
        let final = follower.status ?? SlurmJobStatus(state: "UNKNOWN")
        context.store.writeOrLog("record the Slurm job's end", logger: context.logger, metadata: context.metadata) {
            db in
            try SlurmJobStore.ended(
                db,
                run: run,
                stage: stage,
                state: final.state,
                exitCode: final.exitCodeText,
                at: Date()
            )
        }
        var result = PipelineRunner.StageResult(
            outcome: .succeeded,
            report: report(
                job,
                jobID: jobID,
                status: final,
                submittedAt: submittedAt,
                startedAt: startedAt,
                finishedAt: finishedAt
            )
        )
        result.exitCode = final.exitStatus
        result.signal = (final.signal ?? 0) == 0 ? nil : final.signal
        result.childSeconds = max((finishedAt ?? Date()).timeIntervalSince(startedAt ?? submittedAt), 0)
        let tail = StageChild.lastLines(job.stderrPath)
        switch final.ending ?? .failed(exitStatus: nil, signal: nil, why: final.state) {
        case .succeeded:
            break
        case .cancelled where cancelling == .timedOut:
            result.outcome = .timedOut
            let ran = String(
                format: "it ran %.0f s, over its %.0f s time limit and the %.0f s slurm_timeout_grace",
                result.childSeconds,
                job.runBudget,
                config.slurmTimeoutGrace
            )
            result.error = JobError(
                .stageFailed,
                "mlopsd cancelled Slurm job \(jobID): \(ran)",
                fix: "raise the stage's slurm.time_limit (minutes) or timeout in the pipeline definition"
            )
        case .cancelled:
            if let cancelling {
                result.outcome = cancelling == .interrupted ? .interrupted : .cancelled
                result.error = JobError(.cancelled, "Slurm job \(jobID) was cancelled")
            } else {
                result = failed(
                    result,
                    "Slurm job \(jobID) was cancelled outside mlopsd (scancel)",
                    fix: "see the cluster's log; run the pipeline again"
                )
            }
        case .timedOut:
            result.outcome = .timedOut
            result.error = JobError(
                .stageFailed,
                "Slurm job \(jobID) ran over its time limit (TIMEOUT)",
                fix: "raise the stage's slurm.time_limit (minutes) or timeout in the pipeline definition"
            )
        case .nodeFailure(let why):
            result = failed(
                result,
                "Slurm job \(jobID) ended by a node failure: \(why)",
                fix: "check the node (sinfo -R) and run the pipeline again"
            )
        case .failed(let code, let signal, let why):
            let how =
                (signal ?? 0) != 0
                ? "was killed by signal \(signal ?? 0)" : "exited with code \(code.map(String.init) ?? "?")"
            result = failed(
                result,
                "the command \(how) (Slurm job \(jobID): \(why))" + (tail.isEmpty ? "" : ": " + tail),
                fix: "read \(job.stderrPath)"
            )
        }
        return result
    }

    /// Runs `body` in a task of its own, so that the caller's cancellation does not cut a
    /// Slurm command short (an `scancel` must reach the controller).
    static func uncancelled<T: Sendable>(
        _ body: @escaping @Sendable () async throws(SlurmError) -> T
    ) async -> Result<T, SlurmError> {
        await Task { () async -> Result<T, SlurmError> in
            do throws(SlurmError) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }.value
    }

    /// `result` as failed with `message`.
    static func failed(
        _ result: PipelineRunner.StageResult,
        _ message: String,
        fix: String
    ) -> PipelineRunner.StageResult {
        var result = result
        result.outcome = .failed
        result.error = JobError(.stageFailed, message, fix: fix)
        if case .object(var doc) = result.report {
            doc["error"] = .string(message)
            result.report = .object(doc)
        }
        return result
    }

    /// The stage's report: the job, where it ran, how long it waited and ran. The times are
    /// Slurm's own (`SubmitTime`, `StartTime`, `EndTime`) whenever Slurm gave them.
    static func report(
        _ job: SlurmBatchJob,
        jobID: String,
        status: SlurmJobStatus?,
        submittedAt: Date,
        startedAt: Date?,
        finishedAt: Date? = nil
    ) -> JSONValue {
        var doc: [String: JSONValue] = [
            "executor": "slurm", "slurm_job_id": .string(jobID), "job_name": .string(job.name),
            "argv": .array(job.argv.map(JSONValue.string)), "submitted_at": .string(Timestamp.string(submittedAt)),
            "stdout": ["file": .string(job.stdoutPath)], "stderr": ["file": .string(job.stderrPath)],
            "sbatch": .array(job.settings.arguments(timeout: job.timeout).map(JSONValue.string)),
        ]
        if let status {
            doc["slurm_state"] = .string(status.state)
            doc["slurm_exit_code"] = .string(status.exitCodeText)
            if let nodes = status.nodes { doc["nodes"] = .string(nodes) }
            if let reason = status.reason { doc["slurm_reason"] = .string(reason) }
        }
        if let startedAt {
            doc["started_at"] = .string(Timestamp.string(startedAt))
            doc["queued_seconds"] = .double((max(startedAt.timeIntervalSince(submittedAt), 0) * 1000).rounded() / 1000)
        }
        if let finishedAt { doc["finished_at"] = .string(Timestamp.string(finishedAt)) }
        return .object(doc)
    }
}
