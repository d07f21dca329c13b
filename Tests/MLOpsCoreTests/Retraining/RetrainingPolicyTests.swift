import Foundation
import Testing

@testable import MLOpsCore

/// The retraining rules with injected times: no clock, no sleeping.
@Suite struct RetrainingPolicyTests {
    static let day: TimeInterval = 86_400
    /// The production version's creation.
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    static func situation(at days: Double, slot: Date? = nil, enabled: Bool = true) -> RetrainingSituation {
        RetrainingSituation(
            now: created.addingTimeInterval(days * day),
            enabled: enabled,
            productionCreatedAt: created,
            scheduleDays: 30,
            lastScheduledSlot: slot
        )
    }

    /// Applies a decision the way the daemon does: a fire is a retraining now, a slot is recorded.
    static func apply(_ decision: RetrainingDecision, to s: inout RetrainingSituation, run: String) {
        if let slot = decision.scheduledSlot { s.lastScheduledSlot = slot }
        if case .fire = decision.action {
            s.lastRetrainingAt = s.now
            s.activeRun = run
            s.automaticInLastDay += 1
        }
    }

    @Test func theThirtyDayTriggerFiresOnceAtItsSlot() {
        var s = Self.situation(at: 29.9)
        var fired = 0
        // A tick every hour from day 29.9 to day 40.
        while s.now < Self.created.addingTimeInterval(40 * Self.day) {
            let d = RetrainingPolicy.decide(s, occasion: .tick)
            if case .fire(let trigger, _) = d.action {
                #expect(trigger == .scheduled)
                #expect(s.now >= Self.created.addingTimeInterval(30 * Self.day))
                fired += 1
            }
            Self.apply(d, to: &s, run: "r\(fired)")
            s.activeRun = nil  // the run ended
            s.now.addTimeInterval(3600)
        }
        #expect(fired == 1)
    }

    @Test func beforeItsSlotTheScheduleSaysWhenItIsDue() {
        let d = RetrainingPolicy.decide(Self.situation(at: 10), occasion: .tick)
        #expect(d.action == .nothing)
        #expect(d.nextScheduledAt == Self.created.addingTimeInterval(30 * Self.day))
        #expect(d.conditions.first?.holds == false)
    }

    @Test func slotsMissedWhileDownFireOnceAtStart() {
        // The daemon was down from day 20 to day 95: slots 30, 60 and 90 passed.
        var s = Self.situation(at: 95)
        let first = RetrainingPolicy.decide(s, occasion: .tick)
        #expect(first.action == .fire(.scheduled, alsoHolding: []))
        #expect(first.scheduledSlot == Self.created.addingTimeInterval(90 * Self.day))
        Self.apply(first, to: &s, run: "r1")
        s.activeRun = nil
        s.lastRetrainingAt = nil
        // Later ticks (and a restart) see the slot handled: nothing until day 120.
        for hours: Double in [0, 1, 24, 480] {
            var later = s
            later.now = s.now.addingTimeInterval(hours * 3600)
            #expect(RetrainingPolicy.decide(later, occasion: .tick).action == .nothing, "after \(hours) h")
        }
        var next = s
        next.now = Self.created.addingTimeInterval(120 * Self.day)
        #expect(RetrainingPolicy.decide(next, occasion: .tick).action == .fire(.scheduled, alsoHolding: []))
    }

    @Test func driftConfirmedTwiceFiresDriftSeenOnceDoesNot() {
        var s = Self.situation(at: 1)
        s.driftConfirmations = 2
        s.driftStreak = 1
        s.latestCheck = .init(id: 7, at: s.now, drifted: ["exposure_kvp"], driftShare: 0.2)
        let once = RetrainingPolicy.decide(s, occasion: .check)
        #expect(once.action == .nothing)
        #expect(once.conditions.first { $0.trigger == .drift }?.holds == false)
        s.driftStreak = 2
        s.latestCheck = .init(id: 8, at: s.now, drifted: ["exposure_kvp"], driftShare: 0.2)
        let twice = RetrainingPolicy.decide(s, occasion: .check)
        #expect(twice.action == .fire(.drift, alsoHolding: []))
        let drift = twice.conditions.first { $0.trigger == .drift }
        #expect(drift?.figures["consecutive_checks"] == 2)
        #expect(drift?.figures["check"] == 8)
        // A check never looks at the schedule, a tick never at drift.
        #expect(!twice.conditions.contains { $0.trigger == .scheduled })
        #expect(RetrainingPolicy.decide(s, occasion: .tick).action == .nothing)
    }

    @Test func decayFiresAndTakesPriorityOverDrift() {
        var s = Self.situation(at: 1)
        s.latestCheck = .init(id: 3, at: s.now, decayed: true, relativeDrop: 0.12, metric: "accuracy")
        #expect(RetrainingPolicy.decide(s, occasion: .check).action == .fire(.decay, alsoHolding: []))
        s.driftStreak = 5
        let both = RetrainingPolicy.decide(s, occasion: .check)
        #expect(both.action == .fire(.decay, alsoHolding: [.drift]))
        #expect(both.conditions.first { $0.trigger == .decay }?.figures["relative_drop"] == 0.12)
    }

    @Test func estimatedDecayFiresAfterMeasuredDecayAndIsHeldBackLikeTheOthers() {
        var s = Self.situation(at: 1)
        s.latestCheck = .init(id: 4, at: s.now, metric: "accuracy")
        s.latestCheck?.estimatedDecayed = true
        s.latestCheck?.estimatedDrop = 0.2
        let alone = RetrainingPolicy.decide(s, occasion: .check)
        #expect(alone.action == .fire(.estimatedDecay, alsoHolding: []))
        let condition = alone.conditions.first { $0.trigger == .estimatedDecay }
        #expect(condition?.figures["relative_drop"] == 0.2)
        #expect(condition?.explanation.contains("20.0% below its baseline, before the labels") == true)
        s.driftStreak = 5
        #expect(RetrainingPolicy.decide(s, occasion: .check).action == .fire(.estimatedDecay, alsoHolding: [.drift]))
        s.latestCheck?.decayed = true
        #expect(
            RetrainingPolicy.decide(s, occasion: .check).action
                == .fire(.decay, alsoHolding: [.estimatedDecay, .drift])
        )
        // The timer does not look at it; the cooldown and the cap hold it back.
        #expect(RetrainingPolicy.decide(s, occasion: .tick).conditions.allSatisfy { $0.trigger == .scheduled })
        s.latestCheck?.decayed = false
        s.driftStreak = 0
        s.lastRetrainingAt = s.now.addingTimeInterval(-3600)
        s.cooldownHours = 24
        guard case .suppress([.estimatedDecay], let reason) = RetrainingPolicy.decide(s, occasion: .check).action else {
            Issue.record("not held back")
            return
        }
        #expect(reason.code == "cooldown")
        s.lastRetrainingAt = nil
        s.automaticInLastDay = 3
        s.maxPerDay = 3
        #expect(
            RetrainingPolicy.decide(s, occasion: .check).action
                == .suppress([.estimatedDecay], .capReached(count: 3, limit: 3))
        )
    }

    @Test func cooldownAndOneRunPerModelHoldUnderABurstOfTriggers() throws {
        var s = Self.situation(at: 1)
        s.cooldownHours = 24
        s.maxPerDay = 100
        s.driftStreak = 2
        var fired = 0
        var reasons: [String] = []
        // 50 drifting checks, one every 10 minutes (8 h 20 min); the run takes an hour.
        for i in 0..<50 {
            s.latestCheck = .init(id: Int64(i), at: s.now, drifted: ["a"], driftShare: 1)
            let d = RetrainingPolicy.decide(s, occasion: .check)
            switch d.action {
            case .fire: fired += 1
            case .suppress(_, let reason): reasons.append(reason.code)
            case .nothing: Issue.record("drift holds at check \(i)")
            }
            Self.apply(d, to: &s, run: "r\(i)")
            if let last = s.lastRetrainingAt, s.now.timeIntervalSince(last) >= 3600 { s.activeRun = nil }
            s.driftStreak += 1
            s.now.addTimeInterval(600)
        }
        #expect(fired == 1)
        #expect(reasons.count == 49)
        #expect(reasons.prefix(5).allSatisfy { $0 == "run_active" })
        #expect(reasons.suffix(10).allSatisfy { $0 == "cooldown" })
        // After the cooldown, persisting drift fires again.
        s.now = try #require(s.lastRetrainingAt).addingTimeInterval(24 * 3600 + 1)
        s.activeRun = nil
        #expect(RetrainingPolicy.decide(s, occasion: .check).action == .fire(.drift, alsoHolding: []))
    }

    @Test func theDailyCapHoldsBackAndKeepsTheSlotDue() {
        var s = Self.situation(at: 31)
        s.automaticInLastDay = 3
        s.maxPerDay = 3
        let d = RetrainingPolicy.decide(s, occasion: .tick)
        #expect(d.action == .suppress([.scheduled], .capReached(count: 3, limit: 3)))
        #expect(d.scheduledSlot == nil)  // tried again at the next tick
        s.automaticInLastDay = 2
        #expect(RetrainingPolicy.decide(s, occasion: .tick).action == .fire(.scheduled, alsoHolding: []))
    }

    @Test func switchedOffNothingStartsAndTheReasonsAreOrdered() {
        var s = Self.situation(at: 31, enabled: false)
        s.activeRun = "r9"
        let d = RetrainingPolicy.decide(s, occasion: .inquiry)
        #expect(d.action == .suppress([.scheduled], .disabled))
        s.enabled = true
        #expect(RetrainingPolicy.suppression(s) == .runActive(run: "r9"))
        s.activeRun = nil
        s.lastRetrainingAt = s.now.addingTimeInterval(-3600)
        guard case .cooldown(_, let until)? = RetrainingPolicy.suppression(s) else {
            Issue.record("no cooldown")
            return
        }
        #expect(until == s.now.addingTimeInterval(23 * 3600))
        // A slot held back by the cooldown is used up (a retraining just happened).
        #expect(
            RetrainingPolicy.decide(s, occasion: .tick).scheduledSlot == Self.created.addingTimeInterval(30 * Self.day)
        )
    }

    @Test func withoutAProductionVersionNoScheduleHolds() {
        let s = RetrainingSituation(now: Self.created, enabled: true, productionCreatedAt: nil, scheduleDays: 30)
        let d = RetrainingPolicy.decide(s, occasion: .inquiry)
        #expect(d.action == .nothing)
        #expect(d.nextScheduledAt == nil)
    }
}
