import Foundation
import GRDB
import Logging
import MLOpsCore

/// `log-predictions`: checks every record against the model's schema (all or nothing: a
/// file with one bad row ingests nothing and the result names the row and column), stores
/// the new ones, skips ids already logged (so a file submitted twice is not counted
/// twice), and runs the monitoring checks when `check_every_predictions` new predictions
/// have arrived since the last check.
///
/// A file larger than `inline_data_file_bytes` is staged (``StagedJobHandling``): read in
/// blocks and stored in chunks beside the engine by ``PredictionIngestion``, then made seen
/// by this job's commit.
extension Kinds.LogPredictions: StagedJobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        if let staging = context.staging {
            return try commit(job, staging: staging, spec: spec, context: context, db: db)
        }
        let version: String?
        switch try Self.version(of: job, model: model, db: db) {
        case .success(let found): version = found
        case .failure(let error): return .rejected(error)
        }
        let now = Timestamp.string(context.now)
        let parser = PredictionParser(spec: spec, now: now)
        let outcome: PredictionParser.Outcome
        var source = "records"
        switch job.parameters.source {
        case .inline(let items):
            outcome = parser.parse(objects: items)
        case .file(let path, let format):
            source = (path as NSString).lastPathComponent
            // A file the job may not use (outside the data roots, unreadable to its
            // submitter, not a regular file, not parseable) rejects the job: nothing ran.
            let content: DataFile.Content
            do {
                content = try DataFile.load(path, format: format, named: job.mark(ofParam: "file"), context: context)
            } catch {
                return .rejected(error)
            }
            switch content {
            case .table(let table): outcome = parser.parse(table: table)
            case .objects(let objects, let lines): outcome = parser.parse(objects: objects, lines: lines)
            }
        }
        if !outcome.problems.isEmpty {
            return .rejected(
                Self.rejection(
                    outcome,
                    source: source,
                    mark: job.mark(ofParam: job.parameters.source.parameterName(inlineKey: "records"))
                )
            )
        }

        let inserter = try PredictionStore.inserter(db)
        var ingested = 0
        var labelled = 0
        var duplicates: [String] = []
        var duplicateCount = 0
        for record in outcome.records {
            if try inserter.insert(record, model: model, version: version, now: now, job: job.id) {
                ingested += 1
                if record.label != nil { labelled += 1 }
            } else {
                duplicateCount += 1
                if duplicates.count < 20 { duplicates.append(record.id) }
            }
        }
        let stored = PredictionIngestion.Staged(
            received: outcome.records.count,
            ingested: ingested,
            labelled: labelled,
            duplicates: duplicateCount,
            duplicateIds: duplicates,
            ignoredColumns: outcome.ignoredColumns
        )
        return .succeeded(try finish(job, stored: stored, version: version, spec: spec, context: context, db: db))
    }

    /// The version the predictions are logged against: `version:` when it names one of the
    /// model's versions (else the refusal), or the production version (nil: none).
    static func version(of job: Job<Self>, model: String, db: Database) throws -> Swift.Result<String?, JobError> {
        guard let named = job.parameters.version else {
            return .success(try VersionStore.production(db, model: model)?.version)
        }
        guard try VersionStore.version(db, model: model, version: named) != nil else {
            return .failure(
                VersionStore.unknownVersion(
                    named,
                    of: model,
                    among: try VersionStore.versions(db, model: model),
                    at: job.mark(ofParam: "version")
                )
            )
        }
        return .success(named)
    }

    /// The bookkeeping of stored predictions, in the job's transaction: the counts towards
    /// the next check, the result, and the check when one is due.
    static func finish(
        _ job: Job<Self>,
        stored: PredictionIngestion.Staged,
        version: String?,
        spec: ModelSpec,
        context: JobContext,
        db: Database
    ) throws -> Result {
        let model = try job.requiredModel
        try MonitoringState.add(db, model: model, predictions: stored.ingested, labels: stored.labelled)
        var result = Result(
            model: model,
            version: version,
            received: stored.received,
            ingested: stored.ingested,
            labelled: stored.labelled,
            duplicates: stored.duplicates,
            duplicateIds: stored.duplicateIds,
            ignoredColumns: stored.ignoredColumns
        )
        if version == nil {
            result.note =
                "\(model) has no production version: these predictions are stored but not monitored; "
                + "name `version:` or promote a version"
        }
        result.check = try MonitorRunner.runIfDue(db, model: model, spec: spec, context: context, job: job)
        return result
    }

    // MARK: - Staging

    /// The predictions a staging stored, and against which version.
    struct Stored: Sendable {
        var staged: PredictionIngestion.Staged
        var version: String?
    }

    static func needsStaging(_ job: Job<Self>, config: DaemonConfig) -> Bool {
        guard case .file(let path, _) = job.parameters.source else { return false }
        return DataFile.isAboveInlineSize(path, config: config)
    }

    static func stage(_ job: Job<Self>, context: StagingContext) -> StagingResult {
        guard case .file(let path, let format) = job.parameters.source, let model = job.model else {
            return .failed(JobError(.internalError, "job \(job.id) has no data file to stage"))
        }
        let mark = job.mark(ofParam: "file")
        let spec: ModelSpec
        let version: String?
        do {
            let read = try context.store.read { db -> Swift.Result<(ModelSpec, String?), JobError> in
                let spec = try ModelSpecs.spec(db, model: model)
                return try Self.version(of: job, model: model, db: db).map { (spec, $0) }
            }
            switch read {
            case .success(let found): (spec, version) = found
            case .failure(let error): return .rejected(error)
            }
        } catch let error as JobError {
            return .failed(error)
        } catch {
            return .storageFailed(error)
        }
        let file: DataFile.Opened
        do {
            file = try DataFile.open(
                path,
                format: format?.rawValue,
                roots: context.config.dataRoots,
                maxBytes: context.config.maxDataFileBytes,
                mark: mark,
                submitterUID: context.submitterUID
            )
        } catch {
            return .rejected(error)
        }
        defer { file.close() }
        let now = Timestamp.string(context.now)
        let ingestion = PredictionIngestion(
            store: context.store,
            job: job.id,
            model: model,
            version: version,
            now: now,
            parser: PredictionParser(spec: spec, now: now)
        )
        do {
            let staged = try ingestion.run(
                file: file,
                source: (path as NSString).lastPathComponent,
                mark: mark,
                maxColumns: context.config.maxColumns,
                isCancelled: context.isCancelled
            )
            return .staged(Stored(staged: staged, version: version))
        } catch {
            switch error {
            case .refused(let refusal): return .rejected(refusal)
            case .store(let failure): return .storageFailed(failure)
            case .cancelled: return .cancelled
            }
        }
    }

    /// The job's commit after its staging: the stored rows become seen with the job's
    /// completion record, or the staging's refusal becomes the job's.
    static func commit(
        _ job: Job<Self>,
        staging: StagingResult,
        spec: ModelSpec,
        context: JobContext,
        db: Database
    ) throws -> Outcome<Result> {
        switch staging {
        case .rejected(let error): return .rejected(error)
        case .failed(let error): return .failed(error)
        case .storageFailed, .cancelled:
            return .failed(JobError(.internalError, "job \(job.id) reached its commit without its staged predictions"))
        case .staged(let value):
            guard let stored = value as? Stored, try PendingIngestions.commit(db, job: job.id) else {
                return .failed(JobError(.internalError, "the predictions staged for job \(job.id) are gone"))
            }
            return .succeeded(
                try finish(job, stored: stored.staged, version: stored.version, spec: spec, context: context, db: db)
            )
        }
    }

    /// The rejection for a submission with problems: the first problem as the message's
    /// lead, every listed one after it.
    static func rejection(_ outcome: PredictionParser.Outcome, source: String, mark: SourceMark?) -> JobError {
        let count = outcome.problems.count + outcome.more
        var message =
            "\(source): \(count) problem\(count == 1 ? "" : "s"); nothing was ingested: "
            + outcome.problems.map(\.description).joined(separator: "; ")
        if outcome.more > 0 { message += "; and \(outcome.more) more" }
        return JobError(.invalidValue, message, at: mark, fix: "fix the rows named and submit the whole file again")
    }
}
