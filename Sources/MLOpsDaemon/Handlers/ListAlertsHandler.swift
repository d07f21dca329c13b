import Foundation
import GRDB
import MLOpsCore

/// `list-alerts`: open alerts (and resolved ones on request), newest first, for one model
/// or all.
extension Kinds.ListAlerts: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let parameters = job.parameters
        let alerts = try AlertBook.list(
            db,
            model: job.model,
            type: parameters.type,
            includeResolved: parameters.includeResolved,
            limit: parameters.limit
        )
        return .succeeded(Result(alerts: alerts))
    }
}
