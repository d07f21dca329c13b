import Foundation
import GRDB
import Logging
import MLOpsCore

/// `log-ground-truth`: joins labels to logged predictions by id. A label for an id that
/// was never logged is reported in the result and the journal, never silently dropped; a
/// label that changes an earlier one is counted as relabelled. Every
/// `check_every_predictions` new labels run the checks (decay is judged on labels).
public struct LogGroundTruthHandler: JobHandler {
    public init() {}

    public var spec: KindSpec { MonitoringKinds.logGroundTruth }

    public func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        guard let model = job.model else { return .rejected(JobError(.missingField, "log-ground-truth needs `model:`")) }
        let spec = try ModelSpecs.spec(db, model: model)
        // (id, label, row, line) in submission order.
        var entries: [(id: String, label: String, row: Int, line: Int?)] = []
        var source = "labels"
        if case .array(let items)? = job.params["labels"] {
            for (i, item) in items.enumerated() {
                entries.append((item["id"]?.stringValue ?? "", item["label"]?.stringValue ?? "", i + 1, nil))
            }
        } else if let path = job.params["file"]?.stringValue {
            source = (path as NSString).lastPathComponent
            // A file the job may not use (outside the data roots, unreadable to its
            // submitter, not a regular file, not parseable) rejects the job: nothing ran.
            let content: DataFile.Content
            do {
                content = try DataFile.load(fileOf: job, path: path, context: context)
            } catch {
                return .rejected(error)
            }
            switch content {
            case .table(let table):
                guard let idColumn = table.column("id"), let labelColumn = table.column("label") else {
                    return .rejected(JobError(.invalidValue, "\(source): the header needs `id` and `label` columns (it has "
                                              + table.header.joined(separator: ", ") + ")", at: job.mark(ofParam: "file")))
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
        } else {
            return .rejected(JobError(.missingField, "give `labels` or `file`"))
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
                (message, column) = ("id `\(entry.id)` is also the id of row \(first)", "id")
            } else if entry.label.isEmpty {
                message = "the label is empty"
            } else if spec.task == .regression, Double(entry.label)?.isFinite != true {
                message = "`\(entry.label)` is not a number (the model is a regression)"
            } else if spec.task != .regression, let classes, !classes.contains(entry.label) {
                message = "`\(entry.label)` is not one of the model's classes (" + (spec.classes ?? []).joined(separator: ", ") + ")"
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
            return .rejected(LogPredictionsHandler.rejection(outcome, source: source, mark: job.mark(ofParam: job.params["file"] == nil ? "labels" : "file")))
        }

        let now = Timestamp.string(context.now)
        let lookup = try db.makeStatement(sql: "SELECT label FROM predictions WHERE model = ? AND id = ?")
        let update = try db.makeStatement(sql: "UPDATE predictions SET label = ?, labelled_at = ? WHERE model = ? AND id = ?")
        var labelled = 0
        var relabelled = 0
        var unchanged = 0
        var unknown: [String] = []
        var unknownCount = 0
        for entry in entries {
            guard let row = try Row.fetchOne(lookup, arguments: [model, entry.id]) else {
                unknownCount += 1
                if unknown.count < 50 { unknown.append(entry.id) }
                continue
            }
            let previous: String? = row["label"]
            if previous == entry.label {
                unchanged += 1
                continue
            }
            try update.execute(arguments: [entry.label, now, model, entry.id])
            if previous == nil { labelled += 1 } else { relabelled += 1 }
        }
        try MonitoringState.add(db, model: model, predictions: 0, labels: labelled + relabelled)
        var result: [String: JSONValue] = [
            "model": .string(model), "received": .int(entries.count), "labelled": .int(labelled),
            "relabelled": .int(relabelled), "unchanged": .int(unchanged),
            "unknown": .int(unknownCount), "unknown_ids": .array(unknown.map(JSONValue.string)),
        ]
        if unknownCount > 0 {
            let logger = context.logger
            let sample = unknown.prefix(5).joined(separator: ", ")
            context.afterCommit.add {
                logger.warning(
                    "\(unknownCount) labels for \(model) name predictions that were never logged (e.g. \(sample)); they were not stored",
                    metadata: ["event": LogEvent.labelsUnmatched.metadataValue, "model": .string(model), "job": .string(job.id)])
            }
        }
        if let check = try MonitorRunner.runIfDue(db, model: model, spec: spec, context: context, job: job) {
            result["check"] = check
        }
        return .succeeded(.object(result))
    }
}
