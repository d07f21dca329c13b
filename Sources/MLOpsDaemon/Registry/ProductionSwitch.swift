import Foundation
import GRDB
import Logging
import MLOpsCore

/// The one way a version becomes production (promotion and rollback alike): switch the
/// serving link, run the deploy hook, and only when both worked record the new production
/// version, inside the job's transaction. A failing hook switches the link back, keeps the
/// old version in production and opens a critical `deploy_failed` alert.
enum ProductionSwitch {
    /// What happened.
    enum Outcome {
        /// The store now names `target` as production; `hook` is the hook's outcome.
        case switched(hook: HookOutcome?)
        /// Refused before anything changed (the artifact is gone): the job is rejected.
        case refused(JobError)
        /// The serving link could not be switched; nothing changed and the job fails.
        case failed(JobError)
        /// The deploy hook failed and the link was switched back: the job fails, keeping
        /// the audit entry and the `deploy_failed` alert (its id in `alert`).
        case hookFailed(JobError, hook: HookOutcome, alert: String)
    }

    static func perform(
        _ db: Database,
        target: VersionRecord,
        action: String,
        forced: Bool,
        job: Job<some JobKindDeclaration>,
        context: JobContext,
        registry: ModelRegistry,
        details: JSONValue = .object([:])
    ) throws -> Outcome {
        let model = target.model
        let actor = VersionStore.Actor(context, job: job)
        let previous = try VersionStore.production(db, model: model)
        let previousDocument = try previous.flatMap { previous in
            try VersionStore.currentStint(db, model: model).map { registry.deploymentDocument(previous, stint: $0) }
        }
        guard registry.artifacts.exists(target.artifactSHA256), !target.artifactRemoved else {
            return .refused(
                JobError(
                    .badArtifact,
                    "the stored artifact of \(model) \(target.version) is gone (archived with archived_artifacts: delete?)",
                    fix: "create a new version from the model files"
                )
            )
        }
        let stint = ProductionStint(
            model: model,
            version: target.version,
            from: Timestamp.string(context.now),
            action: action,
            forced: forced,
            actor: context.submittedBy,
            jobID: job.id,
            reason: job.reason
        )
        let document = registry.deploymentDocument(target, stint: stint)
        switch registry.deploy(
            target,
            document: document,
            previous: previous,
            previousDocument: previousDocument,
            action: action,
            job: job.id,
            config: context.config
        ) {
        case .switchFailed(let why):
            // A full or failing disk: roll the job back and retry it (the engine puts the
            // link back to what the store says), rather than failing it for good.
            if let storage = StorageFailure.from(why) { throw storage }
            return .failed(JobError(.internalError, "cannot switch the serving link of \(model): \(why)"))
        case .hookFailed(let hook, let revert):
            let restored =
                previous.map { "\($0.version), which stays in production" }
                ?? "nothing (there was no production version)"
            let message =
                "the deploy hook for \(model) \(target.version) \(hook.summary); the serving link was switched back to \(restored)"
            var hookDetails: [String: JSONValue] = [
                "version": .string(target.version), "action": .string(action),
                "hook": try JSONValue(encoding: Self.document(hook)),
            ]
            hookDetails["revert_hook"] = try revert.map { try JSONValue(encoding: Self.document($0)) } ?? .null
            hookDetails["previous_version"] = previous.map { .string($0.version) } ?? .null
            try AuditLog.record(
                db,
                action: "deploy.failed",
                actor: context.submittedBy,
                actorUID: context.submitterUID,
                job: job.id,
                model: model,
                reason: job.reason,
                details: .object(hookDetails),
                at: context.now
            )
            let alert = try AlertBook.raise(
                db,
                model: model,
                version: target.version,
                type: .deployFailed,
                severity: .critical,
                message: message,
                details: .object(hookDetails),
                at: context.now
            )
            let logger = context.logger
            context.afterCommit.add {
                logger.error(
                    "\(message)",
                    metadata: [
                        "event": LogEvent.deployFailed.metadataValue, "model": .string(model),
                        "version": .string(target.version),
                        "hook_output": .string(String(hook.output.suffix(4000))),
                    ]
                )
                registry.alerts.publish(alert)
            }
            return .hookFailed(
                JobError(
                    .deployFailed,
                    message,
                    fix:
                        "read the hook output in the result or the journal, fix the model server or the hook, and try again"
                ),
                hook: hook,
                alert: alert.id
            )
        case .deployed(let hook):
            try VersionStore.switchProduction(
                db,
                to: target,
                action: action,
                forced: forced,
                by: actor,
                details: details
            )
            for type in [AlertType.deployFailed, .rollback] where !(action == "rollback" && type == .rollback) {
                if let resolved = try AlertBook.resolve(db, model: model, type: type, at: context.now) {
                    context.afterCommit.add { registry.alerts.publish(resolved) }
                }
            }
            return .switched(hook: hook)
        }
    }

    /// A hook outcome as results show it (the end of its output, at most 4,000 characters).
    static func document(_ hook: HookOutcome) -> HookDocument {
        HookDocument(
            summary: hook.summary,
            succeeded: hook.succeeded,
            durationSeconds: hook.duration,
            output: String(hook.output.suffix(4000))
        )
    }
}
