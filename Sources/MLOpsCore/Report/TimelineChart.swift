import Foundation

/// Alerts, version events and pipeline runs on one time axis: each alert a bar from opened to
/// resolved (open ones run to the end, dashed) with marks where it was updated (tick),
/// acknowledged (diamond) and resolved (square); each version event a marker with its
/// version and change written beside it; each run a bar from queued to finished labelled
/// with its state. Rows are packed so bars never overlap. Written as an SVG chart and as a
/// table of every entry.
public struct TimelineChart: Sendable {
    /// The alerts.
    public var alerts: [AlertDocument]
    /// The version events.
    public var events: [ModelReport.VersionEvent]
    /// The runs.
    public var runs: [RunDocument]
    /// Extra times the axis must span (the first and last check).
    public var span: [String]

    /// A timeline.
    public init(alerts: [AlertDocument], events: [ModelReport.VersionEvent], runs: [RunDocument], span: [String] = []) {
        self.alerts = alerts
        self.events = events
        self.runs = runs
        self.span = span
    }

    /// Every entry, oldest first.
    public var entries: [TimelineEntry] {
        TimelineEntry.sorted(
            alerts.flatMap(TimelineEntry.entries(of:)) + events.map(TimelineEntry.entry(of:))
                + runs.flatMap(TimelineEntry.entries(of:))
        )
    }

    static let width = 1080.0
    static let left = 90.0
    static let right = 20.0
    static let lane = 22.0
    /// The most rows of alerts or of runs; beyond, bars share the last row.
    static let mostLanes = 24

    /// The axis' ends: the earliest and latest time named anywhere, an hour either side when
    /// they are the same.
    var domain: (Date, Date)? {
        var dates = span.compactMap(Timestamp.parse)
        dates += entries.compactMap(\.date)
        guard let first = dates.min(), let last = dates.max() else { return nil }
        if last > first { return (first, last) }
        return (first.addingTimeInterval(-3600), last.addingTimeInterval(3600))
    }

    /// Row numbers for bars `(start, end)` in pixels, in order: each goes to the first row
    /// whose previous bar ends before it starts; past `most` rows, bars share the last.
    static func pack(_ bars: [(Double, Double)], most: Int = mostLanes) -> [Int] {
        var ends: [Double] = []
        return bars.map { start, end in
            if let row = ends.firstIndex(where: { $0 + 4 < start }) {
                ends[row] = end
                return row
            }
            if ends.count < most {
                ends.append(end)
                return ends.count - 1
            }
            return most - 1
        }
    }

    /// The SVG chart.
    public func svg() -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let (first, last) = domain ?? (Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 3600))
        let seconds = last.timeIntervalSince(first)
        func x(_ date: Date?) -> Double {
            guard let date else { return Self.left }
            return Self.left + plotWidth * date.timeIntervalSince(first) / seconds
        }
        func x(_ text: String?) -> Double? { text.flatMap(Timestamp.parse).map { x($0) } }
        let end = Self.left + plotWidth

        let alertBars = alerts.map { alert -> (Double, Double) in
            let start = x(alert.openedAt) ?? Self.left
            let stop = alert.resolvedAt.flatMap { x($0) } ?? end
            return (start, max(stop, start + 8 + Self.textWidth("\(alert.severity.rawValue): \(alert.type)")))
        }
        let alertRows = Self.pack(alertBars)
        let runBars = runs.map { run -> (Double, Double) in
            let start = x(run.queuedAt) ?? Self.left
            let stop = run.finishedAt.flatMap { x($0) } ?? end
            return (start, max(stop, start + 4 + Self.textWidth("\(run.runID) \(run.state.rawValue)")))
        }
        let runRows = Self.pack(runBars)
        let versionBars = events.map { change -> (Double, Double) in
            let start = x(change.event.at) ?? Self.left
            return (start - 6, start + 14 + Self.textWidth(Self.versionLabel(change)))
        }
        let versionRows = Self.pack(versionBars, most: 4)
        let versionLanes = Double((versionRows.max() ?? -1) + 1)
        let alertLanes = Double((alertRows.max() ?? -1) + 1)
        let runLanes = Double((runRows.max() ?? -1) + 1)

        let versionsTop = 10.0
        let alertsTop = versionsTop + max(1, versionLanes) * Self.lane + 8
        let runsTop = alertsTop + max(1, alertLanes) * Self.lane + 8
        let axis = runsTop + max(1, runLanes) * Self.lane + 6
        var svg = SVGWriter(
            width: Self.width,
            height: axis + 36,
            label: "Timeline of alerts, version changes and pipeline runs",
            attributes: [("class", "chart timeline")]
        )
        svg.label("Versions", x: 4, y: versionsTop + 16, cssClass: "lane-name")
        svg.label("Alerts", x: 4, y: alertsTop + 15, cssClass: "lane-name")
        svg.label("Runs", x: 4, y: runsTop + 15, cssClass: "lane-name")
        for top in [alertsTop, runsTop, axis] {
            svg.line(x1: Self.left, y1: top - 4, x2: end, y2: top - 4, cssClass: "lane-rule")
        }
        for (index, change) in events.enumerated() {
            drawVersionEvent(
                &svg,
                change,
                x: x(change.event.at) ?? Self.left,
                y: versionsTop + Double(versionRows[index]) * Self.lane + 11
            )
        }
        if events.isEmpty { svg.label("no version changes", x: Self.left + 4, y: versionsTop + 15, cssClass: "note") }
        for (index, alert) in alerts.enumerated() {
            drawAlert(&svg, alert, bar: alertBars[index], y: alertsTop + Double(alertRows[index]) * Self.lane, x: x)
        }
        for (index, run) in runs.enumerated() {
            drawRun(&svg, run, bar: runBars[index], y: runsTop + Double(runRows[index]) * Self.lane, x: x)
        }
        if alerts.isEmpty { svg.label("no alerts", x: Self.left + 4, y: alertsTop + 15, cssClass: "note") }
        if runs.isEmpty { svg.label("no runs", x: Self.left + 4, y: runsTop + 15, cssClass: "note") }
        let tickDates = (0...5).map { first.addingTimeInterval(seconds * Double($0) / 5) }
        let times = ReportFormat.axisTimes(tickDates)
        for (step, date) in tickDates.enumerated() {
            let position = x(date)
            svg.line(x1: position, y1: axis - 4, x2: position, y2: axis, cssClass: "axis")
            let anchor = step == 0 ? "start" : step == 5 ? "end" : "middle"
            svg.label(times[step], x: position, y: axis + 14, cssClass: "tick", anchor: anchor)
        }
        svg.label("UTC", x: end, y: axis + 28, cssClass: "tick small", anchor: "end")
        return svg.finish()
    }

    private func drawVersionEvent(_ svg: inout SVGWriter, _ change: ModelReport.VersionEvent, x: Double, y: Double) {
        let verb = TimelineEntry.verb(change.event)
        let entry = TimelineEntry.entry(of: change)
        svg.open("g", [("class", "version-mark"), ("data-version", change.version)])
        svg.element("title", [], "\(change.event.at) version \(change.version) \(verb). \(entry.detail)")
        var shape = SVGWriter.Path()
        switch verb {
        case "promoted", "rolled back to":
            // A triangle pointing up for a promotion, down for a rollback.
            let up = verb == "promoted"
            shape.move(x - 5, up ? y + 4 : y - 4)
            shape.line(x + 5, up ? y + 4 : y - 4)
            shape.line(x, up ? y - 5 : y + 5)
        default:
            shape.move(x - 4, y - 4)
            shape.line(x + 4, y - 4)
            shape.line(x + 4, y + 4)
            shape.line(x - 4, y + 4)
        }
        shape.closeSubpath()
        svg.path(shape, cssClass: "version-shape \(verb == "created" ? "hollow" : "solid")")
        let text = Self.versionLabel(change)
        let cssClass = change.event.forced ? "mark-label forced" : "mark-label"
        if x + 8 + Self.textWidth(text) > Self.width - Self.right {
            svg.label(text, x: x - 8, y: y + 4, cssClass: cssClass, anchor: "end")
        } else {
            svg.label(text, x: x + 8, y: y + 4, cssClass: cssClass)
        }
        svg.close("g")
    }

    private func drawAlert(
        _ svg: inout SVGWriter,
        _ alert: AlertDocument,
        bar: (Double, Double),
        y: Double,
        x: (String?) -> Double?
    ) {
        let start = bar.0
        let stop = x(alert.resolvedAt) ?? (Self.width - Self.right)
        svg.open("g", [("class", "alert-mark severity-\(alert.severity.rawValue)"), ("data-alert", alert.id)])
        svg.element(
            "title",
            [],
            "\(alert.id) (\(alert.severity.rawValue)): \(alert.message). Opened \(alert.openedAt)"
                + (alert.resolvedAt.map { ", resolved \($0)" } ?? ", still open")
        )
        svg.rect(
            x: start,
            y: y + 11,
            width: max(2, stop - start),
            height: 7,
            cssClass: alert.resolvedAt == nil ? "alert-bar open" : "alert-bar"
        )
        svg.circle(cx: start, cy: y + 14.5, r: 4, cssClass: "alert-open")
        if alert.updatedAt != alert.openedAt, let updated = x(alert.updatedAt) {
            svg.line(x1: updated, y1: y + 8, x2: updated, y2: y + 21, cssClass: "alert-update")
        }
        if let acknowledged = x(alert.acknowledgedAt) {
            var diamond = SVGWriter.Path()
            diamond.move(acknowledged, y + 9)
            diamond.line(acknowledged + 5, y + 14.5)
            diamond.line(acknowledged, y + 20)
            diamond.line(acknowledged - 5, y + 14.5)
            diamond.closeSubpath()
            svg.path(diamond, cssClass: "alert-ack")
        }
        if let resolved = x(alert.resolvedAt) {
            svg.rect(x: resolved - 4, y: y + 10.5, width: 8, height: 8, cssClass: "alert-resolved")
        }
        Self.barLabel(&svg, "\(alert.severity.rawValue): \(alert.type)", start: start + 6, y: y + 8)
        svg.close("g")
    }

    private func drawRun(
        _ svg: inout SVGWriter,
        _ run: RunDocument,
        bar: (Double, Double),
        y: Double,
        x: (String?) -> Double?
    ) {
        let start = bar.0
        let stop = x(run.finishedAt) ?? (Self.width - Self.right)
        svg.open("g", [("class", "run-mark state-\(run.state.rawValue)"), ("data-run", run.runID)])
        svg.element(
            "title",
            [],
            "run \(run.runID) (\(run.trigger)): \(run.state.rawValue), queued \(run.queuedAt)"
                + (run.finishedAt.map { ", finished \($0)" } ?? "")
        )
        if let started = x(run.startedAt), started > start {
            svg.line(x1: start, y1: y + 14.5, x2: started, y2: y + 14.5, cssClass: "run-wait")
        }
        let barStart = x(run.startedAt) ?? start
        svg.rect(x: barStart, y: y + 11, width: max(2, stop - barStart), height: 7, cssClass: "run-bar")
        Self.barLabel(&svg, "\(run.runID) \(run.state.rawValue)", start: start + 2, y: y + 8)
        svg.close("g")
    }

    /// About how wide `text` is at the chart's small label size.
    static func textWidth(_ text: String) -> Double { Double(text.count) * 5.8 }

    /// A version mark's label: version, change, and whether it was forced.
    static func versionLabel(_ change: ModelReport.VersionEvent) -> String {
        "\(change.version) \(TimelineEntry.verb(change.event))\(change.event.forced ? " (forced!)" : "")"
    }

    /// A bar's label, starting at `start`, or ending at the chart's right edge when it
    /// would run past it.
    static func barLabel(_ svg: inout SVGWriter, _ text: String, start: Double, y: Double) {
        let edge = width - right
        if start + textWidth(text) > edge {
            svg.label(text, x: edge, y: y, cssClass: "mark-label small", anchor: "end")
        } else {
            svg.label(text, x: start, y: y, cssClass: "mark-label small")
        }
    }

    /// Every entry with its time, kind, subject and detail.
    public func table() -> String {
        let rows = entries.map { [$0.at, $0.kind, $0.subject, $0.detail] }
        var html = HTMLWriter(capacity: rows.count * 150 + 300)
        html.table(
            caption: "Timeline, oldest first",
            header: ["Time", "Kind", "Subject", "Detail"],
            rows: rows,
            cssClass: "numbers text"
        )
        return html.text
    }
}
