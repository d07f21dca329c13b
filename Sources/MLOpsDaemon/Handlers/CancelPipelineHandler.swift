import Foundation
import GRDB
import MLOpsCore

/// `cancel-pipeline`: stops a queued or running run. A queued run ends at once; a running
/// one gets its child's process group stopped (SIGTERM, then SIGKILL after `stop_grace`)
/// and ends `cancelled` moments later; its run-pipeline job's result then says so.
extension Kinds.CancelPipeline: JobHandling {

    /// Also works for a model that is no longer registered (its runs may still be listed).
    public var requiresRegisteredModel: Bool { false }

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        guard let service = context.pipelines else {
            throw JobError(.internalError, "this daemon runs without pipelines")
        }
        let run: RunRecord
        if let id = job.parameters.run {
            guard let found = try RunStore.run(db, id: id), job.model == nil || found.model == job.model else {
                return .rejected(
                    JobError(
                        .conflict,
                        "there is no pipeline run `\(id)`" + (job.model.map { " of model `\($0)`" } ?? ""),
                        at: job.mark(ofParam: "run"),
                        fix: "list runs with `mlopsctl runs`"
                    )
                )
            }
            run = found
        } else if let model = job.model {
            guard let id = try RunStore.active(db, model: model), let found = try RunStore.run(db, id: id) else {
                return .rejected(
                    JobError(
                        .conflict,
                        "model `\(model)` has no queued or running pipeline run",
                        at: job.modelMark,
                        fix: "nothing to cancel; `mlopsctl runs \(model)` lists its runs"
                    )
                )
            }
            run = found
        } else {
            return .rejected(
                JobError(
                    .missingField,
                    "cancel-pipeline needs `model:` or `params.run`",
                    fix: "name the model whose run to cancel, or the run id"
                )
            )
        }
        guard !run.state.isFinal else {
            return .rejected(
                JobError(
                    .conflict,
                    "pipeline run \(run.id) already ended (\(run.state.rawValue))",
                    at: job.mark(ofParam: "run"),
                    fix: "nothing to cancel"
                )
            )
        }
        let by = context.submittedBy
        context.afterCommit.add { service.cancel(run.id, by: by) }
        return .succeeded(
            Result(
                runID: run.id,
                model: run.model,
                stateBefore: run.state,
                stage: run.stage,
                note: "the run ends `cancelled` once its children are gone; its run-pipeline job's result says so"
            )
        )
    }
}
