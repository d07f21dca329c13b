import Foundation
import GRDB
import MLOpsCore

/// `monitor-model`: runs the monitoring checks of one model now; the result is the full
/// report (every column's test, equipment, population, decay, health).
extension Kinds.MonitorModel: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let outcome = try MonitorRunner.run(db, model: model, spec: spec, trigger: "job", context: context, job: job.id)
        if case .skipped(.noProductionVersion) = outcome {
            return .rejected(
                JobError(
                    .conflict,
                    "\(model) has no production version to monitor",
                    at: job.modelMark,
                    fix: "create a version and promote it first"
                )
            )
        }
        return .succeeded(outcome.result(model: model))
    }
}
