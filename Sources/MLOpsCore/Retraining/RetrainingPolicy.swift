import Foundation

/// The rules of automated retraining (docs/design.md §9), without I/O: given a model's
/// ``RetrainingSituation`` they say which triggers hold and whether a retraining starts,
/// is held back (and why), or nothing happens.
///
/// - `scheduled` holds once `retrain_schedule_days` passed since the production version
///   was created, once per slot (created + k·days): a slot fires once however many timer
///   ticks or restarts pass, and slots missed while the daemon was down fire once, not
///   once each. With `retrain_schedule` (a calendar expression) the slots are its elapses
///   instead, counted from the production version's creation: the newest elapse that is
///   not later than now and later than both the creation and the last slot handled.
/// - `drift` holds when the drift streak reached `drift_confirmations`.
/// - `decay` holds when the latest check found the metric decayed.
/// - `estimated_decay` holds when the latest check, with too few labels, estimated the
///   metric decayed from the model's outputs (the same holds-back apply).
/// - What holds retraining back, in this order: switched off, a run already queued or
///   running for the model, the cooldown after the model's latest retraining
///   (`cooldown_hours`), the daily cap over all models (`max_retrains_per_day`).
public enum RetrainingPolicy {
    /// When the rules are applied, which decides the triggers looked at.
    public enum Occasion: Sendable, Equatable {
        /// After a monitoring check: `decay` and `drift` (the check's news).
        case check
        /// The retraining timer (and the daemon's start): `scheduled`.
        case tick
        /// A `check-retrain` job: every trigger, nothing recorded.
        case inquiry
    }

    /// Seconds in a day.
    static let day: Double = 86_400

    /// The decision for `situation` on `occasion`.
    public static func decide(_ situation: RetrainingSituation, occasion: Occasion) -> RetrainingDecision {
        var conditions: [RetrainingDecision.Condition] = []
        let schedule = scheduled(situation)
        if occasion != .tick {
            conditions.append(decay(situation))
            conditions.append(estimatedDecay(situation))
            conditions.append(drift(situation))
        }
        if occasion != .check { conditions.append(schedule.condition) }
        let holding = conditions.filter(\.holds).map(\.trigger)
        guard let first = holding.first else {
            return RetrainingDecision(
                conditions: conditions,
                action: .nothing,
                scheduledSlot: nil,
                nextScheduledAt: schedule.next
            )
        }
        let action: RetrainingDecision.Action
        if let reason = suppression(situation) {
            action = .suppress(holding, reason)
        } else {
            action = .fire(first, alsoHolding: Array(holding.dropFirst()))
        }
        // A slot is used up by a retraining, or by one that just happened or is under way;
        // switched off or capped, it stays due.
        var slot: Date?
        if holding.contains(.scheduled) {
            switch action {
            case .fire: slot = schedule.slot
            case .suppress(_, .runActive), .suppress(_, .cooldown): slot = schedule.slot
            default: slot = nil
            }
        }
        return RetrainingDecision(
            conditions: conditions,
            action: action,
            scheduledSlot: slot,
            nextScheduledAt: schedule.next
        )
    }

    /// What holds a retraining back now, if anything.
    public static func suppression(_ s: RetrainingSituation) -> RetrainingSuppression? {
        if !s.enabled { return .disabled }
        if let run = s.activeRun { return .runActive(run: run) }
        if let last = s.lastRetrainingAt {
            let until = last.addingTimeInterval(s.cooldownHours * 3600)
            if s.now < until { return .cooldown(last: last, until: until) }
        }
        if s.automaticInLastDay >= s.maxPerDay { return .capReached(count: s.automaticInLastDay, limit: s.maxPerDay) }
        return nil
    }

    static func drift(_ s: RetrainingSituation) -> RetrainingDecision.Condition {
        let holds = s.driftStreak >= s.driftConfirmations
        var figures: [String: JSONValue] = [
            "consecutive_checks": .int(s.driftStreak), "confirmations": .int(s.driftConfirmations),
        ]
        if let check = s.latestCheck {
            figures["check"] = .int(Int(check.id))
            figures["drifted"] = .array(check.drifted.map(JSONValue.string))
            figures["drift_share"] = .double(check.driftShare)
        }
        let explanation =
            holds
            ? "drift in \(s.driftStreak) checks in a row (\(s.driftConfirmations) needed)"
            : (s.driftStreak == 0
                ? "no drift in the latest check"
                : "drift in \(s.driftStreak) of the \(s.driftConfirmations) checks in a row needed")
        return .init(trigger: .drift, holds: holds, explanation: explanation, figures: .object(figures))
    }

    static func decay(_ s: RetrainingSituation) -> RetrainingDecision.Condition {
        guard let check = s.latestCheck else {
            return .init(trigger: .decay, holds: false, explanation: "no monitoring check yet", figures: .object([:]))
        }
        var figures: [String: JSONValue] = ["check": .int(Int(check.id)), "decayed": .bool(check.decayed)]
        if let drop = check.relativeDrop { figures["relative_drop"] = .double(drop) }
        if let metric = check.metric { figures["metric"] = .string(metric) }
        let drop = check.relativeDrop.map { String(format: "%.1f%%", $0 * 100) } ?? "?"
        let explanation =
            check.decayed
            ? "check \(check.id) found \(check.metric ?? "the metric") \(drop) below its baseline"
            : "check \(check.id) found no decay"
        return .init(trigger: .decay, holds: check.decayed, explanation: explanation, figures: .object(figures))
    }

    static func estimatedDecay(_ s: RetrainingSituation) -> RetrainingDecision.Condition {
        guard let check = s.latestCheck else {
            return .init(
                trigger: .estimatedDecay,
                holds: false,
                explanation: "no monitoring check yet",
                figures: .object([:])
            )
        }
        var figures: [String: JSONValue] = [
            "check": .int(Int(check.id)), "estimated_decayed": .bool(check.estimatedDecayed),
        ]
        if let drop = check.estimatedDrop { figures["relative_drop"] = .double(drop) }
        if let metric = check.metric { figures["metric"] = .string(metric) }
        let drop = check.estimatedDrop.map { String(format: "%.1f%%", $0 * 100) } ?? "?"
        let explanation =
            check.estimatedDecayed
            ? "check \(check.id) estimated \(check.metric ?? "the metric") \(drop) below its baseline, before the labels"
            : (check.estimatedDrop == nil
                ? "check \(check.id) had no estimate standing in for missing labels"
                : "check \(check.id) estimated \(check.metric ?? "the metric") \(drop) below its baseline: no decay")
        return .init(
            trigger: .estimatedDecay,
            holds: check.estimatedDecayed,
            explanation: explanation,
            figures: .object(figures)
        )
    }

    /// The scheduled condition, the slot it covers and when the next slot falls.
    static func scheduled(
        _ s: RetrainingSituation
    ) -> (condition: RetrainingDecision.Condition, slot: Date?, next: Date?) {
        guard let created = s.productionCreatedAt else {
            return (
                .init(trigger: .scheduled, holds: false, explanation: "no production version", figures: .object([:])),
                nil, nil
            )
        }
        if let calendar = s.calendar { return scheduled(s, calendar: calendar, created: created) }
        let period = s.scheduleDays * day
        let elapsed = s.now.timeIntervalSince(created)
        let periods = period > 0 ? (elapsed / period).rounded(.down) : 0
        var figures: [String: JSONValue] = [
            "production_created_at": .string(Timestamp.string(created)), "schedule_days": .double(s.scheduleDays),
            "age_days": .double((elapsed / day * 1000).rounded() / 1000),
        ]
        if let last = s.lastScheduledSlot { figures["last_slot"] = .string(Timestamp.string(last)) }
        guard periods >= 1 else {
            let next = created.addingTimeInterval(period)
            figures["due_at"] = .string(Timestamp.string(next))
            return (
                .init(
                    trigger: .scheduled,
                    holds: false,
                    explanation: "due at \(Timestamp.string(next))",
                    figures: .object(figures)
                ),
                nil, next
            )
        }
        let slot = created.addingTimeInterval(periods * period)
        let next = created.addingTimeInterval((periods + 1) * period)
        figures["slot"] = .string(Timestamp.string(slot))
        figures["next_slot"] = .string(Timestamp.string(next))
        if let last = s.lastScheduledSlot, last >= slot {
            return (
                .init(
                    trigger: .scheduled,
                    holds: false,
                    explanation:
                        "the slot of \(Timestamp.string(slot)) was already handled; next at \(Timestamp.string(next))",
                    figures: .object(figures)
                ), nil, next
            )
        }
        let age = String(format: "%.1f", elapsed / day)
        return (
            .init(
                trigger: .scheduled,
                holds: true,
                explanation:
                    "the production version is \(age) days old (schedule: every \(ValidationRun.format(s.scheduleDays)) days)",
                figures: .object(figures)
            ), slot, next
        )
    }

    /// The scheduled condition on a calendar expression: the slot is the newest elapse
    /// after the production version was created and after the last slot handled, not later
    /// than now; the next slot is the first elapse after now.
    static func scheduled(
        _ s: RetrainingSituation,
        calendar: CalendarSpec,
        created: Date
    ) -> (condition: RetrainingDecision.Condition, slot: Date?, next: Date?) {
        let zone = calendar.zoneName(local: s.timeZone)
        var figures: [String: JSONValue] = [
            "production_created_at": .string(Timestamp.string(created)), "schedule": .string(calendar.normalized),
            "time_zone": .string(zone),
            "age_days": .double((s.now.timeIntervalSince(created) / day * 1000).rounded() / 1000),
        ]
        if let last = s.lastScheduledSlot { figures["last_slot"] = .string(Timestamp.string(last)) }
        let lower = max(created, s.lastScheduledSlot ?? created)
        let next = calendar.nextElapse(after: s.now, localTimeZone: s.timeZone)
        if let next { figures["next_slot"] = .string(Timestamp.string(next)) }
        guard let slot = calendar.latestElapse(atOrBefore: s.now, after: lower, localTimeZone: s.timeZone) else {
            let explanation: String
            if let next {
                figures["due_at"] = .string(Timestamp.string(next))
                explanation = "due at \(Timestamp.string(next)) (schedule `\(calendar.normalized)`, \(zone))"
            } else {
                explanation = "the schedule `\(calendar.normalized)` does not elapse again"
            }
            return (
                .init(trigger: .scheduled, holds: false, explanation: explanation, figures: .object(figures)), nil, next
            )
        }
        figures["slot"] = .string(Timestamp.string(slot))
        return (
            .init(
                trigger: .scheduled,
                holds: true,
                explanation: "the schedule `\(calendar.normalized)` (\(zone)) elapsed at \(Timestamp.string(slot)), "
                    + "after the production version was created at \(Timestamp.string(created))",
                figures: .object(figures)
            ), slot, next
        )
    }
}
