import Foundation
import GRDB
import MLOpsCore

/// `retraining-history`: every retraining (automatic and manual) and every trigger held
/// back, newest first, with trigger, evidence, run, outcome, duration and version.
extension Kinds.RetrainingHistory: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let entries = try RetrainingHistory.entries(
            db,
            model: job.model,
            trigger: job.parameters.trigger?.rawValue,
            includeSuppressed: job.parameters.includeSuppressed,
            limit: job.parameters.limit,
            now: context.now
        )
        return .succeeded(Result(entries: entries.map(\.document)))
    }
}
