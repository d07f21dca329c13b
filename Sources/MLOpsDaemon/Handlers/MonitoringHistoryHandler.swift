import Foundation
import GRDB
import MLOpsCore

/// `monitoring-history`: the stored checks of a model over a time range, oldest first, each
/// with its trend figures and the alerts it opened, updated or resolved (``MonitoringTrend``).
/// Read-only.
extension Kinds.MonitoringHistory: JobHandling {
    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let bounds: (since: String?, until: String?)
        switch MonitoringTrend.bounds(job.parameters, job: job) {
        case .success(let value): bounds = value
        case .failure(let refusal): return .rejected(refusal)
        }
        let stretch = try MonitoringTrend.read(
            db,
            model: model,
            since: bounds.since,
            until: bounds.until,
            limit: job.parameters.last
        )
        return .succeeded(Result(model: model, checks: stretch.checks))
    }
}
