import Foundation
import GRDB
import Logging
import MLOpsCore

/// The registry side of a run, on the engine queue: `deploy` (create the version, then
/// promote it, each through the same code as the `create-version` and
/// `promote-version` jobs) and `monitor` (the new version becomes the baseline).
enum DeployStep {
    /// Creates the version from the run's artifact and promotes it (unless the pipeline
    /// says `promote: false`). Returns the stage result, the version and whether it was
    /// promoted. A promotion that fails (a gate, the deploy hook) leaves the version
    /// created, in `registered`, and fails the stage.
    static func deploy(
        service: PipelineService,
        run: RunRecord,
        definition: PipelineDefinition,
        config: DaemonConfig,
        artifact: String,
        trainingData: String?,
        jobID: String,
        existing: String?
    ) throws
        -> (PipelineRunner.StageResult, String?, Bool)
    {
        var report: [String: JSONValue] = [:]
        let version: String
        if let existing {
            // The ab_test stage created it (in staging) and the challenger won.
            version = existing
            report["version"] = .string(version)
            report["created"] = "by the ab_test stage"
        } else {
            let (created, made) = try create(
                service: service,
                run: run,
                config: config,
                artifact: artifact,
                trainingData: trainingData,
                jobID: jobID,
                staging: false
            )
            guard let made else { return (created, nil, false) }
            version = made
            report["version"] = .string(version)
            report["created"] = created.report
        }
        guard definition.promote else {
            report["promoted"] = false
            return (.succeeded(.object(report)), version, false)
        }
        let promote = Job<Kinds.PromoteVersion>(
            id: jobID,
            model: run.model,
            reason: "pipeline run \(run.id)",
            parameters: .init(version: version, force: false, archive: definition.archive)
        )
        let (promoted, promoteReport) = try step(service: service, job: promote, config: config)
        report["promotion"] = promoteReport
        guard case .succeeded = promoted else {
            var result = failure("promote-version", promoted)
            if case .object(var doc) = result.report {
                doc.merge(report) { a, _ in a }
                result.report = .object(doc)
            }
            return (result, version, false)
        }
        report["promoted"] = true
        return (.succeeded(.object(report)), version, true)
    }

    /// Creates the version from the run's artifact (lineage: run id, parameters, training
    /// data); `staging` puts it in `staging` (the A/B challenger). Returns the result with
    /// the create-version report, and the version (nil when refused).
    static func create(
        service: PipelineService,
        run: RunRecord,
        config: DaemonConfig,
        artifact: String,
        trainingData: String?,
        jobID: String,
        staging: Bool
    ) throws -> (PipelineRunner.StageResult, String?) {
        var parameters: [String: JSONValue] = [:]
        if case .object(let given) = run.params { parameters = given }
        let create = Job<Kinds.CreateVersion>(
            id: jobID,
            model: run.model,
            reason: "pipeline run \(run.id)",
            parameters: .init(
                artifact: artifact,
                trainingData: trainingData,
                runID: run.id,
                parameters: parameters,
                description: "trained by pipeline \(run.pipeline), run \(run.id)",
                stage: staging
            )
        )
        let (created, createReport) = try step(service: service, job: create, config: config)
        guard case .succeeded(let value) = created, let version = value["version"]?.stringValue else {
            return (failure("create-version", created), nil)
        }
        return (.succeeded(createReport), version)
    }

    /// `monitor`: the promoted version's reference data is the baseline from now on (the
    /// monitoring window holds only its own predictions); the drift streak and counters
    /// start again, and the previous version's monitoring alerts resolve.
    static func monitor(
        service: PipelineService,
        model: String,
        version: String,
        resolveAlerts: Bool
    ) throws -> PipelineRunner.StageResult {
        let types: [AlertType] = [
            .dataDrift, .modelDecay, .health, .equipmentChange, .populationChange, .estimatedDecay, .multivariateDrift,
        ]
        let (record, resolved) = try service.store.write { db -> (VersionRecord?, [AlertRecord]) in
            try MonitoringState.reset(db, model: model)
            var resolved: [AlertRecord] = []
            if resolveAlerts {
                for type in types {
                    if let alert = try AlertBook.resolve(db, model: model, type: type, at: Date()) {
                        resolved.append(alert)
                    }
                }
            }
            return (try VersionStore.version(db, model: model, version: version), resolved)
        }
        for alert in resolved { service.registry?.alerts.publish(alert) }
        return .succeeded([
            "baseline_version": .string(version),
            "reference_file": record.map { .string($0.referenceFile) } ?? .null,
            "reference_rows": record.map { .int($0.referenceRows) } ?? .null,
            "alerts_resolved": .array(resolved.map { .string($0.id) }),
        ])
    }

    /// Runs a registry handler in its own transaction, as the engine would run its job:
    /// its effects commit only when it succeeds, then its deferred work runs.
    static func step<Kind: JobHandling>(
        service: PipelineService,
        job: Job<Kind>,
        config: DaemonConfig
    ) throws
        -> (JobOutcome, JSONValue)
    {
        let afterCommit = AfterCommit()
        let context = JobContext(
            submittedBy: "mlopsd",
            submitterUID: getuid(),
            now: Date(),
            config: config,
            logger: service.logger,
            registry: service.registry,
            afterCommit: afterCommit,
            pipelines: service
        )
        var outcome: JobOutcome = .failed(JobError(.internalError, "the step did not run"))
        do {
            try service.store.write { db in
                try db.inSavepoint {
                    do {
                        outcome = try Kind.execute(job, context: context, db: db).erased()
                    } catch let error as JobError {
                        outcome = .failed(error)
                    }
                    switch outcome {
                    case .succeeded, .failedKeepingRecords, .started: return .commit
                    case .failed, .rejected: return .rollback
                    }
                }
            }
        } catch {
            if let registry = service.registry {
                registry.reconcile(store: service.store, config: config, logger: service.logger)
            }
            throw error
        }
        switch outcome {
        case .succeeded, .failedKeepingRecords, .started: afterCommit.run()
        case .failed, .rejected: break
        }
        switch outcome {
        case .succeeded(let value), .started(let value): return (outcome, value)
        case .failed(let error, let value), .failedKeepingRecords(let error, let value):
            return (outcome, value ?? ["error": .string(error.message)])
        case .rejected(let error): return (outcome, ["error": .string(error.message)])
        }
    }

    static func failure(_ step: String, _ outcome: JobOutcome) -> PipelineRunner.StageResult {
        switch outcome {
        case .failed(let error, let value), .failedKeepingRecords(let error, let value):
            return .failed("\(step): \(error.message)", report: value ?? .object([:]), fix: error.fix)
        case .rejected(let error):
            return .failed("\(step): \(error.message)", fix: error.fix)
        case .succeeded, .started:
            return .failed("\(step) did not name the version it made")
        }
    }
}
