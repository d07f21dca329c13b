import Foundation
import GRDB
import Logging
import MLOpsCore

/// Automated retraining in the daemon (docs/design.md §9): applies ``RetrainingPolicy`` after
/// every monitoring check (drift, decay) and on the retraining timer (scheduled), inside
/// the caller's transaction, and acts on the decision: queues a pipeline run with the
/// trigger, or records why the trigger was held back. Journal entries and alert files
/// follow the commit.
///
/// Alerts: a `retraining` alert (warning) opens when an automatic retraining could not
/// start because its settings no longer work (the pipeline or a data file is gone) or
/// because the daily cap held it back; it resolves when an automatic retraining of the
/// model starts. Cooldown and a run already active are expected and only journalled.
enum RetrainingAutomation {
    /// Who automatic runs and events are recorded as.
    static let actor = "mlopsd"

    /// After a check of `model`: decay and drift. Does nothing without pipelines or when
    /// the model's automation is off.
    static func afterCheck(_ db: Database, model: String, spec: ModelSpec, context: JobContext) throws {
        guard let service = context.pipelines,
            let settings = try RetrainingSettings.load(db, model: model), settings.enabled
        else { return }
        try evaluate(
            db,
            model: model,
            spec: spec,
            settings: settings,
            occasion: .check,
            service: service,
            context: context
        )
    }

    /// The retraining timer: the scheduled trigger of every model whose automation is on.
    /// Returns how many models were looked at.
    @discardableResult
    static func tick(_ db: Database, context: JobContext) throws -> Int {
        guard let service = context.pipelines else { return 0 }
        let models = try RetrainingSettings.enabledModels(db)
        for model in models {
            guard let settings = try RetrainingSettings.load(db, model: model) else { continue }
            let spec = try ModelSpecs.spec(db, model: model)
            try evaluate(
                db,
                model: model,
                spec: spec,
                settings: settings,
                occasion: .tick,
                service: service,
                context: context
            )
        }
        return models.count
    }

    /// Decides and acts for one model; returns the decision.
    @discardableResult
    static func evaluate(
        _ db: Database,
        model: String,
        spec: ModelSpec,
        settings: RetrainingSettings,
        occasion: RetrainingPolicy.Occasion,
        service: PipelineService,
        context: JobContext
    ) throws -> RetrainingDecision {
        let situation = try RetrainingSituationReader.read(
            db,
            model: model,
            spec: spec,
            config: context.config,
            now: context.now
        )
        let decision = RetrainingPolicy.decide(situation, occasion: occasion)
        if let slot = decision.scheduledSlot { try RetrainingSettings.markSlot(db, model: model, slot: slot) }
        let checkSeq = situation.latestCheck.map(\.id)
        switch decision.action {
        case .nothing:
            break
        case .suppress(_, .disabled):
            break  // automation off: check-retrain says so; nothing is recorded
        case .suppress(let triggers, let reason):
            for trigger in triggers {
                try suppressed(
                    db,
                    model: model,
                    trigger: trigger,
                    code: reason.code,
                    message: reason.message,
                    evidence: evidence(decision, extra: ["suppression": reason.details]),
                    checkSeq: checkSeq,
                    detectedAt: try detectedAt(
                        db,
                        model: model,
                        trigger: trigger,
                        decision: decision,
                        now: context.now
                    ),
                    context: context,
                    alert: { if case .capReached = reason { return true } else { return false } }()
                )
            }
        case .fire(let trigger, _):
            let pipeline = settings.pipeline ?? spec.pipeline
            let detected = try detectedAt(db, model: model, trigger: trigger, decision: decision, now: context.now)
            guard let definition = service.catalog.definition(pipeline) else {
                try suppressed(
                    db,
                    model: model,
                    trigger: trigger,
                    code: "refused",
                    message: "the retraining pipeline `\(pipeline)` is no longer in pipelines_dir",
                    evidence: evidence(decision),
                    checkSeq: checkSeq,
                    detectedAt: detected,
                    context: context,
                    alert: true
                )
                return decision
            }
            switch try service.queueRun(
                db,
                model: model,
                definition: definition,
                given: settings.params,
                trigger: trigger.rawValue,
                jobID: nil,
                submittedBy: actor,
                config: context.config,
                now: context.now,
                afterCommit: context.afterCommit
            ) {
            case .queued(let run):
                try fired(
                    db,
                    model: model,
                    trigger: trigger,
                    run: run,
                    evidence: evidence(decision),
                    checkSeq: checkSeq,
                    detectedAt: detected,
                    jobID: nil,
                    submittedBy: actor,
                    context: context
                )
            case .runActive(let run, _):
                // The policy read the active run in this transaction, so this does not
                // happen; if it did, it is the expected hold-back, not broken settings.
                let reason = RetrainingSuppression.runActive(run: run.id)
                try suppressed(
                    db,
                    model: model,
                    trigger: trigger,
                    code: reason.code,
                    message: reason.message,
                    evidence: evidence(decision, extra: ["suppression": reason.details]),
                    checkSeq: checkSeq,
                    detectedAt: detected,
                    context: context,
                    alert: false
                )
            case .refused(let error):
                try suppressed(
                    db,
                    model: model,
                    trigger: trigger,
                    code: "refused",
                    message: "the retraining settings were refused: \(error.message)",
                    evidence: evidence(decision),
                    checkSeq: checkSeq,
                    detectedAt: detected,
                    context: context,
                    alert: true
                )
            }
        }
        return decision
    }

    /// What a decision's event keeps: the conditions that hold, with their figures.
    static func evidence(_ decision: RetrainingDecision, extra: [String: JSONValue] = [:]) -> JSONValue {
        var doc = extra
        doc["conditions"] = .array(decision.conditions.filter(\.holds).map(\.document))
        return .object(doc)
    }

    /// When the condition behind `trigger` was first seen: the open drift or decay alert's
    /// opening (the first check of the streak), the schedule slot, or now.
    static func detectedAt(
        _ db: Database,
        model: String,
        trigger: RetrainingTrigger,
        decision: RetrainingDecision,
        now: Date
    ) throws -> Date {
        let type: AlertType
        switch trigger {
        case .drift: type = .dataDrift
        case .decay: type = .modelDecay
        case .estimatedDecay: type = .estimatedDecay
        case .scheduled:
            if let slot = decision.conditions.first(where: { $0.trigger == .scheduled })?.figures["slot"]?.stringValue
                .flatMap(Timestamp.parse)
            {
                return slot
            }
            return now
        case .manual: return now
        }
        let opened = try AlertBook.openedAt(db, model: model, type: type)
        return opened.flatMap(Timestamp.parse) ?? now
    }

    /// Records a retraining that started (automatic or manual), resolves the model's
    /// `retraining` alert when automatic, and journals it after the commit.
    static func fired(
        _ db: Database,
        model: String,
        trigger: RetrainingTrigger,
        run: RunRecord,
        evidence: JSONValue,
        checkSeq: Int64?,
        detectedAt: Date,
        jobID: String?,
        submittedBy: String,
        context: JobContext
    ) throws {
        try RetrainingHistory.record(
            db,
            .init(
                model: model,
                at: context.now,
                trigger: trigger,
                fired: true,
                reason: nil,
                message: nil,
                evidence: evidence,
                checkSeq: checkSeq,
                detectedAt: detectedAt,
                runID: run.id,
                jobID: jobID,
                submittedBy: submittedBy
            )
        )
        let resolved =
            trigger.isAutomatic ? try AlertBook.resolve(db, model: model, type: .retraining, at: context.now) : nil
        let logger = context.logger
        let registry = context.registry
        context.afterCommit.add {
            if let resolved { registry?.alerts.publish(resolved) }
            logger.notice(
                "retraining of \(model) started: trigger \(trigger.rawValue), pipeline run \(run.id)",
                metadata: [
                    "event": LogEvent.retrainingTriggered.metadataValue, "model": .string(model),
                    "run": .string(run.id),
                    "trigger": .string(trigger.rawValue),
                ]
            )
        }
    }

    /// Records a trigger held back (or refused), journals it (once per run of the same
    /// reason), and raises the `retraining` alert when `alert` (cap reached, settings refused).
    static func suppressed(
        _ db: Database,
        model: String,
        trigger: RetrainingTrigger,
        code: String,
        message: String,
        evidence: JSONValue,
        checkSeq: Int64?,
        detectedAt: Date,
        context: JobContext,
        alert: Bool
    ) throws {
        let repeated = try RetrainingHistory.recordSuppressed(
            db,
            .init(
                model: model,
                at: context.now,
                trigger: trigger,
                fired: false,
                reason: code,
                message: message,
                evidence: evidence,
                checkSeq: checkSeq,
                detectedAt: detectedAt,
                runID: nil,
                jobID: nil,
                submittedBy: actor
            )
        )
        var raised: AlertRecord?
        if alert {
            raised = try AlertBook.raise(
                db,
                model: model,
                version: try VersionStore.production(db, model: model)?.version,
                type: .retraining,
                severity: .warning,
                message: "automatic retraining (\(trigger.rawValue)) did not start: \(message)",
                details: ["trigger": .string(trigger.rawValue), "reason": .string(code)],
                at: context.now
            )
        }
        let logger = context.logger
        let registry = context.registry
        let event: LogEvent = code == "refused" ? .retrainingRefused : .retrainingSuppressed
        context.afterCommit.add {
            if let raised { registry?.alerts.publish(raised) }
            // The journal hears of a trigger held back when the reason changes, not on every check.
            logger.log(
                level: repeated ? .debug : event.logLevel,
                "retraining of \(model) (\(trigger.rawValue)) held back: \(code): \(message)",
                metadata: [
                    "event": event.metadataValue, "model": .string(model), "trigger": .string(trigger.rawValue),
                    "reason": .string(code),
                ]
            )
        }
    }
}
