import Testing

@testable import MLOpsCore

@Suite struct TimelineEntryTests {
    static func event(
        from: VersionState?,
        to: VersionState,
        reason: String? = nil,
        forced: Bool = false
    ) -> VersionEventDocument {
        VersionEventDocument(
            from: from,
            to: to,
            at: "2026-11-29T13:00:00Z",
            by: "ops",
            job: nil,
            reason: reason,
            forced: forced
        )
    }

    @Test func versionChangesReadAsWhatHappened() {
        #expect(TimelineEntry.verb(Self.event(from: nil, to: .registered)) == "created")
        #expect(TimelineEntry.verb(Self.event(from: .staging, to: .production, reason: "gates passed")) == "promoted")
        #expect(
            TimelineEntry.verb(Self.event(from: .staging, to: .production, reason: "Rollback after decay"))
                == "rolled back to"
        )
        #expect(TimelineEntry.verb(Self.event(from: .production, to: .staging)) == "left production")
        #expect(TimelineEntry.verb(Self.event(from: .staging, to: .archived)) == "archived")
        #expect(TimelineEntry.verb(Self.event(from: .registered, to: .staging)) == "staging")
    }

    @Test func aForcedPromotionSaysSoBeforeItsGateVerdict() {
        let entry = TimelineEntry.entry(
            of: ModelReport.VersionEvent(
                version: "2.0.0",
                event: Self.event(from: .staging, to: .production, reason: "accuracy 0.80 < 0.85", forced: true)
            )
        )
        #expect(entry.kind == "version promoted")
        #expect(entry.detail == "FORCED past refusing gates. accuracy 0.80 < 0.85 (by ops)")
    }

    @Test func entriesAreOrderedByTimeWithUndatedOnesLast() {
        let entries = [
            TimelineEntry(at: "2026-11-29T13:00:00Z", kind: "b", subject: "", detail: ""),
            TimelineEntry(at: "not a time", kind: "z", subject: "", detail: ""),
            TimelineEntry(at: "2026-11-29T12:00:00+00:00", kind: "a", subject: "", detail: ""),
            TimelineEntry(at: "2026-11-29T13:00:00.000Z", kind: "c", subject: "", detail: ""),
        ]
        #expect(TimelineEntry.sorted(entries).map(\.kind) == ["a", "b", "c", "z"])
    }

    @Test func manyOverlappingAlertsShareAtMostTheLaneLimitAndAllAreMarked() {
        let alerts = (1...60).map { ReportFixture.alert($0 % 2 == 0 ? 1 : 3, model: "m") }
            .enumerated().map { index, alert -> AlertDocument in
                var alert = alert
                alert.id = "m.data_drift.\(index)"
                return alert
            }
        let svg = TimelineChart(alerts: alerts, events: [], runs: []).svg()
        #expect(ReportFixture.occurrences(of: "class=\"alert-mark", in: svg) == 60)
        #expect(TimelineChart.pack(Array(repeating: (0, 100), count: 60)).max() == TimelineChart.mostLanes - 1)
        #expect(XMLWellFormedness.error(in: svg) == nil)
    }
}
