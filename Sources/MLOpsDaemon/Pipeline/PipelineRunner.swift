import Foundation
import GRDB
import Glibc
import Logging
import MLOpsCore

/// Runs one pipeline run through its eight stages (docs/design.md §7), recording each stage's
/// start, end, outcome and report, updating the run-pipeline job's `running` result at
/// every stage change, and ending the run with exactly one final result.
///
/// Stages run in order; the first one that fails, times out or is stopped ends the run
/// and the stages after it are `skipped`. The built-in stages that change the registry
/// (`deploy`, `monitor`) run on the engine queue, in line with every job.
struct PipelineRunner: Sendable {
    let service: PipelineService
    let runID: String

    /// How one stage ended.
    struct StageResult: Sendable {
        var outcome: StageOutcome
        var report: JSONValue
        var exitCode: Int?
        var signal: Int?
        /// Wall-clock seconds spent in the stage's child.
        var childSeconds: Double = 0
        /// Why the stage did not succeed (for the run's error).
        var error: JobError?
        /// The stage's work goes on without the daemon (a Slurm job left running at a
        /// stop): the run stays `running` and the next start re-attaches.
        var detached = false

        static func succeeded(_ report: JSONValue) -> StageResult { StageResult(outcome: .succeeded, report: report) }
        static func skipped(_ why: String) -> StageResult {
            StageResult(outcome: .skipped, report: ["reason": .string(why)])
        }
        static func failed(_ message: String, report: JSONValue = .object([:]), fix: String? = nil) -> StageResult {
            var doc: [String: JSONValue] = [:]
            if case .object(let fields) = report { doc = fields }
            doc["error"] = .string(message)
            return StageResult(outcome: .failed, report: .object(doc), error: JobError(.stageFailed, message, fix: fix))
        }
    }

    /// What the stages share: the run, its definition, the model, the directories.
    struct Context: Sendable {
        var run: RunRecord
        var definition: PipelineDefinition
        var spec: ModelSpec
        var config: DaemonConfig
        /// `state/runs/<run>`.
        var runDir: String
        /// The collected training data and held-out rows (after `collect_data`).
        var dataFile: String?
        var holdoutFile: String?
        /// The source file `collect_data` copied (lineage), when built-in.
        var sourceFile: String?
        /// The trained artifact directory (after `train`).
        var artifactDir: String?
        /// The version `deploy` created.
        var version: String?
        /// Whether `deploy` promoted it.
        var promoted = false
        /// What the A/B test decided (nil: no test ran).
        var abDecision: ABDecision?

        func stageDir(_ stage: PipelineStage) -> String { runDir + "/" + stage.rawValue }
        func outputDir(_ stage: PipelineStage) -> String { stageDir(stage) + "/output" }
    }

    var logger: Logger { service.logger }

    /// Runs the run to its end. Never throws: every failure ends the run with a result.
    func run() async {
        guard var context = await prepare() else { return }
        guard let finished = start(&context) else { return }
        for stage in PipelineStage.allCases where !finished.contains(stage) {
            if Task.isCancelled {
                await stopped(at: stage)
                return
            }
            guard let result = await runStage(stage, &context) else { return }
            if await endsTheRun(stage, result, run: context.run) { return }
        }
        await end(.succeeded, version: context.version)
    }

    /// Loads the run, its definition and the model's spec and prepares the run directory;
    /// nil when the run is gone or over, or has been ended here (definition or model gone,
    /// directory not writable).
    private func prepare() async -> Context? {
        let store = service.store
        let loaded: (RunRecord, String)?
        do {
            loaded = try store.read { db -> (RunRecord, String)? in
                guard let run = try RunStore.run(db, id: runID) else { return nil }
                let spec = try ModelSpecs.specText(db, model: run.model) ?? ""
                return (run, spec)
            }
        } catch {
            logger.error(
                "cannot read pipeline run \(runID): \(error)",
                metadata: ["run": "\(runID)", "event": LogEvent.storeError.metadataValue]
            )
            return nil
        }
        guard let (run, specText) = loaded, !run.state.isFinal else { return nil }
        guard let definition = service.catalog.definition(run.pipeline) else {
            await end(
                .failed,
                error: JobError(
                    .unknownPipeline,
                    "the pipeline definition `\(run.pipeline)` is no longer in \(service.catalog.directory)"
                )
            )
            return nil
        }
        let spec: ModelSpec
        do {
            spec = try JSONDecoder().decode(ModelSpec.self, from: Data(specText.utf8))
        } catch {
            await end(.failed, error: JobError(.unknownModel, "model `\(run.model)` is not registered any more"))
            return nil
        }
        let config = service.config
        let context = Context(
            run: run,
            definition: definition,
            spec: spec,
            config: config,
            runDir: config.stateDir + "/runs/" + runID
        )
        do {
            try FileManager.default.createDirectory(atPath: context.runDir, withIntermediateDirectories: true)
            try Data(specText.utf8).write(to: URL(fileURLWithPath: context.runDir + "/model-spec.json"))
            try JSONTextWriter.data(run.params, layout: .pretty).write(
                to: URL(fileURLWithPath: context.runDir + "/params.json")
            )
        } catch {
            await end(
                .failed,
                error: JobError(
                    .internalError,
                    "cannot prepare the run directory \(context.runDir): \(error.localizedDescription)"
                )
            )
            return nil
        }
        return context
    }

    /// Marks the run started, or, for a run that was already running (an A/B test a restart
    /// paused), picks up the outputs of the stages it finished. Returns the stages to skip
    /// (those finished before); nil when the start cannot be recorded.
    private func start(_ context: inout Context) -> Set<PipelineStage>? {
        let run = context.run
        guard run.state == .running else {
            do {
                try service.store.write { db in try RunStore.start(db, id: runID, at: Date()) }
            } catch {
                logger.error(
                    "cannot start pipeline run \(runID): \(error)",
                    metadata: ["run": "\(runID)", "event": LogEvent.storeError.metadataValue]
                )
                return nil
            }
            logger.info(
                "pipeline run \(runID) of \(run.model) started (\(run.pipeline))",
                metadata: [
                    "run": "\(runID)", "model": "\(run.model)", "pipeline": "\(run.pipeline)",
                    "event": LogEvent.pipelineStarted.metadataValue,
                ]
            )
            return []
        }
        // The outputs of finished stages are where those stages left them.
        let done = Set(run.stages.filter { $0.outcome == .succeeded || $0.outcome == .skipped }.map(\.stage))
        let collected = context.outputDir(.collectData)
        if FileManager.default.fileExists(atPath: collected + "/data.csv") {
            context.dataFile = collected + "/data.csv"
        }
        if FileManager.default.fileExists(atPath: collected + "/holdout.csv") {
            context.holdoutFile = collected + "/holdout.csv"
        }
        if done.contains(.train) { context.artifactDir = context.outputDir(.train) }
        logger.notice(
            "pipeline run \(runID) of \(run.model) resumes at \(run.stage?.rawValue ?? "its next stage")",
            metadata: ["run": "\(runID)", "model": "\(run.model)", "event": LogEvent.pipelineStarted.metadataValue]
        )
        return done
    }

    /// Runs one stage: records its start, performs it, records and logs its end. Nil when
    /// the start or end cannot be recorded (the run has then been ended as failed).
    private func runStage(_ stage: PipelineStage, _ context: inout Context) async -> StageResult? {
        let store = service.store
        let run = context.run
        do {
            try store.write { db in try RunStore.beginStage(db, id: runID, stage: stage, at: Date()) }
        } catch {
            await end(
                .failed,
                error: JobError(.internalError, "cannot record the start of \(stage.rawValue): \(error)")
            )
            return nil
        }
        await progress()
        let started = Date()
        var result = await perform(stage, &context)
        if Task.isCancelled, result.outcome == .failed || result.outcome == .cancelled {
            result.outcome = service.scheduler.stopReason(runID) ?? .cancelled
        }
        do {
            try store.write { db in
                try RunStore.endStage(
                    db,
                    id: runID,
                    stage: stage,
                    outcome: result.outcome,
                    report: result.report,
                    exitCode: result.exitCode,
                    signal: result.signal,
                    childSeconds: result.childSeconds,
                    at: Date()
                )
            }
        } catch {
            await end(.failed, error: JobError(.internalError, "cannot record the end of \(stage.rawValue): \(error)"))
            return nil
        }
        let seconds = Date().timeIntervalSince(started)
        let line =
            "stage \(stage.number)/\(PipelineStage.count) \(stage.rawValue) of run \(runID) \(result.outcome.rawValue) in "
            + String(format: "%.2f", seconds) + " s" + (result.error.map { ": \($0.message)" } ?? "")
        logger.log(
            level: result.outcome == .succeeded || result.outcome == .skipped ? .info : .warning,
            "\(line)",
            metadata: [
                "run": "\(runID)", "model": "\(run.model)", "stage": "\(stage.rawValue)",
                "outcome": "\(result.outcome.rawValue)",
                "event": LogEvent.stageFinished.metadataValue,
            ]
        )
        return result
    }

    /// What a stage's outcome means for the run: false to go on to the next stage; true when
    /// the run has ended (failed, timed out, cancelled, interrupted) or paused until the
    /// next start (an A/B test, a detached Slurm job).
    private func endsTheRun(_ stage: PipelineStage, _ result: StageResult, run: RunRecord) async -> Bool {
        switch result.outcome {
        case .succeeded, .skipped, .pending, .running:
            return false
        case .failed, .timedOut:
            let error = result.error ?? JobError(.stageFailed, "stage \(stage.rawValue) \(result.outcome.rawValue)")
            await end(
                .failed,
                error: JobError(
                    .stageFailed,
                    "stage \(stage.rawValue) \(result.outcome == .timedOut ? "timed out" : "failed"): \(error.message)",
                    fix: error.fix ?? "see the stage's report and state/runs/\(runID)/\(stage.rawValue)/"
                )
            )
            return true
        case .interrupted where stage == .abTest || result.detached:
            // Paused, not lost: the run stays `running` and resumes at the next start.
            do {
                try service.store.write { db in
                    try RunStore.reopenStage(db, id: runID, stage: stage)
                }
            } catch {
                logger.error(
                    "cannot keep stage \(stage.rawValue) of run \(runID) for the next start: \(error)",
                    metadata: ["run": "\(runID)", "event": LogEvent.storeError.metadataValue]
                )
            }
            if stage == .abTest {
                logger.notice(
                    "the A/B test of run \(runID) pauses while mlopsd stops; it resumes at the next start",
                    metadata: ["run": "\(runID)", "model": "\(run.model)"]
                )
            }
            return true
        case .cancelled, .interrupted:
            await end(
                result.outcome == .cancelled ? .cancelled : .interrupted,
                error: stopError(result.outcome),
                runningStage: result.outcome
            )
            return true
        }
    }

    // MARK: - Stages

    private func perform(_ stage: PipelineStage, _ context: inout Context) async -> StageResult {
        switch stage {
        case .collectData: return await collect(&context)
        case .validateData: return BuiltinStages.validateData(context)
        case .train: return await train(&context)
        case .validateModel: return validateModel(context)
        case .testModel: return await test(context)
        case .abTest: return await ABTestStage.run(&context, runner: self)
        case .deploy: return await deploy(&context)
        case .monitor: return await monitor(context)
        }
    }

    private func collect(_ context: inout Context) async -> StageResult {
        let output = context.outputDir(.collectData)
        switch context.definition.collect {
        case .copy(let parameter, let holdoutShare, let seed):
            guard let source = context.run.params[parameter]?.stringValue else {
                return .failed("parameter `\(parameter)` (the file to copy) has no value")
            }
            let result = BuiltinStages.copyData(
                source: source,
                roots: context.config.dataRoots,
                output: output,
                holdoutShare: holdoutShare,
                seed: seed,
                maxColumns: context.config.maxColumns,
                maxBytes: context.config.maxDataFileBytes
            )
            if result.outcome == .succeeded {
                context.dataFile = output + "/data.csv"
                if FileManager.default.fileExists(atPath: output + "/holdout.csv") {
                    context.holdoutFile = output + "/holdout.csv"
                }
                context.sourceFile = source
            }
            return result
        case .command(let command):
            var result = await runChild(.collectData, command: command, context: context, data: nil, modelDir: nil)
            guard result.outcome == .succeeded else { return result }
            guard FileManager.default.fileExists(atPath: output + "/data.csv") else {
                result = .failed(
                    "the collector exited 0 but wrote no data.csv into MLOPSD_OUTPUT (\(output))",
                    report: result.report,
                    fix: "write the training data as CSV with a header to $MLOPSD_OUTPUT/data.csv"
                )
                return result
            }
            context.dataFile = output + "/data.csv"
            if FileManager.default.fileExists(atPath: output + "/holdout.csv") {
                context.holdoutFile = output + "/holdout.csv"
            }
            return result
        }
    }

    private func train(_ context: inout Context) async -> StageResult {
        var result = await runChild(
            .train,
            command: context.definition.train,
            context: context,
            data: context.dataFile,
            modelDir: nil
        )
        guard result.outcome == .succeeded else { return result }
        let output = context.outputDir(.train)
        guard let data = FileManager.default.contents(atPath: output + "/metrics.json") else {
            return .failed(
                "the trainer exited 0 but wrote no metrics.json into MLOPSD_OUTPUT (\(output))",
                report: result.report,
                fix: "the trainer contract: write the artifacts and metrics.json into $MLOPSD_OUTPUT and exit 0"
            )
        }
        switch VersionMetrics.parse(data, metric: context.spec.metric) {
        case .failure(let problem):
            return .failed(
                "metrics.json: \(problem)",
                report: result.report,
                fix: "write the model's metric `\(context.spec.metric)` into metrics.json"
            )
        case .success(let metrics):
            if case .object(var doc) = result.report {
                doc["metrics"] = metrics.all
                doc["files"] = .array(
                    ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).sorted().map(
                        JSONValue.string
                    )
                )
                result.report = .object(doc)
            }
        }
        context.artifactDir = output
        return result
    }

    private func validateModel(_ context: Context) -> StageResult {
        guard let dir = context.artifactDir, let data = FileManager.default.contents(atPath: dir + "/metrics.json")
        else {
            return .failed("no trained model to validate")
        }
        let metric = context.spec.metric
        let candidate: Double
        switch VersionMetrics.parse(data, metric: metric) {
        case .failure(let problem): return .failed("metrics.json: \(problem)")
        case .success(let parsed): candidate = parsed.value
        }
        let production: VersionRecord?
        do {
            production = try service.store.read { db in try VersionStore.production(db, model: context.run.model) }
        } catch {
            return .failed("cannot read the production version: \(error)")
        }
        return BuiltinStages.validateModel(
            metric: metric,
            candidate: candidate,
            production: production.map { ($0.version, $0.metricValue) },
            policy: context.spec.policy.promotion,
            gates: context.definition.modelGates
        )
    }

    private func test(_ context: Context) async -> StageResult {
        switch context.definition.test {
        case .command(let command):
            var result = await runChild(
                .testModel,
                command: command,
                context: context,
                data: context.holdoutFile ?? context.dataFile,
                modelDir: context.artifactDir
            )
            if result.outcome == .succeeded,
                let data = FileManager.default.contents(atPath: context.outputDir(.testModel) + "/metrics.json"),
                let metrics = try? JSONDecoder().decode(JSONValue.self, from: data),
                case .object(var doc) = result.report
            {
                doc["metrics"] = metrics
                result.report = .object(doc)
            }
            return result
        case .builtin(let rules):
            return BuiltinStages.evaluate(context, rules: rules)
        }
    }

    private func deploy(_ context: inout Context) async -> StageResult {
        if context.abDecision == .keepChampion {
            return .skipped("the A/B test kept the champion; the candidate stays in staging")
        }
        guard let artifact = context.artifactDir else { return .failed("no trained model to deploy") }
        let existing = context.abDecision == .promote ? context.version : nil
        let run = context.run
        let definition = context.definition
        var config = context.config
        // The artifact and the collected data lie in the run directory: a data root for this step.
        config.dataRoots = [context.runDir]
        let jobID = run.jobID ?? run.id
        let trainingData = context.dataFile
        let deployConfig = config
        let service = self.service
        do {
            let (result, version, promoted) = try await service.onEngine { () throws -> (StageResult, String?, Bool) in
                try DeployStep.deploy(
                    service: service,
                    run: run,
                    definition: definition,
                    config: deployConfig,
                    artifact: artifact,
                    trainingData: trainingData,
                    jobID: jobID,
                    existing: existing
                )
            }
            context.version = version
            context.promoted = promoted
            return result
        } catch {
            return .failed("deploy: \(error)")
        }
    }

    private func monitor(_ context: Context) async -> StageResult {
        guard context.promoted, let version = context.version else {
            return .skipped(
                "the new version was not promoted (deploy.promote is false); production and its monitoring are unchanged"
            )
        }
        let service = self.service
        let model = context.run.model
        let resolve = context.definition.resolveAlerts
        do {
            return try await service.onEngine {
                try DeployStep.monitor(service: service, model: model, version: version, resolveAlerts: resolve)
            }
        } catch {
            return .failed("monitor: \(error)")
        }
    }

    // MARK: - Children

    /// Runs a stage command under the trainer contract.
    private func runChild(
        _ stage: PipelineStage,
        command: PipelineDefinition.Command,
        context: Context,
        data: String?,
        modelDir: String?
    ) async -> StageResult {
        let dir = context.stageDir(stage)
        let output = context.outputDir(stage)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            return .failed("cannot create \(output): \(error.localizedDescription)")
        }
        var environment: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": dir, "TZ": "UTC",
        ]
        for (key, value) in command.environment { environment[key] = value }
        environment["MLOPSD_RUN_ID"] = runID
        environment["MLOPSD_MODEL"] = context.run.model
        environment["MLOPSD_STAGE"] = stage.rawValue
        environment["MLOPSD_OUTPUT"] = output
        environment["MLOPSD_PARAMS"] = context.runDir + "/params.json"
        environment["MLOPSD_MODEL_SPEC"] = context.runDir + "/model-spec.json"
        if let data { environment["MLOPSD_DATA"] = data }
        if let modelDir { environment["MLOPSD_MODEL_DIR"] = modelDir }
        let timeout = command.timeout ?? context.config.stageTimeout
        if case .slurm(let settings) = command.executor {
            let job = SlurmBatchJob(
                argv: command.argv,
                workingDirectory: dir,
                environment: environment,
                name: SlurmBatchJob.name(run: runID, stage: stage),
                settings: settings,
                timeout: timeout
            )
            return await SlurmStage.run(
                job,
                run: runID,
                stage: stage,
                model: context.run.model,
                config: context.config,
                service: service
            )
        }
        return await StageChild.run(
            argv: command.argv,
            workingDirectory: dir,
            environment: environment,
            timeout: timeout,
            grace: context.config.stopGrace,
            run: runID,
            stage: stage,
            model: context.run.model,
            service: service
        )
    }

    // MARK: - Ending

    private func stopError(_ outcome: StageOutcome) -> JobError {
        outcome == .cancelled
            ? JobError(.cancelled, "the run was cancelled by a cancel-pipeline job")
            : JobError(
                .interrupted,
                "mlopsd stopped while the run was in progress",
                fix: "submit the run-pipeline job again under a new id"
            )
    }

    private func stopped(at stage: PipelineStage) async {
        let reason = service.scheduler.stopReason(runID) ?? .cancelled
        await end(reason == .interrupted ? .interrupted : .cancelled, error: stopError(reason), runningStage: reason)
    }

    /// Ends the run: its state, its job's final result, the alert, the journal entry.
    private func end(
        _ state: RunState,
        version: String? = nil,
        error: JobError? = nil,
        runningStage: StageOutcome = .failed
    ) async {
        let service = self.service
        let id = runID
        do {
            try await service.onEngine {
                let end = try service.store.write { db in
                    try PipelineService.finish(
                        db,
                        id: id,
                        state: state,
                        version: version,
                        error: error,
                        runningStage: runningStage,
                        at: Date()
                    )
                }
                end.publish(spool: service.spool, registry: service.registry, logger: service.logger)
                service.ranEnd()
            }
        } catch {
            logger.error(
                "cannot record the end of pipeline run \(id): \(error)",
                metadata: ["run": "\(id)", "event": LogEvent.storeError.metadataValue]
            )
        }
    }

    /// Rewrites the run-pipeline job's `running` result with the current stage.
    private func progress() async {
        let service = self.service
        let id = runID
        try? await service.onEngine {
            let publication = try service.store.read { db -> LongJobs.Publication? in
                guard let run = try RunStore.run(db, id: id), let job = run.jobID else { return nil }
                let result = try JSONValue(encoding: run.document)
                return try LongJobs.complete(db, job: job, status: .running, result: result, error: nil, at: Date())
            }
            if let publication { try LongJobs(spool: service.spool).publish(publication) }
        }
    }
}
