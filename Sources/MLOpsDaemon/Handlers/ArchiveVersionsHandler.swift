import Foundation
import GRDB
import Logging
import MLOpsCore

/// `archive-versions`: keeps the newest `keep_versions` versions (the job's value or the
/// model policy's), never the production version nor the rollback target, and archives
/// the rest; with `archived_artifacts: delete` in the policy their stored files go too.
extension Kinds.ArchiveVersions: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let keep = job.parameters.keepVersions ?? spec.policy.keepVersions
        let dryRun = job.parameters.dryRun
        let report = try Archiver.archive(
            db,
            model: model,
            spec: spec,
            keep: keep,
            by: VersionStore.Actor(context, job: job),
            registry: context.registry,
            afterCommit: context.afterCommit,
            dryRun: dryRun
        )
        if !dryRun, !report.archived.isEmpty {
            let logger = context.logger
            let names = report.archived.joined(separator: ", ")
            context.afterCommit.add {
                logger.info(
                    "archived \(model) \(names)",
                    metadata: [
                        "event": LogEvent.versionsArchived.metadataValue, "model": .string(model),
                    ]
                )
            }
        }
        return .succeeded(Result(model: model, report: report))
    }
}
