import Foundation
import Testing

@testable import MLOpsCore

@Suite struct AxisTimeTests {
    static func dates(_ offsets: [Double]) -> [Date] {
        offsets.map { Date(timeIntervalSince1970: ReportFixture.start + $0) }
    }

    /// The texts of `<text class="…">` elements in `svg`, in order.
    static func labels(_ cssClass: String, in svg: String) -> [String] {
        svg.components(separatedBy: "<text class=\"\(cssClass)\"").dropFirst().map {
            String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
        }
    }

    /// Whether no two neighbours read the same.
    static func neighboursDiffer(_ labels: [String]) -> Bool {
        zip(labels, labels.dropFirst()).allSatisfy { $0 != $1 }
    }

    @Test func thePrecisionFollowsTheSpan() {
        #expect(ReportFormat.TimePrecision(span: 0) == .second)
        #expect(ReportFormat.TimePrecision(span: 599) == .second)
        #expect(ReportFormat.TimePrecision(span: 600) == .minute)
        #expect(ReportFormat.TimePrecision(span: 36 * 3_600) == .minute)
        #expect(ReportFormat.TimePrecision(span: 3 * 86_400) == .day)
        // Five minutes: seconds, the date once.
        #expect(
            ReportFormat.axisTimes(Self.dates([0, 75, 150, 225, 300]))
                == ["2026-11-02 00:00:00", "00:01:15", "00:02:30", "00:03:45", "00:05:00"]
        )
        // Six hours: minutes.
        #expect(
            ReportFormat.axisTimes(Self.dates([0, 7_200, 14_400, 21_600]))
                == ["2026-11-02 00:00", "02:00", "04:00", "06:00"]
        )
        // Thirty days: dates.
        #expect(
            ReportFormat.axisTimes(Self.dates([0, 10, 20, 30].map { $0 * 86_400 }))
                == ["2026-11-02", "2026-11-12", "2026-11-22", "2026-12-02"]
        )
    }

    @Test func theDateIsWrittenAgainWhereItChanges() {
        #expect(
            ReportFormat.axisTimes(Self.dates([-7_200, -3_600, 0, 3_600]))
                == ["2026-11-01 22:00", "23:00", "2026-11-02 00:00", "01:00"]
        )
    }

    @Test func neighbouringTicksAtDifferentTimesNeverReadTheSame() {
        // Ticks at check times can crowd: two checks 20 s apart in a three-day span, two
        // 0.3 s apart in a minute, evenly spaced ticks a few seconds apart.
        let cases: [[Double]] = [
            [0, 86_400, 86_420, 3 * 86_400],
            [0, 30, 30.3, 60],
            (0..<6).map { Double($0) * 4 },
            (0..<7).map { Double($0) * 130 },
            (0..<7).map { Double($0) * 86_400 / 2 },
        ]
        for offsets in cases {
            let labels = ReportFormat.axisTimes(Self.dates(offsets))
            #expect(Self.neighboursDiffer(labels), "\(labels)")
        }
        #expect(ReportFormat.axisTimes(Self.dates([0, 30, 30.3, 60]))[2] == "00:00:30.300")
        // Equal times may read the same; texts that are not times are kept as they are.
        #expect(ReportFormat.axisTimes(Self.dates([0, 0])) == ["2026-11-02 00:00:00", "00:00:00"])
        #expect(ReportFormat.axisTimes(["soon", ReportFixture.time(0)]) == ["soon", "2026-11-02 00:00:00"])
        #expect(ReportFormat.axisTimes([Date]()).isEmpty)
    }

    @Test func chartsOverAFewMinutesLabelEveryTickDifferently() {
        // Twelve checks ten seconds apart: a "minutes" label would read the same on every tick.
        var report = ReportFixture.report(columns: 3, checks: 12)
        for index in report.checks.indices {
            report.checks[index].at = Timestamp.string(
                Date(timeIntervalSince1970: ReportFixture.start + Double(index) * 10)
            )
        }
        let health = LineChart(
            label: "health",
            valueName: "health",
            points: report.checks.map { LineChart.Point(seq: $0.seq, at: $0.at, value: $0.health) }
        )
        let healthTicks = Self.labels("tick small", in: health.svg())
        #expect(healthTicks.count == 7)
        #expect(healthTicks.first == "2026-11-02 00:00:00")
        #expect(Self.neighboursDiffer(healthTicks), "\(healthTicks)")

        let map = DriftHeatMap(checks: report.checks, alpha: 0.05, threshold: 0.1)
        let mapTicks = Self.labels("tick small", in: map.svg())
        #expect(mapTicks.count >= 3)
        #expect(Self.neighboursDiffer(mapTicks), "\(mapTicks)")

        let alert = ReportFixture.alert(2, model: "m")
        var short = alert
        short.openedAt = ReportFixture.time(0)
        short.updatedAt = ReportFixture.time(1)
        short.resolvedAt = ReportFixture.time(3)
        let timeline = TimelineChart(alerts: [short], events: [], runs: [])
        let timelineTicks = Self.labels("tick", in: timeline.svg())
        #expect(timelineTicks.count == 6)
        #expect(timelineTicks.first == "2026-11-02 00:00:00")
        #expect(timelineTicks.last == "00:03:00")
        #expect(Self.neighboursDiffer(timelineTicks), "\(timelineTicks)")
    }
}
