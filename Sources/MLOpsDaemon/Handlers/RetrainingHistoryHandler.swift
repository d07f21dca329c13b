import Foundation
import GRDB
import MLOpsCore

/// `retraining-history`: every retraining (automatic and manual) and every trigger held
/// back, newest first, with trigger, evidence, run, outcome, duration and version.
public struct RetrainingHistoryHandler: JobHandler {
    public init() {}

    public var spec: KindSpec { RetrainingKinds.retrainingHistory }

    public func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        let entries = try RetrainingHistory.entries(
            db, model: job.model, trigger: job.params["trigger"]?.stringValue,
            includeSuppressed: job.params["include_suppressed"]?.boolValue ?? true, limit: job.params["limit"]?.intValue ?? 50,
            now: context.now)
        return .succeeded(["entries": .array(entries.map(\.document)), "count": .int(entries.count)])
    }
}
