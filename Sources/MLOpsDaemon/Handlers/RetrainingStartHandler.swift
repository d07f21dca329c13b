import Foundation
import GRDB
import MLOpsCore

/// `retraining-start`: switches automated retraining on for one model or all, with the
/// pipeline and parameters automatic runs use. They are checked now with run-pipeline's
/// rules (declared parameters, paths under the data roots), so a broken setting is
/// refused when the switch goes on, not when the first automatic run would start.
extension Kinds.RetrainingStart: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        guard let service = context.pipelines else {
            throw JobError(.internalError, "this daemon runs without pipelines")
        }
        let models = try RetrainingSwitch.models(db, job: job)
        guard !models.isEmpty else {
            return .rejected(
                JobError(
                    .conflict,
                    "no model is registered, so there is nothing to switch on",
                    fix: "register a model first"
                )
            )
        }
        let givenParams = job.parameters.params
        let givenPipeline = job.parameters.pipeline
        let catalog = service.catalog
        var saved: [RetrainingSettingsDocument] = []
        for model in models {
            let spec = try ModelSpecs.spec(db, model: model)
            let existing = try RetrainingSettings.load(db, model: model)
            let pipeline = givenPipeline ?? existing?.pipeline
            let name = pipeline ?? spec.pipeline
            let prefix = models.count > 1 ? "model `\(model)`: " : ""
            guard let definition = catalog.definition(name) else {
                return .rejected(
                    JobError(
                        .unknownPipeline,
                        "\(prefix)there is no pipeline `\(name)` in \(catalog.directory.isEmpty ? "pipelines_dir" : catalog.directory)",
                        at: job.mark(ofParam: "pipeline"),
                        fix: Suggestion.closest(to: name, among: catalog.names).map { "did you mean `\($0)`?" }
                            ?? "pipelines: " + catalog.names.joined(separator: ", ")
                    )
                )
            }
            let params = givenParams ?? existing?.params ?? [:]
            if case .failure(var error) = PipelineService.resolveParameters(
                params,
                for: definition,
                fallback: job.mark(ofParam: "params"),
                config: context.config,
                submitterUID: context.submitterUID
            ) {
                error.message = prefix + "the parameters automatic runs would use were refused: " + error.message
                if error.line == nil, let mark = job.mark(ofParam: "params") {
                    error.line = mark.line
                    error.column = mark.column
                }
                return .rejected(error)
            }
            let settings = RetrainingSettings(
                model: model,
                enabled: true,
                pipeline: pipeline,
                params: params,
                scheduledSlot: existing?.scheduledSlot,
                updatedAt: Timestamp.string(context.now),
                updatedBy: context.submittedBy,
                jobID: job.id,
                reason: job.reason
            )
            try RetrainingSwitch.record(db, settings: settings, job: job, context: context)
            saved.append(settings.document)
        }
        return .succeeded(Result(models: saved))
    }
}
