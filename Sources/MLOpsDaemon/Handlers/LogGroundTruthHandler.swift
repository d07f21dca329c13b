import Foundation
import GRDB
import Logging
import MLOpsCore

/// `log-ground-truth`: joins labels to logged predictions by id. A label for an id that
/// was never logged is reported in the result and the journal, never silently dropped; a
/// label that changes an earlier one is counted as relabelled. Every
/// `check_every_predictions` new labels run the checks (decay is judged on labels).
extension Kinds.LogGroundTruth: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let source: String
        let entries: [Entry]
        switch try Self.entries(of: job, context: context) {
        case .success(let read): (source, entries) = read
        case .failure(let error): return .rejected(error)
        }

        // Check every label before changing anything.
        var problems: [PredictionParser.Problem] = []
        var more = 0
        var seen: [String: Int] = [:]
        let classes = spec.classes.map(Set.init)
        for entry in entries {
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
        if !problems.isEmpty {
            let outcome = PredictionParser.Outcome(records: [], problems: problems, more: more, ignoredColumns: [])
            return .rejected(
                Kinds.LogPredictions.rejection(
                    outcome,
                    source: source,
                    mark: job.mark(ofParam: job.parameters.source.parameterName(inlineKey: "labels"))
                )
            )
        }

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

    /// The job's labels in submission order, read from the job or its file (the file
    /// loading log-predictions shares), with the source's name for messages; a file the job
    /// may not use (outside the data roots, unreadable to its submitter, not a regular
    /// file, not parseable) is the refusal.
    static func entries(of job: Job<Self>, context: JobContext) throws -> Swift.Result<(String, [Entry]), JobError> {
        switch job.parameters.source {
        case .inline(let labels):
            return .success(("labels", labels.enumerated().map { (i, item) in (item.id, item.label, i + 1, nil) }))
        case .file(let path, let format):
            let source = (path as NSString).lastPathComponent
            let content: DataFile.Content
            do {
                content = try DataFile.load(path, format: format, named: job.mark(ofParam: "file"), context: context)
            } catch {
                return .failure(error)
            }
            var entries: [Entry] = []
            switch content {
            case .table(let table):
                guard let idColumn = table.column("id"), let labelColumn = table.column("label") else {
                    return .failure(
                        JobError(
                            .invalidValue,
                            "\(source): the header needs `id` and `label` columns (it has "
                                + table.header.joined(separator: ", ") + ")",
                            at: job.mark(ofParam: "file")
                        )
                    )
                }
                for (r, row) in table.rows.enumerated() {
                    entries.append((row[idColumn], row[labelColumn], r + 1, table.rowLines[r]))
                }
            case .objects(let objects, let lines):
                for (i, object) in objects.enumerated() {
                    let id = object["id"].flatMap(PredictionParser.text(of:)) ?? ""
                    let label = object["label"].flatMap(PredictionParser.text(of:)) ?? ""
                    entries.append((id, label, i + 1, lines[i]))
                }
            }
            return .success((source, entries))
        }
    }
}
