import Foundation
import Testing

@testable import MLOpsCore

/// The scheduled trigger on a calendar expression (`retrain_schedule`), with injected
/// times and zones: no clock, no sleeping.
@Suite struct RetrainingCalendarTests {
    static let utc = TimeZone(identifier: "UTC") ?? .gmt

    static func date(_ text: String) -> Date { Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0) }

    /// Production created on Friday 2026-03-06 at noon UTC; weekly on Sunday at 02:00.
    static func situation(at now: String, slot: Date? = nil, zone: TimeZone = utc) throws -> RetrainingSituation {
        RetrainingSituation(
            now: date(now),
            enabled: true,
            productionCreatedAt: date("2026-03-06T12:00:00Z"),
            scheduleDays: 30,
            calendar: try CalendarSpec(parsing: "Sun *-*-* 02:00"),
            timeZone: zone,
            lastScheduledSlot: slot
        )
    }

    @Test func beforeTheFirstElapseTheScheduleSaysWhenItIsDue() throws {
        let d = RetrainingPolicy.decide(try Self.situation(at: "2026-03-07T09:00:00Z"), occasion: .tick)
        #expect(d.action == .nothing)
        #expect(d.nextScheduledAt == Self.date("2026-03-08T02:00:00Z"))
        let condition = try #require(d.conditions.first)
        #expect(condition.explanation.contains("due at 2026-03-08T02:00:00.000Z"))
        #expect(condition.figures["schedule"] == .string("Sun *-*-* 02:00:00"))
        #expect(condition.figures["time_zone"] == .string("UTC"))
    }

    @Test func eachElapseFiresOnceAndTheDaysScheduleIsIgnored() throws {
        var s = try Self.situation(at: "2026-03-07T00:00:00Z")
        var fired: [Date] = []
        // A tick every hour for five weeks; retrain_schedule_days (30) plays no part.
        while s.now < Self.date("2026-04-11T00:00:00Z") {
            let d = RetrainingPolicy.decide(s, occasion: .tick)
            if case .fire(.scheduled, _) = d.action { fired.append(s.now) }
            if let slot = d.scheduledSlot { s.lastScheduledSlot = slot }
            s.now.addTimeInterval(3600)
        }
        #expect(
            fired
                == ["2026-03-08", "2026-03-15", "2026-03-22", "2026-03-29", "2026-04-05"].map {
                    Self.date($0 + "T02:00:00Z")
                }
        )
    }

    @Test func elapsesMissedWhileDownFireOnceForTheNewest() throws {
        // Down from before the first Sunday until Wednesday 2026-03-25: three elapses passed.
        var s = try Self.situation(at: "2026-03-25T10:00:00Z")
        let first = RetrainingPolicy.decide(s, occasion: .tick)
        #expect(first.action == .fire(.scheduled, alsoHolding: []))
        #expect(first.scheduledSlot == Self.date("2026-03-22T02:00:00Z"))
        #expect(first.nextScheduledAt == Self.date("2026-03-29T02:00:00Z"))
        s.lastScheduledSlot = first.scheduledSlot
        #expect(RetrainingPolicy.decide(s, occasion: .tick).action == .nothing)
    }

    @Test func anElapseBeforeTheProductionVersionWasCreatedDoesNotCount() throws {
        // Created Sunday 2026-03-08 at 03:00, an hour after that Sunday's elapse.
        var s = try Self.situation(at: "2026-03-08T09:00:00Z")
        s.productionCreatedAt = Self.date("2026-03-08T03:00:00Z")
        #expect(RetrainingPolicy.decide(s, occasion: .tick).action == .nothing)
        s.now = Self.date("2026-03-15T02:00:00Z")
        #expect(RetrainingPolicy.decide(s, occasion: .tick).action == .fire(.scheduled, alsoHolding: []))
    }

    @Test func theExpressionIsReadInTheLocalZoneUnlessItNamesOne() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let local = try Self.situation(at: "2026-03-07T09:00:00Z", zone: berlin)
        // 02:00 in Berlin (CET, UTC+1) is 01:00 UTC.
        #expect(RetrainingPolicy.decide(local, occasion: .tick).nextScheduledAt == Self.date("2026-03-08T01:00:00Z"))
        var pinned = local
        pinned.calendar = try CalendarSpec(parsing: "Sun 02:00 UTC")
        #expect(RetrainingPolicy.decide(pinned, occasion: .tick).nextScheduledAt == Self.date("2026-03-08T02:00:00Z"))
        #expect(
            RetrainingPolicy.decide(local, occasion: .tick).conditions.first?.figures["time_zone"]
                == .string("Europe/Berlin")
        )
    }

    @Test func aCalendarSlotIsHeldBackByTheSameRulesAsADaySlot() throws {
        var s = try Self.situation(at: "2026-03-08T02:30:00Z")
        s.lastRetrainingAt = Self.date("2026-03-08T00:00:00Z")  // a manual retraining 2.5 h before
        let d = RetrainingPolicy.decide(s, occasion: .tick)
        let last = Self.date("2026-03-08T00:00:00Z")
        #expect(d.action == .suppress([.scheduled], .cooldown(last: last, until: last.addingTimeInterval(24 * 3600))))
        // Held back by the cooldown, the slot is used up (as with retrain_schedule_days).
        #expect(d.scheduledSlot == Self.date("2026-03-08T02:00:00Z"))
    }

    @Test func aScheduleThatNeverElapsesAgainSaysSo() throws {
        var s = try Self.situation(at: "2026-03-07T09:00:00Z")
        s.calendar = try CalendarSpec(parsing: "2025-01-01")
        let d = RetrainingPolicy.decide(s, occasion: .tick)
        #expect(d.action == .nothing)
        #expect(d.nextScheduledAt == nil)
        #expect(d.conditions.first?.explanation == "the schedule `2025-01-01 00:00:00` does not elapse again")
    }
}
