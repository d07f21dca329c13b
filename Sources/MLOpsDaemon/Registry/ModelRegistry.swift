import Foundation
import GRDB
import Logging
import MLOpsClient
import MLOpsCore

/// The registry's files: stored artifacts, the serving view for model servers, and the
/// spool's alert directory; and the deployment steps that switch the serving view.
///
/// A deployment switches `state/serving/<model>/current` atomically, writes
/// `deployment.json` beside it and runs the administrator's deploy hook. The store is the
/// truth: a handler deploys first and records the new production version in the same
/// transaction as the job's completion, so if the daemon dies in between, the store still
/// names the old version and ``reconcile(store:config:logger:)`` at the next start puts
/// the link back (old or new, never both or neither).
public final class ModelRegistry: Sendable {
    /// Content-addressed artifacts under `state/artifacts/`.
    public let artifacts: ArtifactStore
    /// `state/serving/`.
    public let serving: ServingDirectory
    /// Writes alert files and journal entries.
    public let alerts: AlertPublisher
    /// Reference profiles of production versions, kept between monitoring checks.
    public let references = ReferenceCache()

    /// The registry under `stateDir`, with alerts in `alertsDirectory`; failed alert
    /// writes are reported to `health`.
    public init(
        stateDir: String,
        alertsDirectory: DirectoryHandle,
        logger: Logger,
        health: StorageHealth? = nil
    ) throws(SystemError) {
        artifacts = try ArtifactStore(root: stateDir + "/artifacts")
        serving = try ServingDirectory(root: stateDir + "/serving")
        alerts = AlertPublisher(directory: alertsDirectory, logger: logger, health: health)
    }

    /// What `deployment.json` says for `version` in the production stint `stint`.
    public func deploymentDocument(_ version: VersionRecord, stint: ProductionStint) -> JSONValue {
        [
            "model": .string(version.model), "version": .string(version.version),
            "artifact": .string(artifacts.path(of: version.artifactSHA256)),
            "artifact_sha256": .string(version.artifactSHA256),
            "reference_file": .string(version.referenceFile), "metrics": version.metrics,
            "since": .string(stint.from), "action": .string(stint.action), "forced": .bool(stint.forced),
            "by": .string(stint.actor), "job": stint.jobID.map(JSONValue.string) ?? .null,
            "reason": stint.reason.map(JSONValue.string) ?? .null,
        ]
    }

    /// The outcome of switching the serving view.
    public enum DeployOutcome: Sendable {
        /// The link points at the new version and the hook (if any) succeeded.
        case deployed(hook: HookOutcome?)
        /// The hook failed; the link was switched back to `previous` (removed when none),
        /// and the hook run again for the restored version (`revertHook`).
        case hookFailed(hook: HookOutcome, revertHook: HookOutcome?)
        /// The link could not be switched at all; nothing changed.
        case switchFailed(SystemError)
    }

    /// Switches the serving view of `version.model` to `version` and runs the deploy hook;
    /// on a hook failure switches back to `previous` (with its document `previousDocument`).
    public func deploy(
        _ version: VersionRecord,
        document: JSONValue,
        previous: VersionRecord?,
        previousDocument: JSONValue?,
        action: String,
        job: String?,
        config: DaemonConfig
    ) -> DeployOutcome {
        let model = version.model
        do {
            try serving.switchTo(
                model: model,
                artifactPath: artifacts.path(of: version.artifactSHA256),
                deployment: document
            )
        } catch {
            return .switchFailed(error)
        }
        guard let hook = Self.hook(config) else { return .deployed(hook: nil) }
        let outcome = hook.run(
            environment: hookEnvironment(version, previous: previous?.version, action: action, job: job),
            workingDirectory: serving.root + "/" + model
        )
        if outcome.succeeded { return .deployed(hook: outcome) }
        var revert: HookOutcome?
        do {
            if let previous, let previousDocument {
                try serving.switchTo(
                    model: model,
                    artifactPath: artifacts.path(of: previous.artifactSHA256),
                    deployment: previousDocument
                )
                revert = hook.run(
                    environment: hookEnvironment(previous, previous: version.version, action: "revert", job: job),
                    workingDirectory: serving.root + "/" + model
                )
            } else {
                try serving.remove(model: model)
            }
        } catch {
            revert = HookOutcome(
                status: .couldNotStart("switching the link back failed: \(error)"),
                output: "",
                duration: 0,
                timeout: hook.timeout
            )
        }
        return .hookFailed(hook: outcome, revertHook: revert)
    }

    /// The deploy hook of `config`, when one is configured.
    static func hook(_ config: DaemonConfig) -> DeployHook? {
        guard !config.deployHook.isEmpty else { return nil }
        return DeployHook(argv: config.deployHook, timeout: config.deployHookTimeout)
    }

    func hookEnvironment(_ version: VersionRecord, previous: String?, action: String, job: String?) -> [String: String]
    {
        var env = [
            "MLOPSD_MODEL": version.model, "MLOPSD_VERSION": version.version,
            "MLOPSD_ARTIFACT": artifacts.path(of: version.artifactSHA256),
            "MLOPSD_SERVING_DIR": serving.root + "/" + version.model, "MLOPSD_ACTION": action,
        ]
        if let previous { env["MLOPSD_PREVIOUS_VERSION"] = previous }
        if let job { env["MLOPSD_JOB"] = job }
        return env
    }

    /// Makes every serving link agree with the store: a model whose link or
    /// `deployment.json` differs from its production version is switched (and its deploy
    /// hook run); a serving directory of a model without a production version is removed.
    /// Called at start and after a batch whose commit failed. Returns the models repaired.
    @discardableResult
    public func reconcile(store: Store, config: DaemonConfig, logger: Logger) -> [String] {
        let wanted: [(VersionRecord, ProductionStint)]
        do {
            wanted = try store.read { db in
                try VersionStore.allProduction(db).compactMap { version in
                    try VersionStore.currentStint(db, model: version.model).map { (version, $0) }
                }
            }
        } catch {
            logger.error(
                "cannot read production versions to reconcile serving links: \(error)",
                metadata: ["event": LogEvent.storeError.metadataValue]
            )
            return []
        }
        var repaired: [String] = []
        let names = Set(wanted.map { $0.0.model })
        for (version, stint) in wanted {
            let document = deploymentDocument(version, stint: stint)
            let path = artifacts.path(of: version.artifactSHA256)
            let current = serving.current(model: version.model)
            if current?.target == path && current?.deployment == document { continue }
            if !artifacts.exists(version.artifactSHA256) {
                logger.critical(
                    "the artifact of \(version.model) \(version.version) is missing from \(path); the serving link cannot be repaired",
                    metadata: [
                        "event": LogEvent.internalError.metadataValue, "model": .string(version.model),
                        "version": .string(version.version),
                    ]
                )
                continue
            }
            do {
                try serving.switchTo(model: version.model, artifactPath: path, deployment: document)
            } catch {
                logger.error(
                    "cannot repair the serving link of \(version.model): \(error)",
                    metadata: ["event": LogEvent.internalError.metadataValue, "model": .string(version.model)]
                )
                continue
            }
            var hookText = "no deploy hook configured"
            if let hook = Self.hook(config) {
                let outcome = hook.run(
                    environment: hookEnvironment(version, previous: nil, action: "reconcile", job: nil),
                    workingDirectory: serving.root + "/" + version.model
                )
                hookText = "deploy hook " + outcome.summary
            }
            repaired.append(version.model)
            logger.warning(
                "serving link of \(version.model) repaired to \(version.version), the production version in the store (\(hookText))",
                metadata: [
                    "event": LogEvent.servingReconciled.metadataValue, "model": .string(version.model),
                    "version": .string(version.version),
                ]
            )
        }
        for model in (try? serving.models()) ?? [] where !names.contains(model) {
            do {
                try serving.remove(model: model)
                repaired.append(model)
                logger.warning(
                    "serving link of \(model) removed: the store has no production version for it",
                    metadata: ["event": LogEvent.servingReconciled.metadataValue, "model": .string(model)]
                )
            } catch {
                logger.error(
                    "cannot remove the serving directory of \(model): \(error)",
                    metadata: ["event": LogEvent.internalError.metadataValue, "model": .string(model)]
                )
            }
        }
        return repaired
    }
}
