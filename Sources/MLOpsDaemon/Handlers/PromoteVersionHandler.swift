import Foundation
import GRDB
import Logging
import MLOpsCore

/// `promote-version`: evaluates the model policy's gates, then makes the version the
/// production one (serving link, deploy hook, store) in one step; with `archive: true`
/// archives the versions beyond `keep_versions` in the same transaction.
///
/// A refusal lists every gate's verdict. `force: true` (with a `reason:`) overrides the
/// gates and is recorded as forced in the history, the audit log and deployment.json.
extension Kinds.PromoteVersion: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let registry = try context.requireRegistry()
        let model = try job.requiredModel
        let name = job.parameters.version
        let force = job.parameters.force
        if force, (job.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            return .rejected(
                JobError(
                    .missingField,
                    "force: true overrides the promotion gates and needs a `reason:` saying why",
                    at: job.mark(ofParam: "force"),
                    fix: "add `reason: <why the gates are overridden>` at the top level"
                )
            )
        }
        let spec = try ModelSpecs.spec(db, model: model)
        let versions = try VersionStore.versions(db, model: model)
        guard let target = versions.first(where: { $0.version == name }) else {
            return .rejected(
                VersionStore.unknownVersion(name, of: model, among: versions, at: job.mark(ofParam: "version"))
            )
        }
        if let refusal = target.state.refusal(to: .production) {
            return .rejected(JobError(.conflict, "\(model) \(name): \(refusal)", at: job.mark(ofParam: "version")))
        }
        let production = try VersionStore.production(db, model: model)
        let verdicts = PromotionGates.evaluate(
            metric: spec.metric,
            candidate: target.metricValue,
            production: production?.metricValue,
            policy: spec.policy.promotion,
            abTestWon: target.abTestWon
        )
        let refused = verdicts.filter { !$0.passed }
        var result = Result(
            model: model,
            version: name,
            forced: force,
            gates: verdicts,
            previousVersion: production?.version
        )
        if !refused.isEmpty && !force {
            return .failed(
                JobError(
                    .gateRefused,
                    "promotion of \(model) \(name) refused: "
                        + refused.map { "\($0.gate): \($0.explanation)" }.joined(separator: "; "),
                    fix: "create a better version, or promote with `force: true` and a `reason:` to override"
                ),
                result
            )
        }
        let details: JSONValue = [
            "gates": .array(verdicts.map(Self.document)),
            "overridden_gates": .array(refused.map { .string($0.gate) }),
        ]
        switch try ProductionSwitch.perform(
            db,
            target: target,
            action: "promote",
            forced: force,
            job: job,
            context: context,
            registry: registry,
            details: details
        ) {
        case .refused(let error):
            return .rejected(error)
        case .failed(let error):
            return .failed(error)
        case .hookFailed(let error, let hook, let alert):
            result.hook = ProductionSwitch.document(hook)
            result.alert = alert
            return .failedKeepingRecords(error, result)
        case .switched(let hook):
            result.hook = hook.map(ProductionSwitch.document)
            result.serving = registry.serving.root + "/" + model + "/current"
            result.artifact = registry.artifacts.path(of: target.artifactSHA256)
            if job.parameters.archive {
                result.archive = try Archiver.archive(
                    db,
                    model: model,
                    spec: spec,
                    keep: spec.policy.keepVersions,
                    by: VersionStore.Actor(context, job: job),
                    registry: registry,
                    afterCommit: context.afterCommit,
                    dryRun: false
                )
            }
            let logger = context.logger
            let previous = production?.version
            context.afterCommit.add {
                let text =
                    "promoted \(model) \(name) to production" + (previous.map { " (was \($0))" } ?? "")
                    + (force ? ", forced" : "")
                logger.notice(
                    "\(text)",
                    metadata: [
                        "event": LogEvent.versionPromoted.metadataValue, "model": .string(model),
                        "version": .string(name),
                        "forced": .string(force ? "true" : "false"),
                    ]
                )
            }
            return .succeeded(result)
        }
    }

    /// A gate's verdict as a JSON value, for the audit entry's details and the pipeline's
    /// validate_model report (the typed result carries ``GateVerdict`` itself).
    static func document(_ verdict: GateVerdict) -> JSONValue {
        ["gate": .string(verdict.gate), "passed": .bool(verdict.passed), "explanation": .string(verdict.explanation)]
    }
}
