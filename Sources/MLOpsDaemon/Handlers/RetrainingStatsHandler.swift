import Foundation
import GRDB
import MLOpsCore

/// `retraining-stats`: statistics of retraining for one model or all: by trigger and
/// outcome, reasons held back, success rate, durations, time from detection to deployment.
extension Kinds.RetrainingStats: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let since = job.parameters.days.map { context.now.addingTimeInterval(-$0 * 86_400) }
        let entries = try RetrainingHistory.entries(db, model: job.model, since: since, now: context.now)
        return .succeeded(
            Result(
                statistics: RetrainingHistory.statistics(entries),
                model: job.model,
                since: since.map(Timestamp.string)
            )
        )
    }
}
