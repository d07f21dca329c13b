/// One column's reference against current distribution: overlaid histograms of the shares
/// per bin for numbers (reference as a dashed outline, current filled), paired bars per value
/// for categories (reference outlined, current filled, values the reference never had
/// labelled "new"). Written as an SVG chart (`class="column-chart"`, `data-column`) and as a
/// table with the same numbers.
public struct DistributionChart: Sendable {
    /// The column's counts.
    public var distribution: ColumnDistribution

    /// The chart of `distribution`.
    public init(_ distribution: ColumnDistribution) {
        self.distribution = distribution
    }

    static let width = 560.0
    static let histogramHeight = 230.0
    static let left = 48.0
    static let right = 12.0
    static let top = 30.0
    static let bottom = 36.0
    static let categoryLabelWidth = 170.0
    static let categoryRow = 32.0

    private func share(_ count: Int, of total: Int) -> Double {
        total > 0 ? Double(count) / Double(total) : 0
    }

    private var label: String {
        "Reference against current distribution of \(distribution.name)"
    }

    /// The SVG chart.
    public func svg() -> String {
        switch distribution.shape {
        case .numeric(let edges, let reference, let current):
            return histogram(edges: edges, reference: reference, current: current)
        case .categorical(let values, let other):
            return bars(values + (other.map { [$0] } ?? []), hasOther: other != nil)
        }
    }

    private func start(height: Double) -> SVGWriter {
        var svg = SVGWriter(
            width: Self.width,
            height: height,
            label: label,
            attributes: [("class", "chart column-chart"), ("data-column", distribution.name)]
        )
        svg.rect(x: Self.left, y: 6, width: 16, height: 11, cssClass: "reference")
        svg.label("reference (\(distribution.referenceCount))", x: Self.left + 21, y: 16, cssClass: "legend")
        let x = Self.left + 150
        svg.rect(x: x, y: 6, width: 16, height: 11, cssClass: "current")
        svg.label("current (\(distribution.currentCount))", x: x + 21, y: 16, cssClass: "legend")
        return svg
    }

    private func histogram(edges: [Double], reference: [Int], current: [Int]) -> String {
        var svg = start(height: Self.histogramHeight)
        let count = min(reference.count, current.count, max(0, edges.count - 1))
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.histogramHeight - Self.top - Self.bottom
        guard count > 0 else {
            svg.label(
                "No values on either side.",
                x: Self.width / 2,
                y: Self.histogramHeight / 2,
                cssClass: "note",
                anchor: "middle"
            )
            return svg.finish()
        }
        let referenceShares = reference.prefix(count).map { share($0, of: distribution.referenceCount) }
        let currentShares = current.prefix(count).map { share($0, of: distribution.currentCount) }
        let highest = max(referenceShares.max() ?? 0, currentShares.max() ?? 0, 0.01) * 1.1
        let binWidth = plotWidth / Double(count)
        let base = Self.top + plotHeight
        func y(_ value: Double) -> Double { base - plotHeight * value / highest }
        for step in 0...4 {
            let value = highest * Double(step) / 4
            svg.line(x1: Self.left - 4, y1: y(value), x2: Self.left, y2: y(value), cssClass: "axis")
            svg.label(ReportFormat.percent(value), x: Self.left - 6, y: y(value) + 4, cssClass: "tick", anchor: "end")
        }
        for bin in 0..<count {
            let x = Self.left + Double(bin) * binWidth
            svg.rect(
                x: x + 1,
                y: y(currentShares[bin]),
                width: binWidth - 2,
                height: base - y(currentShares[bin]),
                cssClass: "current",
                tooltip:
                    "\(binText(edges, bin, count)): reference \(ReportFormat.percent(referenceShares[bin])), current \(ReportFormat.percent(currentShares[bin]))"
            )
        }
        // The reference as a step outline over the filled current bars.
        var outline = SVGWriter.Path()
        outline.move(Self.left, base)
        for bin in 0..<count {
            let x = Self.left + Double(bin) * binWidth
            outline.line(x, y(referenceShares[bin]))
            outline.line(x + binWidth, y(referenceShares[bin]))
        }
        outline.line(Self.left + plotWidth, base)
        svg.path(outline, cssClass: "reference-line")
        svg.line(x1: Self.left, y1: base, x2: Self.left + plotWidth, y2: base, cssClass: "axis")
        svg.line(x1: Self.left, y1: Self.top, x2: Self.left, y2: base, cssClass: "axis")
        for index in LineChart.tickIndices(count: count + 1, most: 6) {
            let x = Self.left + Double(index) * binWidth
            svg.line(x1: x, y1: base, x2: x, y2: base + 4, cssClass: "axis")
            svg.label(ReportFormat.number(edges[index]), x: x, y: base + 16, cssClass: "tick", anchor: "middle")
        }
        return svg.finish()
    }

    private func binText(_ edges: [Double], _ bin: Int, _ count: Int) -> String {
        let close = bin == count - 1 ? "]" : ")"
        return "[\(ReportFormat.number(edges[bin])), \(ReportFormat.number(edges[bin + 1]))\(close)"
    }

    private func bars(_ categories: [ColumnDistribution.Category], hasOther: Bool) -> String {
        let height = Self.top + Double(max(1, categories.count)) * Self.categoryRow + 12
        var svg = start(height: height)
        guard !categories.isEmpty else {
            svg.label(
                "No values on either side.",
                x: Self.width / 2,
                y: Self.top + 14,
                cssClass: "note",
                anchor: "middle"
            )
            return svg.finish()
        }
        let barLeft = Self.categoryLabelWidth
        let barWidth = Self.width - barLeft - 90
        let highest = max(
            categories.map { share($0.reference, of: distribution.referenceCount) }.max() ?? 0,
            categories.map { share($0.current, of: distribution.currentCount) }.max() ?? 0,
            0.01
        )
        for (index, category) in categories.enumerated() {
            let y = Self.top + Double(index) * Self.categoryRow
            let isOther = hasOther && index == categories.count - 1
            let referenceShare = share(category.reference, of: distribution.referenceCount)
            let currentShare = share(category.current, of: distribution.currentCount)
            let name = isOther ? category.value : DriftHeatMap.truncated(category.value, 24)
            svg.label(
                name,
                x: barLeft - 6,
                y: y + 18,
                cssClass: isOther ? "row-label other" : "row-label",
                anchor: "end"
            )
            svg.rect(
                x: barLeft,
                y: y + 4,
                width: barWidth * referenceShare / highest,
                height: 10,
                cssClass: "reference",
                tooltip: "\(category.value): reference \(category.reference) (\(ReportFormat.percent(referenceShare)))"
            )
            svg.rect(
                x: barLeft,
                y: y + 16,
                width: barWidth * currentShare / highest,
                height: 10,
                cssClass: "current",
                tooltip: "\(category.value): current \(category.current) (\(ReportFormat.percent(currentShare)))"
            )
            let referenceEnd = barLeft + barWidth * referenceShare / highest + 5
            let currentEnd = barLeft + barWidth * currentShare / highest + 5
            svg.label(ReportFormat.percent(referenceShare), x: referenceEnd, y: y + 13, cssClass: "tick small")
            svg.label(ReportFormat.percent(currentShare), x: currentEnd, y: y + 25, cssClass: "tick small")
            if category.isNew && !isOther {
                svg.label("new", x: currentEnd + 40, y: y + 25, cssClass: "new-label")
            }
        }
        return svg.finish()
    }

    /// The numbers drawn.
    public func table() -> String {
        var html = HTMLWriter(capacity: 2_000)
        let refTotal = distribution.referenceCount
        let curTotal = distribution.currentCount
        switch distribution.shape {
        case .numeric(let edges, let reference, let current):
            let count = min(reference.count, current.count, max(0, edges.count - 1))
            let rows = (0..<count).map { bin in
                [
                    binText(edges, bin, count),
                    "\(reference[bin])", ReportFormat.percent(share(reference[bin], of: refTotal)),
                    "\(current[bin])", ReportFormat.percent(share(current[bin], of: curTotal)),
                ]
            }
            html.table(
                caption: "\(distribution.name): values per bin",
                header: ["Bin", "Reference", "Reference share", "Current", "Current share"],
                rows: rows,
                rowHeaders: true
            )
        case .categorical(let values, let other):
            var rows = values.map { category in
                [
                    category.value,
                    "\(category.reference)", ReportFormat.percent(share(category.reference, of: refTotal)),
                    "\(category.current)", ReportFormat.percent(share(category.current, of: curTotal)),
                    category.isNew ? "new" : "",
                ]
            }
            if let other {
                rows.append([
                    other.value,
                    "\(other.reference)", ReportFormat.percent(share(other.reference, of: refTotal)),
                    "\(other.current)", ReportFormat.percent(share(other.current, of: curTotal)),
                    "",
                ])
            }
            html.table(
                caption: "\(distribution.name): rows per value",
                header: ["Value", "Reference", "Reference share", "Current", "Current share", "New"],
                rows: rows,
                rowHeaders: true
            )
        }
        return html.text
    }
}
