import Foundation
import GRDB
import MLOpsCore

/// `monitor-model`: runs the monitoring checks of one model now; the result is the full
/// report (every column's test, equipment, population, decay, health).
public struct MonitorModelHandler: JobHandler {
    public init() {}

    public var spec: KindSpec { MonitoringKinds.monitorModel }

    public func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        guard let model = job.model else { return .rejected(JobError(.missingField, "monitor-model needs `model:`")) }
        let spec = try ModelSpecs.spec(db, model: model)
        let outcome = try MonitorRunner.run(db, model: model, spec: spec, trigger: "job", context: context, job: job.id)
        if case .skipped("no_production_version") = outcome {
            return .rejected(JobError(.conflict, "\(model) has no production version to monitor", at: job.modelMark,
                                      fix: "create a version and promote it first"))
        }
        var result = outcome.document
        if case .object(var dict) = result {
            dict["model"] = .string(model)
            result = .object(dict)
        }
        return .succeeded(result)
    }
}
