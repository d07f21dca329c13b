import Foundation
import GRDB
import MLOpsCore

/// `retraining-trigger`: retrains a model now, with trigger `manual`. It behaves like
/// run-pipeline (the result says `running`, follows the run, and ends with it; one run
/// per model), and is recorded in the retraining history. Without parameters it uses
/// the model's retraining settings (`retraining-start`), else the model's pipeline.
/// Manual retrainings are not held back by the cooldown or the daily cap, but they
/// start the model's cooldown for automatic ones.
extension Kinds.RetrainingTrigger: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        guard let service = context.pipelines else {
            throw JobError(.internalError, "this daemon runs without pipelines")
        }
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let settings = try RetrainingSettings.load(db, model: model)
        var given = job.parameters.values
        let fromSettings = given.isEmpty && settings != nil && job.parameters.pipeline == nil
        let name = job.parameters.pipeline ?? settings?.pipeline ?? spec.pipeline
        if fromSettings, let settings { given = settings.params }
        let catalog = service.catalog
        guard let definition = catalog.definition(name) else {
            return .rejected(
                JobError(
                    .unknownPipeline,
                    "there is no pipeline `\(name)` in \(catalog.directory.isEmpty ? "pipelines_dir" : catalog.directory)",
                    at: job.mark(ofParam: "pipeline"),
                    fix: Suggestion.closest(to: name, among: catalog.names).map { "did you mean `\($0)`?" }
                        ?? "pipelines: " + catalog.names.joined(separator: ", ")
                )
            )
        }
        let outcome = try service.queueRun(
            db,
            model: model,
            definition: definition,
            given: given,
            marks: fromSettings ? [:] : job.paramMarks,
            fallback: job.mark(ofParam: ""),
            modelMark: job.modelMark,
            trigger: RetrainingTrigger.manual.rawValue,
            jobID: job.id,
            submittedBy: context.submittedBy,
            submitterUID: context.submitterUID,
            config: context.config,
            now: context.now,
            afterCommit: context.afterCommit
        )
        switch outcome {
        case .runActive(_, let error):
            // The settings are fine: the model is busy. The error names the run and the way out.
            return .rejected(error)
        case .refused(var error):
            if fromSettings { error.message = "the retraining settings' parameters were refused: " + error.message }
            return .rejected(error)
        case .queued(let run):
            var evidence: [String: JSONValue] = ["params_from": .string(fromSettings ? "retraining_settings" : "job")]
            if let reason = job.reason { evidence["reason"] = .string(reason) }
            try RetrainingAutomation.fired(
                db,
                model: model,
                trigger: .manual,
                run: run,
                evidence: .object(evidence),
                checkSeq: nil,
                detectedAt: context.now,
                jobID: job.id,
                submittedBy: context.submittedBy,
                context: context
            )
            return .started(run.document)
        }
    }
}
