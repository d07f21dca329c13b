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
public struct PromoteVersionHandler: JobHandler {
    public init() {}

    public var spec: KindSpec { RegistryKinds.promoteVersion }

    public func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        let registry = try context.requireRegistry()
        guard let model = job.model, let name = job.params["version"]?.stringValue else {
            return .rejected(JobError(.missingField, "promote-version needs `model:` and params.version"))
        }
        let force = job.params["force"]?.boolValue == true
        if force, (job.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            return .rejected(JobError(.missingField, "force: true overrides the promotion gates and needs a `reason:` saying why",
                                      at: job.mark(ofParam: "force"), fix: "add `reason: <why the gates are overridden>` at the top level"))
        }
        let spec = try ModelSpecs.spec(db, model: model)
        let versions = try VersionStore.versions(db, model: model)
        guard let target = versions.first(where: { $0.version == name }) else {
            return .rejected(VersionStore.unknownVersion(name, of: model, among: versions, at: job.mark(ofParam: "version")))
        }
        if let refusal = target.state.refusal(to: .production) {
            return .rejected(JobError(.conflict, "\(model) \(name): \(refusal)", at: job.mark(ofParam: "version")))
        }
        let production = try VersionStore.production(db, model: model)
        let verdicts = PromotionGates.evaluate(
            metric: spec.metric, candidate: target.metricValue, production: production?.metricValue,
            policy: spec.policy.promotion, abTestWon: target.abTestWon)
        let refused = verdicts.filter { !$0.passed }
        var result: [String: JSONValue] = [
            "model": .string(model), "version": .string(name), "forced": .bool(force),
            "gates": .array(verdicts.map(Self.document)),
            "previous_version": production.map { .string($0.version) } ?? .null,
        ]
        if !refused.isEmpty && !force {
            return .failed(
                JobError(.gateRefused,
                         "promotion of \(model) \(name) refused: " + refused.map { "\($0.gate): \($0.explanation)" }.joined(separator: "; "),
                         fix: "create a better version, or promote with `force: true` and a `reason:` to override"),
                .object(result))
        }
        let details: JSONValue = ["gates": .array(verdicts.map(Self.document)),
                                  "overridden_gates": .array(refused.map { .string($0.gate) })]
        switch try ProductionSwitch.perform(db, target: target, action: "promote", forced: force, job: job, context: context,
                                            registry: registry, details: details, partialResult: .object(result)) {
        case .failed(let outcome):
            return outcome
        case .switched(let hook):
            result["hook"] = hook.map(ProductionSwitch.document) ?? .null
            result["serving"] = .string(registry.serving.root + "/" + model + "/current")
            result["artifact"] = .string(registry.artifacts.path(of: target.artifactSHA256))
            if job.params["archive"]?.boolValue == true {
                result["archive"] = try Archiver.archive(
                    db, model: model, spec: spec, keep: spec.policy.keepVersions, by: VersionStore.Actor(context, job: job),
                    registry: registry, afterCommit: context.afterCommit, dryRun: false)
            }
            let logger = context.logger
            let previous = production?.version
            context.afterCommit.add {
                let text = "promoted \(model) \(name) to production" + (previous.map { " (was \($0))" } ?? "") + (force ? ", forced" : "")
                logger.notice(
                    "\(text)",
                    metadata: ["event": LogEvent.versionPromoted.metadataValue, "model": .string(model), "version": .string(name),
                               "forced": .string(force ? "true" : "false")])
            }
            return .succeeded(.object(result))
        }
    }

    static func document(_ verdict: GateVerdict) -> JSONValue {
        ["gate": .string(verdict.gate), "passed": .bool(verdict.passed), "explanation": .string(verdict.explanation)]
    }
}
