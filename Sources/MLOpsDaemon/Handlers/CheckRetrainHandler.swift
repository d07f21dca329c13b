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
        let situation = try RetrainingSituationReader.read(db, model: model, spec: spec, config: context.config, now: context.now)
        let decision = RetrainingPolicy.decide(situation, occasion: .inquiry)
        // Every rule that holds retraining back now, not only the first.
        var blocks: [JSONValue] = []
        var probe = situation
        while let reason = RetrainingPolicy.suppression(probe) {
            blocks.append(reason.details)
            switch reason {
            case .disabled: probe.enabled = true
            case .runActive: probe.activeRun = nil
            case .cooldown: probe.lastRetrainingAt = nil
            case .capReached: probe.maxPerDay = Int.max
            }
        }
        let holding = decision.holding
        var would: String
        var trigger: JSONValue = .null
        switch decision.action {
        case .nothing:
            would = "nothing: no trigger holds"
        case .fire(let first, _):
            would = "start a retraining now (trigger \(first.rawValue)) at the next "
                + (first == .scheduled ? "retraining tick" : "monitoring check")
            trigger = .string(first.rawValue)
        case .suppress(let triggers, let reason):
            would = "hold \(triggers.map(\.rawValue).joined(separator: ", ")) back: \(reason.message)"
            trigger = .string(triggers.first?.rawValue ?? "")
        }
        let settings = try RetrainingSettings.load(db, model: model)
        var result: [String: JSONValue] = [
            "model": .string(model),
            "should_retrain": .bool(!holding.isEmpty),
            "would_start": .bool({ if case .fire = decision.action { return true } else { return false } }()),
            "trigger": trigger,
            "what_would_happen": .string(would),
            "conditions": .array(decision.conditions.map(\.document)),
            "held_back_by": .array(blocks),
            "enabled": .bool(situation.enabled),
            "settings": settings?.document ?? .null,
            "cap": ["count_last_24h": .int(situation.automaticInLastDay), "limit": .int(situation.maxPerDay)],
            "cooldown_hours": .double(situation.cooldownHours),
        ]
        result["active_run"] = situation.activeRun.map(JSONValue.string) ?? .null
        result["last_retraining_at"] = situation.lastRetrainingAt.map { .string(Timestamp.string($0)) } ?? .null
        result["cooldown_until"] = situation.lastRetrainingAt.map { .string(Timestamp.string($0.addingTimeInterval(situation.cooldownHours * 3600))) } ?? .null
        result["next_scheduled_at"] = decision.nextScheduledAt.map { .string(Timestamp.string($0)) } ?? .null
        return .succeeded(.object(result))
    }
}
