/// A value over the checks (x = check, oldest left; y = value) with optional shaded bands
/// (the health score's critical, warning and good ranges), an optional interval band (a
/// metric's Wilson interval) and an optional dashed baseline. A missing value breaks the
/// line. An optional second series (the realized metric beside its estimate) is drawn
/// dotted with square markers. Written as an SVG chart and as a table with the same numbers.
public struct LineChart: Sendable {
    /// One check's figures.
    public struct Point: Sendable, Equatable {
        /// The check's number.
        public var seq: Int
        /// When it ran (RFC 3339).
        public var at: String
        /// The value; nil when the check has none (the line breaks there).
        public var value: Double?
        /// The interval's bounds, when the value has one.
        public var lower: Double?
        /// The interval's upper bound.
        public var upper: Double?
        /// The baseline the value is compared with, when there is one.
        public var baseline: Double?
        /// The second series' value, when the chart has one (``LineChart/secondName``).
        public var second: Double? = nil

        /// A point.
        public init(
            seq: Int,
            at: String,
            value: Double?,
            lower: Double? = nil,
            upper: Double? = nil,
            baseline: Double? = nil
        ) {
            self.seq = seq
            self.at = at
            self.value = value
            self.lower = lower
            self.upper = upper
            self.baseline = baseline
        }
    }

    /// A shaded horizontal range with its name written at the right edge.
    public struct Band: Sendable, Equatable {
        /// Its lower edge.
        public var lower: Double
        /// Its upper edge.
        public var upper: Double
        /// Its name (`critical`, …), written in the chart: the band reads without colour.
        public var name: String
        /// The CSS class that shades it.
        public var cssClass: String

        /// A band.
        public init(lower: Double, upper: Double, name: String, cssClass: String) {
            self.lower = lower
            self.upper = upper
            self.name = name
            self.cssClass = cssClass
        }
    }

    /// How values are written in labels and the table.
    public enum ValueStyle: Sendable {
        /// Three significant digits.
        case number
        /// A percentage.
        case percent
    }

    /// The chart's accessible name and title.
    public var label: String
    /// The value's name in the legend and the table header.
    public var valueName: String
    /// The checks, oldest first.
    public var points: [Point]
    /// The y range; nil: the data's own, padded.
    public var range: ClosedRange<Double>?
    /// Shaded ranges behind the line.
    public var bands: [Band]
    /// How values are written.
    public var style: ValueStyle
    /// The second series' name; nil: no second series.
    public var secondName: String? = nil
    /// The interval's name in the legend and the table.
    public var intervalName = "95% interval"

    /// The health score's bands: critical below 0.6, warning 0.6 to 0.8, good above.
    public static let healthBands = [
        Band(lower: 0, upper: 0.6, name: "critical", cssClass: "band-critical"),
        Band(lower: 0.6, upper: 0.8, name: "warning", cssClass: "band-warning"),
        Band(lower: 0.8, upper: 1, name: "good", cssClass: "band-good"),
    ]

    /// A chart.
    public init(
        label: String,
        valueName: String,
        points: [Point],
        range: ClosedRange<Double>? = nil,
        bands: [Band] = [],
        style: ValueStyle = .number
    ) {
        self.label = label
        self.valueName = valueName
        self.points = points
        self.range = range
        self.bands = bands
        self.style = style
    }

    static let width = 1080.0
    static let height = 250.0
    static let left = 56.0
    static let right = 84.0
    static let top = 28.0
    static let bottom = 40.0
    /// Up to this many checks every point gets a marker with its value as a tooltip.
    static let markerLimit = 150

    private var hasInterval: Bool { points.contains { $0.lower != nil && $0.upper != nil } }
    private var hasBaseline: Bool { points.contains { $0.baseline != nil } }
    private var hasSecond: Bool { secondName != nil }

    func format(_ value: Double?) -> String {
        style == .percent ? ReportFormat.percent(value) : ReportFormat.number(value)
    }

    /// The y range drawn: the given one, or the data's padded by 5%.
    var yRange: ClosedRange<Double> {
        if let range { return range }
        let values = points.flatMap { [$0.value, $0.lower, $0.upper, $0.baseline, $0.second] }.compactMap { $0 }.filter(
            \.isFinite
        )
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        if high > low {
            let pad = (high - low) * 0.05
            return (low - pad)...(high + pad)
        }
        let pad = low == 0 ? 0.5 : abs(low) * 0.1
        return (low - pad)...(high + pad)
    }

    /// The SVG chart.
    public func svg() -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let range = yRange
        let span = range.upperBound - range.lowerBound
        let count = points.count
        func x(_ index: Int) -> Double {
            count < 2 ? Self.left + plotWidth / 2 : Self.left + Double(index) * plotWidth / Double(count - 1)
        }
        func y(_ value: Double) -> Double {
            let clamped = min(max(value, range.lowerBound), range.upperBound)
            return Self.top + plotHeight * (1 - (clamped - range.lowerBound) / span)
        }
        var svg = SVGWriter(
            width: Self.width,
            height: Self.height,
            label: label,
            attributes: [("class", "chart line-chart")]
        )
        for band in bands {
            let low = max(band.lower, range.lowerBound)
            let high = min(band.upper, range.upperBound)
            guard high > low else { continue }
            svg.rect(x: Self.left, y: y(high), width: plotWidth, height: y(low) - y(high), cssClass: band.cssClass)
            svg.line(x1: Self.left, y1: y(high), x2: Self.left + plotWidth, y2: y(high), cssClass: "band-edge")
            svg.label(band.name, x: Self.left + plotWidth + 6, y: (y(low) + y(high)) / 2 + 4, cssClass: "band-name")
        }
        // Axes and ticks.
        for step in 0...4 {
            let value = range.lowerBound + span * Double(step) / 4
            svg.line(x1: Self.left - 4, y1: y(value), x2: Self.left, y2: y(value), cssClass: "axis")
            svg.label(format(value), x: Self.left - 7, y: y(value) + 4, cssClass: "tick", anchor: "end")
        }
        svg.line(x1: Self.left, y1: Self.top, x2: Self.left, y2: Self.top + plotHeight, cssClass: "axis")
        svg.line(
            x1: Self.left,
            y1: Self.top + plotHeight,
            x2: Self.left + plotWidth,
            y2: Self.top + plotHeight,
            cssClass: "axis"
        )
        let ticks = Self.tickIndices(count: count, most: 7)
        let times = ReportFormat.axisTimes(ticks.map { points[$0].at })
        for (tick, index) in ticks.enumerated() {
            let point = points[index]
            svg.line(
                x1: x(index),
                y1: Self.top + plotHeight,
                x2: x(index),
                y2: Self.top + plotHeight + 4,
                cssClass: "axis"
            )
            svg.label("#\(point.seq)", x: x(index), y: Self.top + plotHeight + 16, cssClass: "tick", anchor: "middle")
            svg.label(
                times[tick],
                x: x(index),
                y: Self.top + plotHeight + 29,
                cssClass: "tick small",
                anchor: "middle"
            )
        }
        // The interval band, one closed shape per run of checks that have one.
        var interval = SVGWriter.Path()
        var run: [Int] = []
        func flush() {
            guard let first = run.first, let last = run.last else { return }
            // A lone check gets a narrow box so its interval stays visible.
            let pad = run.count == 1 ? 3.0 : 0
            interval.move(x(first) - pad, y(points[first].upper ?? 0))
            for index in run { interval.line(x(index) + (index == last ? pad : 0), y(points[index].upper ?? 0)) }
            for index in run.reversed() {
                interval.line(x(index) + (index == last ? pad : 0), y(points[index].lower ?? 0))
            }
            interval.line(x(first) - pad, y(points[first].lower ?? 0))
            interval.closeSubpath()
            run = []
        }
        for (index, point) in points.enumerated() {
            if point.lower != nil && point.upper != nil { run.append(index) } else { flush() }
        }
        flush()
        svg.path(interval, cssClass: "interval")
        let baseline = SVGWriter.Path.broken(points.enumerated().map { i, p in p.baseline.map { (x(i), y($0)) } })
        svg.path(baseline, cssClass: "baseline")
        let line = SVGWriter.Path.broken(points.enumerated().map { i, p in p.value.map { (x(i), y($0)) } })
        svg.path(line, cssClass: "series")
        if let secondName {
            let second = SVGWriter.Path.broken(points.enumerated().map { i, p in p.second.map { (x(i), y($0)) } })
            svg.path(second, cssClass: "series-second")
            for (index, point) in points.enumerated() {
                guard let value = point.second, count <= Self.markerLimit else { continue }
                svg.rect(x: x(index) - 2.5, y: y(value) - 2.5, width: 5, height: 5, cssClass: "marker-second")
            }
        }
        for (index, point) in points.enumerated() {
            guard let value = point.value else { continue }
            let isolated =
                (index == 0 || points[index - 1].value == nil) && (index == count - 1 || points[index + 1].value == nil)
            guard count <= Self.markerLimit || isolated else { continue }
            svg.circle(
                cx: x(index),
                cy: y(value),
                r: 2.5,
                cssClass: "marker",
                tooltip: "check #\(point.seq) \(point.at): \(valueName) \(format(value))"
            )
        }
        legend(&svg)
        return svg.finish()
    }

    private func legend(_ svg: inout SVGWriter) {
        var x = Self.left
        let y = 14.0
        svg.line(x1: x, y1: y - 4, x2: x + 22, y2: y - 4, cssClass: "series")
        svg.label(valueName, x: x + 27, y: y, cssClass: "legend")
        x += 40 + Double(valueName.count) * 6.5
        if let secondName {
            svg.line(x1: x, y1: y - 4, x2: x + 22, y2: y - 4, cssClass: "series-second")
            svg.label(secondName, x: x + 27, y: y, cssClass: "legend")
            x += 40 + Double(secondName.count) * 6.5
        }
        if hasInterval {
            svg.rect(x: x, y: y - 9, width: 22, height: 10, cssClass: "interval")
            svg.label(intervalName, x: x + 27, y: y, cssClass: "legend")
            x += 40 + Double(intervalName.count) * 6.5
        }
        if hasBaseline {
            svg.line(x1: x, y1: y - 4, x2: x + 22, y2: y - 4, cssClass: "baseline")
            svg.label("baseline", x: x + 27, y: y, cssClass: "legend")
        }
    }

    /// At most `most` indices spread evenly over `count` points, first and last included.
    static func tickIndices(count: Int, most: Int) -> [Int] {
        guard count > 0 else { return [] }
        guard count > most else { return Array(0..<count) }
        var indices: [Int] = []
        for step in 0..<most {
            let index = Int((Double(step) * Double(count - 1) / Double(most - 1)).rounded())
            if indices.last != index { indices.append(index) }
        }
        return indices
    }

    /// The numbers drawn: one row per check.
    public func table() -> String {
        var header = ["Check", "Time", valueName]
        if let secondName { header += [secondName] }
        if hasInterval { header += ["Interval lower", "Interval upper"] }
        if hasBaseline { header += ["Baseline"] }
        let rows = points.map { point -> [String] in
            var row = ["#\(point.seq)", point.at, format(point.value)]
            if hasSecond { row += [format(point.second)] }
            if hasInterval { row += [format(point.lower), format(point.upper)] }
            if hasBaseline { row += [format(point.baseline)] }
            return row
        }
        var html = HTMLWriter(capacity: rows.count * 80 + 200)
        html.table(caption: "\(label): the numbers", header: header, rows: rows, rowHeaders: true)
        return html.text
    }
}
