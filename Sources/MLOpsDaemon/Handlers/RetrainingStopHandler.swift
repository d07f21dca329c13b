import Foundation
import GRDB
import MLOpsCore

/// `retraining-stop`: switches automated retraining off for one model or all (persisted).
/// The settings are kept, so a later `retraining-start` without params uses them again;
/// a run already started goes on.
extension Kinds.RetrainingStop: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        var saved: [RetrainingSettingsDocument] = []
        for model in try RetrainingSwitch.models(db, job: job) {
            let existing = try RetrainingSettings.load(db, model: model)
            let settings = RetrainingSettings(
                model: model,
                enabled: false,
                pipeline: existing?.pipeline,
                params: existing?.params ?? [:],
                scheduledSlot: existing?.scheduledSlot,
                updatedAt: Timestamp.string(context.now),
                updatedBy: context.submittedBy,
                jobID: job.id,
                reason: job.reason
            )
            try RetrainingSwitch.record(db, settings: settings, job: job, context: context)
            saved.append(settings.document)
        }
        return .succeeded(Result(models: saved))
    }
}
