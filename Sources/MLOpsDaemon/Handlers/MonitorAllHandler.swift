import Foundation
import GRDB
import MLOpsCore

/// `monitor-all`: runs the checks of every model with a production version; the result
/// lists each model's health, band and drifting columns.
extension Kinds.MonitorAll: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let models = try Self.checkAll(db, trigger: "job", context: context, job: job.id)
        return .succeeded(Result(models: models))
    }

    /// Checks every production model; the timer uses it too.
    static func checkAll(_ db: Database, trigger: String, context: JobContext, job: String?) throws -> [ModelCheck] {
        var out: [ModelCheck] = []
        for version in try VersionStore.allProduction(db) {
            let spec = try ModelSpecs.spec(db, model: version.model)
            let outcome = try MonitorRunner.run(
                db,
                model: version.model,
                spec: spec,
                trigger: trigger,
                context: context,
                job: job
            )
            out.append(
                ModelCheck(model: version.model, version: version.version, summary: MonitorRunner.summary(outcome))
            )
        }
        return out
    }
}
