import Foundation
import GRDB
import Logging
import MLOpsCore

/// `rollback`: returns production to the previous production version, or to a named
/// former production version, in one step (no gates: a rollback is the way back from a
/// bad promotion). Opens a `rollback` alert, resolved by the next promotion.
extension Kinds.Rollback: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let registry = try context.requireRegistry()
        let model = try job.requiredModel
        guard let current = try VersionStore.production(db, model: model) else {
            return .rejected(
                JobError(
                    .conflict,
                    "\(model) has no production version to roll back from",
                    at: job.modelMark,
                    fix: "promote a version with a promote-version job"
                )
            )
        }
        let versions = try VersionStore.versions(db, model: model)
        let history = try VersionStore.history(db, model: model)
        let target: VersionRecord
        if let name = job.parameters.version {
            guard let named = versions.first(where: { $0.version == name }) else {
                return .rejected(
                    VersionStore.unknownVersion(name, of: model, among: versions, at: job.mark(ofParam: "version"))
                )
            }
            if named.version == current.version {
                return .rejected(
                    JobError(
                        .conflict,
                        "\(model) \(name) is already the production version",
                        at: job.mark(ofParam: "version")
                    )
                )
            }
            guard history.contains(where: { $0.version == name }) else {
                return .rejected(
                    JobError(
                        .conflict,
                        "\(model) \(name) was never in production, so there is nothing to roll back to",
                        at: job.mark(ofParam: "version"),
                        fix: "use promote-version to put a new version into production"
                    )
                )
            }
            if let refusal = named.state.refusal(to: .production) {
                return .rejected(JobError(.conflict, "\(model) \(name): \(refusal)", at: job.mark(ofParam: "version")))
            }
            target = named
        } else {
            guard let previous = try VersionStore.rollbackTarget(db, model: model) else {
                let former = try VersionStore.previousProductionVersion(db, model: model)
                return .rejected(
                    JobError(
                        .conflict,
                        former.map { "the previous production version of \(model), \($0), is archived" }
                            ?? "\(model) has had only one production version, \(current.version); there is nothing to roll back to",
                        at: job.modelMark,
                        fix: "name a former production version with `version:`, or promote another version"
                    )
                )
            }
            target = previous
        }
        let result = Result(model: model, version: target.version, rolledBackFrom: current.version)
        switch try ProductionSwitch.perform(
            db,
            target: target,
            action: "rollback",
            forced: false,
            job: job,
            context: context,
            registry: registry,
            details: ["rolled_back_from": .string(current.version)]
        ) {
        case .refused(let error):
            return .rejected(error)
        case .failed(let error):
            return .failed(error)
        case .hookFailed(let error, let hook, let alert):
            var failed = result
            failed.hook = ProductionSwitch.document(hook)
            failed.alert = alert
            return .failedKeepingRecords(error, failed)
        case .switched(let hook):
            var done = result
            done.hook = hook.map(ProductionSwitch.document)
            done.serving = registry.serving.root + "/" + model + "/current"
            let message =
                "production of \(model) rolled back from \(current.version) to \(target.version)"
                + (job.reason.map { ": \($0)" } ?? "")
            let alert = try AlertBook.raise(
                db,
                model: model,
                version: target.version,
                type: .rollback,
                severity: .warning,
                message: message,
                details: [
                    "from": .string(current.version), "to": .string(target.version), "job": .string(job.id),
                    "by": .string(context.submittedBy),
                ],
                at: context.now
            )
            done.alert = alert.id
            let logger = context.logger
            context.afterCommit.add {
                logger.warning(
                    "\(message)",
                    metadata: [
                        "event": LogEvent.versionRolledBack.metadataValue, "model": .string(model),
                        "version": .string(target.version),
                    ]
                )
                registry.alerts.publish(alert)
            }
            return .succeeded(done)
        }
    }
}
