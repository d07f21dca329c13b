import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `retrain_schedule` through the real daemon: the retraining timer wakes just after the
/// calendar's elapse, even when its regular tick is an hour away.
@Suite(.serialized) struct RetrainingCalendarDaemonTests {
    func submit(_ h: DaemonHarness, _ id: String, _ text: String, timeout: Double = 60) throws -> ResultDocument {
        try h.drop("\(id).yaml", "id: \(id)\n" + text)
        return try h.waitForResult(id, timeout: timeout)
    }

    @Test func aCalendarScheduleRetrainsJustAfterItsElapseThoughTheTickIsHourly() throws {
        // Elapses every 10 s (UTC); monitoring_check_interval 3600 makes the regular tick
        // hourly, so only the calendar's own wake-up can find the slot in time.
        let h = try PipelineDaemonTests.harness(
            config: "retrain_schedule: \"*:*:0/10 UTC\"\nmonitoring_check_interval: 3600\n"
        )
        defer { h.cleanUp() }
        let first = try submit(
            h,
            "train1",
            "kind: run-pipeline\nmodel: chest-xray\nparams:\n  data: \(h.root)/data/train.csv\n",
            timeout: 240
        )
        #expect(first.status == .succeeded, "\(first.error?.message ?? "")")
        let check = try submit(h, "check", "kind: check-retrain\nmodel: chest-xray\n")
        guard case .array(let conditions)? = check.result?["conditions"],
            let scheduled = conditions.first(where: { $0["trigger"] == "scheduled" })
        else {
            Issue.record("no scheduled condition: \(String(describing: check.result))")
            return
        }
        #expect(scheduled["figures"]?["schedule"] == "*-*-* *:*:00/10 UTC")
        #expect(scheduled["figures"]?["time_zone"] == "UTC")
        let next = try #require(check.result?["next_scheduled_at"]?.stringValue.flatMap(Timestamp.parse))
        #expect(Int(next.timeIntervalSince1970.rounded()) % 10 == 0, "next slot on a multiple of 10 s: \(next)")
        #expect(
            try submit(
                h,
                "on",
                "kind: retraining-start\nmodel: chest-xray\nparams:\n  params: {data: \(h.root)/data/train.csv}\n"
            ).status == .succeeded
        )
        var fired: (at: Date, slot: Date)?
        try waitUntil(timeout: 60, "a scheduled retraining") {
            fired = try h.readStore { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT at, detected_at FROM retraining_events WHERE trigger = 'scheduled' AND action = 'fired'"
                    ),
                    let at = (row["at"] as String?).flatMap(Timestamp.parse),
                    let slot = (row["detected_at"] as String?).flatMap(Timestamp.parse)
                else { return nil }
                return (at, slot)
            }
            return fired != nil
        }
        let (at, slot) = try #require(fired)
        #expect(Int(slot.timeIntervalSince1970.rounded()) % 10 == 0, "the slot is an elapse: \(slot)")
        #expect(at >= slot && at.timeIntervalSince(slot) < 3, "fired \(at.timeIntervalSince(slot)) s after its slot")
        let run = try h.readStore { db in
            try String.fetchOne(db, sql: "SELECT trigger FROM pipeline_runs WHERE trigger = 'scheduled'")
        }
        #expect(run == "scheduled")
    }
}
