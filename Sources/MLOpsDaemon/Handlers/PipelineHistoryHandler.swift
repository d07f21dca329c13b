import Foundation
import GRDB
import MLOpsCore

/// `pipeline-history`: runs newest first with their stages (outcome, duration, exit
/// status, report), the version each produced, and per-state counts.
extension Kinds.PipelineHistory: JobHandling {

    /// Also works for a model that is no longer registered.
    public var requiresRegisteredModel: Bool { false }

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        if let id = job.parameters.run {
            guard let run = try RunStore.run(db, id: id), job.model == nil || run.model == job.model else {
                return .rejected(
                    JobError(
                        .conflict,
                        "there is no pipeline run `\(id)`",
                        at: job.mark(ofParam: "run"),
                        fix: "list runs with `mlopsctl runs`"
                    )
                )
            }
            return .succeeded(Result(runs: [run.document], byState: nil))
        }
        let state = job.parameters.state
        let limit = job.parameters.limit
        let runs = try RunStore.runs(db, model: job.model, state: state, limit: limit)
        let counts = try RunStore.countsByState(db, model: job.model)
        return .succeeded(Result(runs: runs.map(\.document), byState: counts))
    }
}
