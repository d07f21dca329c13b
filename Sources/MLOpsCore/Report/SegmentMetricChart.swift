/// The metric per equipment or population value in the latest check: a dot at the value with
/// its Wilson interval as a whisker, the production baseline as a dashed vertical line, and
/// values the reference never had labelled "new". Written as an SVG chart and as a table with
/// the same numbers.
public struct SegmentMetricChart: Sendable {
    /// Each value's figures, in the check's order.
    public var figures: [MonitoringReport.ValueFigures]
    /// The values the reference never had (`column`, `value`).
    public var newValues: [MonitoringReport.NewValue]
    /// The metric's name.
    public var metric: String
    /// The production version's metric, when known.
    public var baseline: Double?
    /// What the values are (`Equipment`, `Population`).
    public var group: String

    /// A chart.
    public init(
        group: String,
        figures: [MonitoringReport.ValueFigures],
        newValues: [MonitoringReport.NewValue],
        metric: String,
        baseline: Double?
    ) {
        self.group = group
        self.figures = figures
        self.newValues = newValues
        self.metric = metric
        self.baseline = baseline
    }

    static let width = 1080.0
    static let labelWidth = 260.0
    static let row = 22.0
    static let top = 30.0
    static let bottom = 30.0

    func isNew(_ figure: MonitoringReport.ValueFigures) -> Bool {
        newValues.contains { $0.column == figure.column && $0.value == figure.value }
    }

    /// The x range: every bound, value and the baseline, padded.
    var range: ClosedRange<Double> {
        var values = figures.flatMap { [$0.metric, $0.interval?.lower, $0.interval?.upper] }.compactMap { $0 }
        if let baseline { values.append(baseline) }
        values = values.filter(\.isFinite)
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        let pad = high > low ? (high - low) * 0.05 : max(abs(low) * 0.1, 0.05)
        return (low - pad)...(high + pad)
    }

    /// The SVG chart.
    public func svg() -> String {
        let height = Self.top + Double(max(1, figures.count)) * Self.row + Self.bottom
        let plotWidth = Self.width - Self.labelWidth - 90
        let range = self.range
        func x(_ value: Double) -> Double {
            Self.labelWidth + plotWidth * (min(max(value, range.lowerBound), range.upperBound) - range.lowerBound)
                / (range.upperBound - range.lowerBound)
        }
        var svg = SVGWriter(
            width: Self.width,
            height: height,
            label: "\(group): \(metric) per value with its 95% interval",
            attributes: [("class", "chart segment-chart")]
        )
        svg.circle(cx: Self.labelWidth + 6, cy: 12, r: 4, cssClass: "marker")
        svg.label("\(metric) with 95% interval", x: Self.labelWidth + 16, y: 16, cssClass: "legend")
        if baseline != nil {
            svg.line(x1: Self.labelWidth + 220, y1: 12, x2: Self.labelWidth + 242, y2: 12, cssClass: "baseline")
            svg.label("production baseline", x: Self.labelWidth + 247, y: 16, cssClass: "legend")
        }
        let bottom = Self.top + Double(figures.count) * Self.row
        for (index, figure) in figures.enumerated() {
            let y = Self.top + Double(index) * Self.row + Self.row / 2
            svg.label(
                DriftHeatMap.truncated("\(figure.column) = \(figure.value)", 40),
                x: Self.labelWidth - 8,
                y: y + 4,
                cssClass: "row-label",
                anchor: "end"
            )
            var end = Self.labelWidth + 4
            if let interval = figure.interval {
                svg.line(x1: x(interval.lower), y1: y, x2: x(interval.upper), y2: y, cssClass: "whisker")
                svg.line(x1: x(interval.lower), y1: y - 4, x2: x(interval.lower), y2: y + 4, cssClass: "whisker")
                svg.line(x1: x(interval.upper), y1: y - 4, x2: x(interval.upper), y2: y + 4, cssClass: "whisker")
                end = max(end, x(interval.upper))
            }
            if let metric = figure.metric {
                svg.circle(
                    cx: x(metric),
                    cy: y,
                    r: 4,
                    cssClass: "marker",
                    tooltip: "\(figure.column) = \(figure.value): \(self.metric) \(ReportFormat.number(metric))"
                )
                end = max(end, x(metric) + 4)
            } else {
                svg.label("no labels", x: Self.labelWidth + 4, y: y + 4, cssClass: "note")
                end = Self.labelWidth + 64
            }
            if isNew(figure) { svg.label("new", x: end + 8, y: y + 4, cssClass: "new-label") }
        }
        if let baseline {
            svg.line(x1: x(baseline), y1: Self.top, x2: x(baseline), y2: bottom, cssClass: "baseline")
        }
        svg.line(x1: Self.labelWidth, y1: bottom, x2: Self.labelWidth + plotWidth, y2: bottom, cssClass: "axis")
        for step in 0...4 {
            let value = range.lowerBound + (range.upperBound - range.lowerBound) * Double(step) / 4
            svg.line(x1: x(value), y1: bottom, x2: x(value), y2: bottom + 4, cssClass: "axis")
            svg.label(ReportFormat.number(value), x: x(value), y: bottom + 16, cssClass: "tick", anchor: "middle")
        }
        return svg.finish()
    }

    /// The numbers drawn.
    public func table() -> String {
        let rows = figures.map { figure in
            [
                "\(figure.column) = \(figure.value)",
                "\(figure.count)",
                "\(figure.labelled)",
                ReportFormat.number(figure.metric),
                ReportFormat.number(figure.interval?.lower),
                ReportFormat.number(figure.interval?.upper),
                figure.driftedFeatures.isEmpty ? "none" : figure.driftedFeatures.joined(separator: ", "),
                isNew(figure) ? "new" : "",
            ]
        }
        var html = HTMLWriter(capacity: rows.count * 120 + 300)
        html.table(
            caption: "\(group): \(metric) per value (baseline \(ReportFormat.number(baseline)))",
            header: ["Value", "Predictions", "Labelled", metric, "Lower", "Upper", "Drifting features", "New"],
            rows: rows,
            rowHeaders: true
        )
        return html.text
    }
}
