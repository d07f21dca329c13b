import Foundation
import GRDB
import Logging
import MLOpsCore

/// `log-predictions`: checks every record against the model's schema (all or nothing: a
/// file with one bad row ingests nothing and the result names the row and column), stores
/// the new ones, skips ids already logged (so a file submitted twice is not counted
/// twice), and runs the monitoring checks when `check_every_predictions` new predictions
/// have arrived since the last check.
extension Kinds.LogPredictions: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        var version = try VersionStore.production(db, model: model)?.version
        if let named = job.parameters.version {
            guard try VersionStore.version(db, model: model, version: named) != nil else {
                return .rejected(
                    VersionStore.unknownVersion(
                        named,
                        of: model,
                        among: try VersionStore.versions(db, model: model),
                        at: job.mark(ofParam: "version")
                    )
                )
            }
            version = named
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
        try MonitoringState.add(db, model: model, predictions: ingested, labels: labelled)
        var result = Result(
            model: model,
            version: version,
            received: outcome.records.count,
            ingested: ingested,
            labelled: labelled,
            duplicates: duplicateCount,
            duplicateIds: duplicates,
            ignoredColumns: outcome.ignoredColumns
        )
        if version == nil {
            result.note =
                "\(model) has no production version: these predictions are stored but not monitored; "
                + "name `version:` or promote a version"
        }
        result.check = try MonitorRunner.runIfDue(db, model: model, spec: spec, context: context, job: job)
        return .succeeded(result)
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
