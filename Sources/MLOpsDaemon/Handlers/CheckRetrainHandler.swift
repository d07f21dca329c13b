import Foundation
import GRDB
import MLOpsCore

/// `check-retrain`: whether a model should be retrained now, which trigger conditions
/// hold (with their figures), and what automation would do: start a retraining, or why
/// not (switched off, a run active, cooldown until a time, the daily cap). Changes nothing.
extension Kinds.CheckRetrain: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let situation = try RetrainingSituationReader.read(
            db,
            model: model,
            spec: spec,
            config: context.config,
            now: context.now
        )
        let decision = RetrainingPolicy.decide(situation, occasion: .inquiry)
        // Every rule that holds retraining back now, not only the first.
        var blocks: [Result.HeldBack] = []
        var probe = situation
        while let reason = RetrainingPolicy.suppression(probe) {
            blocks.append(Result.HeldBack(reason))
            switch reason {
            case .disabled: probe.enabled = true
            case .runActive: probe.activeRun = nil
            case .cooldown: probe.lastRetrainingAt = nil
            case .capReached: probe.maxPerDay = Int.max
            }
        }
        let holding = decision.holding
        var would: String
        var trigger: String?
        switch decision.action {
        case .nothing:
            would = "nothing: no trigger holds"
        case .fire(let first, _):
            would =
                "start a retraining now (trigger \(first.rawValue)) at the next "
                + (first == .scheduled ? "retraining tick" : "monitoring check")
            trigger = first.rawValue
        case .suppress(let triggers, let reason):
            would = "hold \(triggers.map(\.rawValue).joined(separator: ", ")) back: \(reason.message)"
            trigger = triggers.first?.rawValue ?? ""
        }
        let settings = try RetrainingSettings.load(db, model: model)
        let wouldStart: Bool
        if case .fire = decision.action { wouldStart = true } else { wouldStart = false }
        let stamp = { (date: Date?) in date.map(Timestamp.string) }
        return .succeeded(
            Result(
                model: model,
                shouldRetrain: !holding.isEmpty,
                wouldStart: wouldStart,
                trigger: trigger,
                whatWouldHappen: would,
                conditions: decision.conditions,
                heldBackBy: blocks,
                enabled: situation.enabled,
                settings: settings?.document,
                cap: Result.Cap(countLast24h: situation.automaticInLastDay, limit: situation.maxPerDay),
                cooldownHours: situation.cooldownHours,
                activeRun: situation.activeRun,
                lastRetrainingAt: stamp(situation.lastRetrainingAt),
                cooldownUntil: stamp(situation.lastRetrainingAt?.addingTimeInterval(situation.cooldownHours * 3600)),
                nextScheduledAt: stamp(decision.nextScheduledAt)
            )
        )
    }
}
