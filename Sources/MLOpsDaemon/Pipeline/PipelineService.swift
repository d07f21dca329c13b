import Dispatch
import Foundation
import GRDB
import Glibc
import Logging
import MLOpsCore
import Synchronization

/// Everything pipelines need in one place: the definitions in force, the scheduler, and
/// the daemon's store, spool and registry for the runs (docs/design.md §7).
///
/// Handlers reach it through ``JobContext/pipelines``; the daemon loads it at start,
/// updates it on reload, recovers lost runs before serving and interrupts running ones
/// on stop.
public final class PipelineService: Sendable {
    let store: Store
    let spool: Spool
    let registry: ModelRegistry?
    let logger: Logger
    /// The engine's serial queue: registry changes, result files and job files of runs
    /// happen there, in line with every job.
    let engineQueue: DispatchQueue
    let scheduler: PipelineScheduler
    private let current: Mutex<(catalog: PipelineCatalog, config: DaemonConfig)>
    /// Called on the engine queue after a run ended (the daemon refreshes status and metrics).
    private let runEnded = Mutex<(@Sendable () -> Void)?>(nil)

    /// Sets what runs on the engine queue after each run's end.
    public func onRunEnded(_ body: @escaping @Sendable () -> Void) {
        runEnded.withLock { $0 = body }
    }

    /// Calls the run-ended hook (on the engine queue).
    func ranEnd() {
        runEnded.withLock { $0 }?()
    }

    /// A service with `catalog` and `config` in force.
    public init(
        store: Store,
        spool: Spool,
        registry: ModelRegistry?,
        logger: Logger,
        engineQueue: DispatchQueue,
        catalog: PipelineCatalog,
        config: DaemonConfig
    ) {
        self.store = store
        self.spool = spool
        self.registry = registry
        self.logger = logger
        self.engineQueue = engineQueue
        scheduler = PipelineScheduler(limit: config.maxConcurrentPipelines)
        current = Mutex((catalog, config))
    }

    /// The definitions in force.
    public var catalog: PipelineCatalog { current.withLock { $0.catalog } }
    /// The configuration in force.
    public var config: DaemonConfig { current.withLock { $0.config } }

    /// After a reload: new definitions and settings (running runs keep the definition they
    /// started with).
    public func update(catalog: PipelineCatalog, config: DaemonConfig) {
        current.withLock { $0 = (catalog, config) }
        scheduler.setLimit(config.maxConcurrentPipelines)
    }

    /// What ``queueRun`` did.
    public enum QueueOutcome: Sendable {
        /// The run is recorded `queued` and starts after the caller's commit.
        case queued(RunRecord)
        /// Nothing was recorded: the model already has this run queued or running (one run
        /// per model). The `conflict` error names the run and its state and says how to end it.
        case runActive(RunRecord, JobError)
        /// Nothing was recorded: a parameter or a path was refused; the error says which.
        case refused(JobError)
    }

    /// The `trigger` of a run that a `run-pipeline` job started: a pipeline run, not a
    /// retraining (retrainings carry `manual`, `scheduled`, `drift` or `decay`).
    public static let runPipelineTrigger = "run-pipeline"

    /// Checks `given` against `definition`'s declared parameters (paths resolved under the
    /// data roots), refuses a second active run of `model`, and records a queued run that
    /// starts once the caller's transaction commits (`afterCommit`). `trigger` is
    /// ``runPipelineTrigger`` for run-pipeline jobs and `manual` for retraining-trigger
    /// jobs; automation passes its own (`scheduled`, `drift`, `decay`).
    /// `jobID` is the job whose result follows the run (nil: no job, e.g. a timer).
    /// `submitterUID`: whose read access path parameters are checked against (nil: none).
    public func queueRun(
        _ db: Database,
        model: String,
        definition: PipelineDefinition,
        given: [String: JSONValue],
        marks: [String: SourceMark] = [:],
        fallback: SourceMark? = nil,
        modelMark: SourceMark? = nil,
        trigger: String,
        jobID: String?,
        submittedBy: String,
        submitterUID: UInt32? = nil,
        config: DaemonConfig,
        now: Date,
        afterCommit: AfterCommit
    ) throws -> QueueOutcome {
        let resolved: [String: JSONValue]
        switch PipelineService.resolveParameters(
            given,
            for: definition,
            marks: marks,
            fallback: fallback,
            config: config,
            submitterUID: submitterUID
        ) {
        case .success(let values): resolved = values
        case .failure(let error): return .refused(error)
        }
        if let id = try RunStore.active(db, model: model), let other = try RunStore.run(db, id: id) {
            return .runActive(other, PipelineService.runActiveError(other, at: modelMark))
        }
        let id = RunStore.newID(now: now)
        try RunStore.insert(
            db,
            id: id,
            model: model,
            pipeline: definition.name,
            jobID: jobID,
            params: .object(resolved),
            definition: PipelineService.summary(definition),
            trigger: trigger,
            submittedBy: submittedBy,
            at: now
        )
        afterCommit.add { [self] in self.enqueue(id) }
        guard let run = try RunStore.run(db, id: id) else { throw JobError(.internalError, "run \(id) vanished") }
        logger.info(
            "pipeline run \(id) of \(model) queued (\(definition.name), trigger \(trigger))",
            metadata: ["run": "\(id)", "model": "\(model)", "event": LogEvent.pipelineQueued.metadataValue]
        )
        return .queued(run)
    }

    /// The `conflict` that refuses a second run of `run`'s model: which run, in which state
    /// (and stage), and the two ways out.
    static func runActiveError(_ run: RunRecord, at mark: SourceMark?) -> JobError {
        let state: String
        switch (run.state, run.stage) {
        case (.queued, _): state = "queued (waiting for a free max_concurrent_pipelines slot)"
        case (.running, let stage?): state = "running (stage \(stage.rawValue))"
        default: state = run.state.rawValue
        }
        return JobError(
            .conflict,
            "pipeline run \(run.id) is \(state) for model `\(run.model)`, and a model has one queued or running run at a time",
            at: mark,
            fix: "wait for run \(run.id) to end (mlopsctl run \(run.id)), or cancel it with a cancel-pipeline job "
                + "(mlopsctl cancel --run \(run.id)), then submit again"
        )
    }

    /// Queues run `id` (after the commit that recorded it).
    public func enqueue(_ id: String) {
        scheduler.submit(id) { [self] in
            await PipelineRunner(service: self, runID: id).run()
        }
    }

    /// Cancels run `id`: a queued one ends at once, a running one once its children are
    /// gone. Called on the engine queue (after the cancel job's commit).
    public func cancel(_ id: String, by: String) {
        switch scheduler.cancel(id, reason: .cancelled) {
        case .wasRunning:
            logger.notice(
                "cancelling pipeline run \(id) (asked by \(by)); it ends once its children are gone",
                metadata: ["run": "\(id)"]
            )
        case .wasQueued, .unknown:
            finishNow(
                id,
                state: .cancelled,
                error: JobError(.cancelled, "the run was cancelled by \(by) before it started"),
                runningStage: .cancelled
            )
        }
    }

    /// Ends a run that has no task (queued, or lost) on the calling queue, which must be
    /// the engine's.
    func finishNow(_ id: String, state: RunState, error: JobError, runningStage: StageOutcome) {
        do {
            let work = try store.write { db in
                try PipelineService.finish(
                    db,
                    id: id,
                    state: state,
                    version: nil,
                    error: error,
                    runningStage: runningStage,
                    at: Date()
                )
            }
            work.publish(spool: spool, registry: registry, logger: logger)
            ranEnd()
        } catch {
            logger.error(
                "cannot record the end of pipeline run \(id): \(error)",
                metadata: ["run": "\(id)", "event": LogEvent.storeError.metadataValue]
            )
        }
    }

    /// Before the engine serves: stray children of a dead daemon are killed, runs that
    /// were running become `interrupted` (their jobs final, so the engine's recovery
    /// rewrites their results and moves their files). Returns the queued runs, oldest
    /// first, to hand to ``resume(_:)`` once serving.
    public func recover() -> [String] {
        do {
            // Nothing else touches the store before the engine serves: what is read here
            // still holds when the write below ends the interrupted runs.
            let (children, running, resumable) = try store.read { db in
                // A/B tests are waited for, not computed, and Slurm jobs run without us: both
                // resume where they were.
                (
                    try RunStore.liveChildren(db), try RunStore.ids(db, state: .running),
                    try ABTestStage.resumable(db).union(SlurmJobStore.attachableRuns(db))
                )
            }
            let interrupted = running.filter { !resumable.contains($0) }
            var strays = children.map {
                StrayChildren.Record(processGroup: $0.pgid, leaderStartTime: $0.startTime, runID: $0.run)
            }
            // A child started just before the earlier daemon died has no record yet.
            strays += StrayChildren.unrecorded(runIDs: Set(interrupted)).filter { found in
                !strays.contains { $0.processGroup == found.processGroup && $0.runID == found.runID }
            }
            if !strays.isEmpty {
                let killed = StageChild.killStrays(strays, grace: config.stopGrace, logger: logger)
                if killed > 0 {
                    logger.warning(
                        "killed \(killed) stray pipeline processes left by an earlier mlopsd",
                        metadata: ["event": LogEvent.childKilled.metadataValue]
                    )
                }
            }
            var publications: [RunEnd] = []
            let queued = try store.write { db -> [String] in
                try RunStore.allChildrenEnded(db, at: Date())
                for id in interrupted {
                    publications.append(
                        try PipelineService.finish(
                            db,
                            id: id,
                            state: .interrupted,
                            version: nil,
                            error: JobError(
                                .interrupted,
                                "mlopsd stopped or restarted while the run was in progress",
                                fix: "submit the run-pipeline job again under a new id"
                            ),
                            runningStage: .interrupted,
                            at: Date()
                        )
                    )
                }
                return try running.filter(resumable.contains) + RunStore.ids(db, state: .queued)
            }
            // Result files are rewritten by the engine's recovery of active/; alerts and
            // journal entries are ours.
            for end in publications { end.publish(spool: nil, registry: registry, logger: logger) }
            return queued
        } catch {
            logger.error(
                "cannot recover pipeline runs: \(error)",
                metadata: ["event": LogEvent.storeError.metadataValue]
            )
            return []
        }
    }

    /// Queues the runs `recover()` found queued.
    public func resume(_ ids: [String]) {
        for id in ids { enqueue(id) }
    }

    /// Interrupts every running run and waits until their children are gone.
    public func shutdown() async {
        await scheduler.shutdown()
    }

    // MARK: - Ending runs

    /// What to make visible once a run's end is committed.
    struct RunEnd: Sendable {
        var run: RunRecord
        var job: LongJobs.Publication?
        var alert: AlertRecord?

        func publish(spool: Spool?, registry: ModelRegistry?, logger: Logger) {
            if let spool, let job {
                do {
                    try LongJobs(spool: spool).publish(job)
                } catch {
                    logger.error(
                        "cannot write the result of run \(run.id): \(error)",
                        metadata: ["event": LogEvent.internalError.metadataValue]
                    )
                }
            }
            if let alert { registry?.alerts.publish(alert) }
            var metadata: Logger.Metadata = [
                "run": "\(run.id)", "model": "\(run.model)", "pipeline": "\(run.pipeline)",
                "outcome": "\(run.state.rawValue)",
            ]
            if let stage = run.stage { metadata["stage"] = "\(stage.rawValue)" }
            if let version = run.version { metadata["version"] = "\(version)" }
            let seconds = run.duration().map { String(format: "%.1f s", $0) } ?? "-"
            if run.state == .succeeded {
                metadata["event"] = LogEvent.pipelineSucceeded.metadataValue
                logger.notice(
                    "pipeline run \(run.id) of \(run.model) succeeded in \(seconds): version \(run.version ?? "-")",
                    metadata: metadata
                )
            } else {
                metadata["event"] = LogEvent.pipelineFailed.metadataValue
                let why = run.error?["message"]?.stringValue ?? run.state.rawValue
                logger.error(
                    "pipeline run \(run.id) of \(run.model) \(run.state.rawValue) at \(run.stage?.rawValue ?? "start"): \(why)",
                    metadata: metadata
                )
            }
        }
    }

    /// Records the end of run `id` with its job's final result and the `pipeline_failed`
    /// alert (raised when it did not succeed, resolved when it did).
    static func finish(
        _ db: Database,
        id: String,
        state: RunState,
        version: String?,
        error: JobError?,
        runningStage: StageOutcome,
        at: Date
    ) throws -> RunEnd {
        let errorValue: JSONValue? = error.map { e in
            var doc: [String: JSONValue] = ["code": .string(e.code.rawValue), "message": .string(e.message)]
            if let fix = e.fix { doc["fix"] = .string(fix) }
            return .object(doc)
        }
        try RunStore.finish(
            db,
            id: id,
            state: state,
            version: version,
            error: errorValue,
            at: at,
            runningStage: runningStage
        )
        guard let run = try RunStore.run(db, id: id) else { throw JobError(.internalError, "run \(id) vanished") }
        var publication: LongJobs.Publication?
        if let job = run.jobID {
            publication = try LongJobs.complete(
                db,
                job: job,
                status: state == .succeeded ? .succeeded : .failed,
                result: try JSONValue(encoding: run.document),
                error: error,
                at: at
            )
        }
        var alert: AlertRecord?
        if state == .succeeded {
            alert = try AlertBook.resolve(db, model: run.model, type: .pipelineFailed, at: at)
        } else {
            let production = try VersionStore.production(db, model: run.model)?.version
            alert = try AlertBook.raise(
                db,
                model: run.model,
                version: production,
                type: .pipelineFailed,
                severity: .warning,
                message:
                    "pipeline run \(run.id) (\(run.pipeline)) \(state.rawValue) at \(run.stage?.rawValue ?? "start"): \(error?.message ?? state.rawValue)",
                details: [
                    "run_id": .string(run.id), "stage": run.stage.map { .string($0.rawValue) } ?? .null,
                    "state": .string(state.rawValue),
                ],
                at: at
            )
        }
        return RunEnd(run: run, job: publication, alert: alert)
    }

    /// What a run's history keeps of its definition: the commands that ran.
    static func summary(_ definition: PipelineDefinition) -> JSONValue {
        var commands: [String: JSONValue] = [:]
        for (stage, command) in definition.commands {
            commands[stage.rawValue] = [
                "argv": .array(command.argv.map(JSONValue.string)),
                "timeout": command.timeout.map(JSONValue.double) ?? .null,
            ]
        }
        return ["name": .string(definition.name), "commands": .object(commands)]
    }

    /// Runs `body` on the engine queue and returns its value.
    func onEngine<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            engineQueue.async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
