import Foundation
import GRDB
import Logging
import MLOpsCore

/// `log-ground-truth`: joins labels to logged predictions by id. A label for an id that
/// was never logged is reported in the result and the journal, never silently dropped; a
/// label that changes an earlier one is counted as relabelled. Every
/// `check_every_predictions` new labels run the checks (decay is judged on labels).
///
/// A file larger than `inline_data_file_bytes` is read and checked beside the engine
/// (``StagedJobHandling``); the labels are then joined in the job's commit.
extension Kinds.LogGroundTruth: StagedJobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let labels: Labels
        switch context.staging {
        case .staged(let value as Labels):
            labels = value
        case .rejected(let error):
            return .rejected(error)
        case .failed(let error):
            return .failed(error)
        case .staged, .storageFailed, .cancelled:
            return .failed(JobError(.internalError, "job \(job.id) reached its commit without its staged labels"))
        case nil:
            switch try Self.entries(of: job, context: context) {
            case .success(let read): labels = read
            case .failure(let error): return .rejected(error)
            }
            if let refusal = Self.check(labels, spec: spec, job: job) { return .rejected(refusal) }
        }
        let entries = labels.entries

        let now = Timestamp.string(context.now)
        let labeller = try PredictionStore.labeller(db)
        var labelled = 0
        var relabelled = 0
        var unchanged = 0
        var unknown: [String] = []
        var unknownCount = 0
        for entry in entries {
            guard let previous = try labeller.label(model: model, id: entry.id) else {
                unknownCount += 1
                if unknown.count < 50 { unknown.append(entry.id) }
                continue
            }
            if previous == entry.label {
                unchanged += 1
                continue
            }
            try labeller.setLabel(entry.label, model: model, id: entry.id, now: now)
            if previous == nil { labelled += 1 } else { relabelled += 1 }
        }
        try MonitoringState.add(db, model: model, predictions: 0, labels: labelled + relabelled)
        var result = Result(
            model: model,
            received: entries.count,
            labelled: labelled,
            relabelled: relabelled,
            unchanged: unchanged,
            unknown: unknownCount,
            unknownIds: unknown
        )
        if unknownCount > 0 {
            let logger = context.logger
            let sample = unknown.prefix(5).joined(separator: ", ")
            context.afterCommit.add {
                logger.warning(
                    "\(unknownCount) labels for \(model) name predictions that were never logged (e.g. \(sample)); they were not stored",
                    metadata: [
                        "event": LogEvent.labelsUnmatched.metadataValue, "model": .string(model),
                        "job": .string(job.id),
                    ]
                )
            }
        }
        result.check = try MonitorRunner.runIfDue(db, model: model, spec: spec, context: context, job: job)
        return .succeeded(result)
    }

    /// One label as submitted: the prediction's id, the label, its row and (in a file) line.
    typealias Entry = (id: String, label: String, row: Int, line: Int?)

    /// A submission's labels in submission order, with the source's name for messages.
    struct Labels: Sendable {
        var source: String
        var entries: [Entry]
    }

    /// The refusal of labels that break a rule (every one checked before anything changes):
    /// an empty id or label, an id given twice, a label that is not one of the model's
    /// classes (or not a number, for a regression); nil when all are good.
    static func check(_ labels: Labels, spec: ModelSpec, job: Job<Self>) -> JobError? {
        var problems: [PredictionParser.Problem] = []
        var more = 0
        var seen: [String: Int] = [:]
        let classes = spec.classes.map(Set.init)
        for entry in labels.entries {
            var message: String?
            var column = "label"
            if entry.id.isEmpty {
                (message, column) = ("every label needs the id of its prediction", "id")
            } else if let first = seen[entry.id] {
                (message, column) = ("id \(EchoedValue.quoted(entry.id)) is also the id of row \(first)", "id")
            } else if entry.label.isEmpty {
                message = "the label is empty"
            } else if spec.task == .regression, Double(entry.label)?.isFinite != true {
                message = "\(EchoedValue.quoted(entry.label)) is not a number (the model is a regression)"
            } else if spec.task != .regression, let classes, !classes.contains(entry.label) {
                message =
                    "\(EchoedValue.quoted(entry.label)) is not one of the model's classes ("
                    + (spec.classes ?? []).joined(separator: ", ") + ")"
            }
            seen[entry.id] = seen[entry.id] ?? entry.row
            if let message {
                if problems.count < PredictionParser.maxProblems {
                    problems.append(.init(row: entry.row, line: entry.line, column: column, message: message))
                } else {
                    more += 1
                }
            }
        }
        guard !problems.isEmpty else { return nil }
        let outcome = PredictionParser.Outcome(records: [], problems: problems, more: more, ignoredColumns: [])
        return Kinds.LogPredictions.rejection(
            outcome,
            source: labels.source,
            mark: job.mark(ofParam: job.parameters.source.parameterName(inlineKey: "labels"))
        )
    }

    /// The job's labels, read from the job or its file (under the rules log-predictions'
    /// files follow, read in blocks); a file the job may not use (outside the data roots,
    /// unreadable to its submitter, not a regular file, not parseable) is the refusal.
    static func entries(of job: Job<Self>, context: JobContext) throws -> Swift.Result<Labels, JobError> {
        switch job.parameters.source {
        case .inline(let labels):
            return .success(
                Labels(
                    source: "labels",
                    entries: labels.enumerated().map { (i, item) in (item.id, item.label, i + 1, nil) }
                )
            )
        case .file(let path, let format):
            return read(
                path,
                format: format,
                mark: job.mark(ofParam: "file"),
                config: context.config,
                submitterUID: context.submitterUID
            )
        }
    }

    /// Reads the labels file `path` in blocks: a CSV with `id` and `label` columns, or JSON
    /// Lines with `id` and `label` keys.
    static func read(
        _ path: String,
        format: DataFormat?,
        mark: SourceMark?,
        config: DaemonConfig,
        submitterUID: UInt32,
        isCancelled: () -> Bool = { false }
    ) -> Swift.Result<Labels, JobError> {
        let source = (path as NSString).lastPathComponent
        let file: DataFile.Opened
        do {
            file = try DataFile.open(
                path,
                format: format?.rawValue,
                roots: config.dataRoots,
                maxBytes: config.maxDataFileBytes,
                mark: mark,
                submitterUID: submitterUID
            )
        } catch {
            return .failure(error)
        }
        defer { file.close() }
        var entries: [Entry] = []
        var columns: (id: Int, label: Int)?
        var missing: JobError?
        do {
            try file.forEachRecord(
                maxRecords: MonitoringKinds.maxFileRecords,
                maxColumns: config.maxColumns,
                mark: mark,
                header: { header in
                    if let id = header.firstIndex(of: "id"), let label = header.firstIndex(of: "label") {
                        columns = (id, label)
                    } else {
                        missing = JobError(
                            .invalidValue,
                            "\(source): the header needs `id` and `label` columns (it has "
                                + header.joined(separator: ", ") + ")",
                            at: mark
                        )
                    }
                },
                row: { fields, line in
                    guard let columns else { return }
                    entries.append((fields[columns.id], fields[columns.label], entries.count + 1, line))
                },
                object: { object, line in
                    let id = object["id"].flatMap(PredictionParser.text(of:)) ?? ""
                    let label = object["label"].flatMap(PredictionParser.text(of:)) ?? ""
                    entries.append((id, label, entries.count + 1, line))
                },
                afterBlock: {
                    if isCancelled() { throw CancellationError() }
                }
            )
        } catch let error as JobError {
            return .failure(error)
        } catch {
            return .failure(JobError(.badArtifact, "cannot read \(path): \(error)", at: mark))
        }
        if let missing { return .failure(missing) }
        return .success(Labels(source: source, entries: entries))
    }

    // MARK: - Staging

    static func needsStaging(_ job: Job<Self>, config: DaemonConfig) -> Bool {
        guard case .file(let path, _) = job.parameters.source else { return false }
        return DataFile.isAboveInlineSize(path, config: config)
    }

    static func stage(_ job: Job<Self>, context: StagingContext) -> StagingResult {
        guard case .file(let path, let format) = job.parameters.source, let model = job.model else {
            return .failed(JobError(.internalError, "job \(job.id) has no labels file to stage"))
        }
        let spec: ModelSpec
        do {
            spec = try context.store.read { db in try ModelSpecs.spec(db, model: model) }
        } catch let error as JobError {
            return .failed(error)
        } catch {
            return .storageFailed(error)
        }
        switch read(
            path,
            format: format,
            mark: job.mark(ofParam: "file"),
            config: context.config,
            submitterUID: context.submitterUID,
            isCancelled: context.isCancelled
        ) {
        case .failure(let error):
            return context.isCancelled() ? .cancelled : .rejected(error)
        case .success(let labels):
            if let refusal = check(labels, spec: spec, job: job) { return .rejected(refusal) }
            return .staged(labels)
        }
    }
}
