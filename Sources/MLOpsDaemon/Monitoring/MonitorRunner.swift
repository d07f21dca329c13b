import Foundation
import GRDB
import Logging
import MLOpsCore

/// Runs one monitoring check for a model inside the caller's transaction: loads the
/// production version's reference (cached) and the latest window, analyses them
/// (``MonitoringAnalysis``), stores the check, and opens, updates or resolves the
/// model's alerts (docs/design.md §5, §8). Alert files and journal entries follow the commit.
enum MonitorRunner {
    /// Runs a check when `check_every_predictions` new predictions or labels arrived;
    /// returns its summary, or nil when none was due.
    static func runIfDue(
        _ db: Database,
        model: String,
        spec: ModelSpec,
        context: JobContext,
        job: Job<some JobKindDeclaration>
    ) throws -> CheckSummary? {
        guard try MonitoringState.isDue(db, model: model, every: spec.policy.checkEveryPredictions) else { return nil }
        let report = try run(db, model: model, spec: spec, trigger: "predictions", context: context, job: job.id)
        return summary(report)
    }

    /// The short form of a check a log job's result carries.
    static func summary(_ outcome: Outcome) -> CheckSummary {
        switch outcome {
        case .skipped(let why): return CheckSummary(skipped: why)
        case .checked(let seq, let report): return CheckSummary(check: Int(seq), report: report)
        }
    }

    /// What a check did.
    enum Outcome {
        /// No check possible: `no_production_version`, `reference_unavailable`.
        case skipped(CheckStatus)
        /// Stored as check `seq`.
        case checked(Int64, MonitoringReport)
    }

    /// Runs the check now.
    static func run(
        _ db: Database,
        model: String,
        spec: ModelSpec,
        trigger: String,
        context: JobContext,
        job: String?
    ) throws -> Outcome {
        let registry = try context.requireRegistry()
        let now = Timestamp.string(context.now)
        guard let version = try VersionStore.production(db, model: model) else {
            try MonitoringState.checked(db, model: model, drifting: false, at: now)
            return .skipped(.noProductionVersion)
        }
        let reference: ReferenceProfile
        do {
            reference = try profile(version, spec: spec, registry: registry)
        } catch {
            context.logger.error(
                "cannot read the reference data of \(model) \(version.version): \(error)",
                metadata: ["event": LogEvent.internalError.metadataValue, "model": .string(model)]
            )
            return .skipped(.referenceUnavailable)
        }
        let config = context.config
        var window = try PredictionStore.window(
            db,
            model: model,
            version: version.version,
            spec: spec,
            size: spec.policy.windowSize
        )
        if let classes = reference.signals.classes, classes.count > 2 {
            let texts = try PredictionStore.windowProbabilities(
                db,
                model: model,
                version: version.version,
                size: spec.policy.windowSize
            )
            window.classProbabilities = MonitoringWindow.probabilityColumns(texts, classes: classes)
        }
        let thresholds = MonitoringAnalysis.Thresholds(
            dataDriftThreshold: config.dataDriftThreshold,
            decayThreshold: config.modelDecayThreshold,
            alpha: spec.policy.driftAlpha,
            minSamples: spec.policy.minSamples
        )
        let report = MonitoringAnalysis.analyse(
            spec: spec,
            reference: reference,
            window: window,
            baseline: version.metricValue,
            thresholds: thresholds
        )
        let seq = try CheckStore.insert(
            db,
            model: model,
            version: version.version,
            at: now,
            trigger: trigger,
            report: report,
            job: job
        )
        let streak = try MonitoringState.checked(
            db,
            model: model,
            drifting: !report.drifted.isEmpty,
            at: now,
            healthScore: report.health.score,
            driftShare: report.driftShare
        )
        try AlertRules.apply(
            db,
            report: report,
            model: model,
            version: version.version,
            streak: streak,
            confirmations: spec.policy.driftConfirmations,
            context: context,
            registry: registry
        )
        // Drift and decay are retraining triggers (docs/retraining.md): decided in this transaction.
        try RetrainingAutomation.afterCheck(db, model: model, spec: spec, context: context)
        let logger = context.logger
        let health = report.health
        context.afterCommit.add {
            logger.log(
                level: health.band == .good ? .info : .warning,
                "check of \(model) \(version.version): health \(String(format: "%.3f", health.score)) (\(health.band.rawValue)), \(report.drifted.count) drifting, window \(report.window)",
                metadata: [
                    "event": LogEvent.monitoringChecked.metadataValue, "model": .string(model),
                    "version": .string(version.version), "health": .string(String(format: "%.3f", health.score)),
                ]
            )
        }
        return .checked(seq, report)
    }

    /// The reference profile of `version`, from the cache or its stored artifact, with its
    /// label-free signals (reference outputs, estimator, PCA model) fitted once per version
    /// (and window size: the thresholds are per window).
    static func profile(_ version: VersionRecord, spec: ModelSpec, registry: ModelRegistry) throws -> ReferenceProfile {
        let key =
            version.artifactSHA256 + "/" + version.referenceFile + "/" + FeatureSchema(spec).fingerprint + "/"
            + spec.target + "/" + (spec.classes ?? []).joined(separator: ",") + "/" + spec.task.rawValue + "/"
            + String(spec.policy.windowSize)
        return try registry.references.profile(for: key) {
            let path = registry.artifacts.path(of: version.artifactSHA256) + "/" + version.referenceFile
            guard let data = try RegistryFiles.read(path, limit: RegistryFiles.maxReferenceBytes) else {
                throw JobError(.badArtifact, "\(path) is missing")
            }
            let table = try CSVTable.parse(String(decoding: data, as: UTF8.self))
            var profile = ReferenceProfile(table: table, spec: spec)
            // The outputs may sit in the sibling file (test_model writes it from the held-out rows).
            let siblingPath =
                registry.artifacts.path(of: version.artifactSHA256) + "/"
                + ReferenceOutputs.siblingPath(ofReference: version.referenceFile)
            let sibling = try RegistryFiles.read(siblingPath, limit: RegistryFiles.maxReferenceBytes).flatMap {
                try? CSVTable.parse(String(decoding: $0, as: UTF8.self))
            }
            profile.signals = ReferenceSignals.fit(
                table: table,
                spec: spec,
                fileName: version.referenceFile,
                windowSize: spec.policy.windowSize,
                sibling: sibling
            )
            return profile
        }
    }
}

extension MonitorRunner.Outcome {
    /// The check's report as a `monitor-model` result for `model`.
    func result(model: String) -> Kinds.MonitorModel.Result {
        switch self {
        case .skipped(let why): return .init(model: model, skipped: why)
        case .checked(let seq, let report): return .init(model: model, check: Int(seq), report: report)
        }
    }
}
