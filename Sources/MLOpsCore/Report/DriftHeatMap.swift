/// Columns × checks: each cell shaded by the column's adjusted p-value in that check (darker
/// is more significant), or by KS D when the check has no p, with drifting cells outlined.
/// Above ``maxBuckets`` checks, consecutive checks are grouped into at most that many
/// buckets of nearly equal size; a bucket's cell shows its smallest adjusted p (largest D),
/// and it is outlined when any of its checks drifted. Written as an SVG chart and as a table
/// with the same numbers.
public struct DriftHeatMap: Sendable {
    /// The most cells drawn per column: more checks are grouped.
    public static let maxBuckets = 120

    /// Consecutive checks drawn as one cell.
    public struct Bucket: Sendable, Equatable {
        /// Its first check's number.
        public var firstSeq: Int
        /// Its last check's number.
        public var lastSeq: Int
        /// When its first check ran.
        public var firstAt: String
        /// When its last check ran.
        public var lastAt: String
        /// Its checks' positions in the list.
        public var checks: Range<Int>

        /// `12` for one check, `12..20` for several: the cell's `data-check`.
        public var key: String { firstSeq == lastSeq ? "\(firstSeq)" : "\(firstSeq)..\(lastSeq)" }
    }

    /// One column in one bucket.
    public struct Cell: Sendable, Equatable {
        /// The smallest adjusted p of the bucket's checks.
        public var pAdjusted: Double?
        /// The largest KS D of the bucket's checks (shown when no check has a p).
        public var d: Double?
        /// Whether a check of the bucket tested the column.
        public var tested = false
        /// Whether the column drifted in a check of the bucket.
        public var drift = false
    }

    /// The columns, in the order they first appear in the checks.
    public let columns: [String]
    /// The buckets, oldest first.
    public let buckets: [Bucket]
    /// `cells[column][bucket]`.
    public let cells: [[Cell]]
    /// `drift_alpha`: the shading steps are fractions and multiples of it.
    public let alpha: Double
    /// `data_drift_threshold`: the steps for D.
    public let threshold: Double

    /// The map of `checks` (oldest first).
    public init(checks: [Kinds.MonitoringHistory.Check], alpha: Double, threshold: Double) {
        self.alpha = alpha
        self.threshold = threshold
        var names: [String] = []
        var index: [String: Int] = [:]
        for check in checks {
            for column in check.columns where index[column.name] == nil {
                index[column.name] = names.count
                names.append(column.name)
            }
        }
        let ranges = Self.bucketRanges(count: checks.count, most: Self.maxBuckets)
        let buckets = ranges.map { range in
            Bucket(
                firstSeq: checks[range.lowerBound].seq,
                lastSeq: checks[range.upperBound - 1].seq,
                firstAt: checks[range.lowerBound].at,
                lastAt: checks[range.upperBound - 1].at,
                checks: range
            )
        }
        var cells = [[Cell]](repeating: [Cell](repeating: Cell(), count: buckets.count), count: names.count)
        for (b, range) in ranges.enumerated() {
            for check in checks[range] {
                for column in check.columns {
                    guard let c = index[column.name] else { continue }
                    var cell = cells[c][b]
                    if column.test != nil { cell.tested = true }
                    if column.drift { cell.drift = true }
                    if let p = column.pAdjusted, p.isFinite { cell.pAdjusted = min(cell.pAdjusted ?? p, p) }
                    if column.test == .ks, let d = column.statistic, d.isFinite { cell.d = max(cell.d ?? d, d) }
                    cells[c][b] = cell
                }
            }
        }
        self.columns = names
        self.buckets = buckets
        self.cells = cells
    }

    /// `count` positions grouped into at most `most` consecutive ranges of nearly equal
    /// size (range `i` is `i·count/most ..< (i+1)·count/most`); one range per position when
    /// `count` ≤ `most`.
    public static func bucketRanges(count: Int, most: Int) -> [Range<Int>] {
        guard count > 0, most > 0 else { return [] }
        guard count > most else { return (0..<count).map { $0..<($0 + 1) } }
        return (0..<most).map { (($0 * count) / most)..<((($0 + 1) * count) / most) }
    }

    /// Whether checks were grouped.
    public var isBucketed: Bool { buckets.contains { $0.checks.count > 1 } }

    /// The shading step of a cell (its `data-level`): `na` (not tested), or `l0` (no sign of
    /// drift) to `l4`.
    func level(_ cell: Cell) -> String {
        guard cell.tested else { return "na" }
        if let p = cell.pAdjusted {
            if p < alpha / 50 { return "l4" }
            if p < alpha / 5 { return "l3" }
            if p < alpha { return "l2" }
            return p < alpha * 4 ? "l1" : "l0"
        }
        if let d = cell.d {
            if d > threshold * 2 { return "l4" }
            if d > threshold { return "l3" }
            if d > threshold * 0.75 { return "l2" }
            return d > threshold / 2 ? "l1" : "l0"
        }
        return "l0"
    }

    /// A cell's value as the table writes it: the adjusted p, else `D 0.123`, with ` *` when
    /// it drifted.
    func value(_ cell: Cell) -> String {
        guard cell.tested else { return "not tested" }
        let text: String
        if let p = cell.pAdjusted {
            text = ReportFormat.pValue(p)
        } else if let d = cell.d {
            text = "D " + ReportFormat.number(d)
        } else {
            text = ReportFormat.missing
        }
        return cell.drift ? text + " *" : text
    }

    static let width = 1080.0
    static let labelWidth = 180.0
    static let rowHeight = 18.0
    /// The widest a cell grows when there are few checks.
    static let maxCellWidth = 60.0
    /// The least room a time tick's label gets.
    static let tickSpacing = 100.0
    /// Checks per table of the numbers: a table that narrow fits an A4 page.
    static let tableChunk = 10
    static let top = 40.0
    static let bottom = 40.0
    /// Up to this many cells each carries a tooltip.
    static let tooltipLimit = 1_500

    /// The legend's steps: level and meaning.
    var legendSteps: [(String, String)] {
        [
            ("l4", "p < \(ReportFormat.number(alpha / 50))"),
            ("l3", "p < \(ReportFormat.number(alpha / 5))"),
            ("l2", "p < \(ReportFormat.number(alpha))"),
            ("l1", "p < \(ReportFormat.number(alpha * 4))"),
            ("l0", "higher"),
            ("na", "not tested"),
        ]
    }

    /// A cell's width: the plot's width shared by the buckets, at most ``maxCellWidth``,
    /// in whole pixels so cells tile without seams and their x stays short.
    var cellWidth: Double {
        let plotWidth = Self.width - Self.labelWidth - 12
        return buckets.isEmpty ? 0 : min(Self.maxCellWidth, (plotWidth / Double(buckets.count)).rounded(.down))
    }

    /// The SVG chart.
    public func svg() -> String {
        let cellWidth = self.cellWidth
        let height = Self.top + Double(columns.count) * Self.rowHeight + Self.bottom
        var svg = SVGWriter(
            width: Self.width,
            height: height,
            label: "Adjusted p-value of each column in each check\(isBucketed ? " (checks grouped)" : "")",
            attributes: [("class", "chart heat-map")]
        )
        var x = Self.labelWidth
        for (level, meaning) in legendSteps {
            svg.rect(x: x, y: 6, width: 14, height: 12, cssClass: "swatch", attributes: [("data-level", level)])
            svg.label(meaning, x: x + 18, y: 16, cssClass: "legend")
            x += 28 + Double(meaning.count) * 6.2
        }
        svg.rect(
            x: x,
            y: 6,
            width: 14,
            height: 12,
            cssClass: "swatch",
            attributes: [("data-level", "l0"), ("data-drift", "yes")]
        )
        svg.label("outlined: drift", x: x + 18, y: 16, cssClass: "legend")
        let withTooltips = columns.count * buckets.count <= Self.tooltipLimit
        for (c, name) in columns.enumerated() {
            // One group per row, so the cells need no y: a 50 × 120 map stays small.
            svg.open("g", [("transform", "translate(0 \(SVGWriter.number(Self.top + Double(c) * Self.rowHeight)))")])
            svg.label(
                Self.truncated(name, 28),
                x: Self.labelWidth - 6,
                y: Self.rowHeight / 2 + 4,
                cssClass: "row-label",
                anchor: "end"
            )
            for (b, bucket) in buckets.enumerated() {
                let cell = cells[c][b]
                var attributes = [
                    ("class", "cell"), ("x", SVGWriter.number(Self.labelWidth + Double(b) * cellWidth)),
                    ("width", SVGWriter.number(cellWidth)), ("height", SVGWriter.number(Self.rowHeight)),
                    ("data-column", name), ("data-check", bucket.key), ("data-level", level(cell)),
                ]
                if cell.drift { attributes.append(("data-drift", "yes")) }
                if withTooltips {
                    svg.open("rect", attributes)
                    svg.element("title", [], "\(name), check #\(bucket.key): \(value(cell))")
                    svg.close("rect")
                } else {
                    svg.empty("rect", attributes)
                }
            }
            svg.close("g")
        }
        let axis = Self.top + Double(columns.count) * Self.rowHeight
        let ticks = max(2, min(12, Int(cellWidth * Double(buckets.count) / Self.tickSpacing)))
        let tickBuckets = LineChart.tickIndices(count: buckets.count, most: ticks)
        let times = ReportFormat.axisTimes(tickBuckets.map { buckets[$0].firstAt })
        for (tick, b) in tickBuckets.enumerated() {
            let center = Self.labelWidth + (Double(b) + 0.5) * cellWidth
            svg.line(x1: center, y1: axis, x2: center, y2: axis + 4, cssClass: "axis")
            svg.label("#\(buckets[b].firstSeq)", x: center, y: axis + 16, cssClass: "tick", anchor: "middle")
            svg.label(
                times[tick],
                x: center,
                y: axis + 29,
                cssClass: "tick small",
                anchor: "middle"
            )
        }
        return svg.finish()
    }

    /// The numbers drawn: one row per column, one cell per bucket, as tables of at most
    /// ``tableChunk`` checks each (every one repeating the column names). On screen they
    /// stand side by side and read as one wide table; on paper they stack, so no check is
    /// cut off at the page's edge.
    public func table() -> String {
        var html = HTMLWriter(capacity: columns.count * buckets.count * 20 + 500)
        html.element(
            "p",
            [("class", "table-note")],
            "The map's numbers (* = drift\(isBucketed ? "; a group of checks shows their smallest p" : "")):"
        )
        html.open("div", [("class", "table-scroll")])
        html.open("div", [("class", "table-chunks")])
        for start in stride(from: 0, to: buckets.count, by: Self.tableChunk) {
            let chunk = start..<min(buckets.count, start + Self.tableChunk)
            let first = buckets[chunk.lowerBound]
            let last = buckets[chunk.upperBound - 1]
            html.table(
                caption: "Checks #\(first.firstSeq) to #\(last.lastSeq)",
                header: ["Column"] + buckets[chunk].map { "#" + $0.key },
                rows: columns.enumerated().map { c, name in [name] + cells[c][chunk].map(value) },
                rowHeaders: true,
                cssClass: "numbers wide",
                scrolls: false
            )
        }
        html.close("div")
        html.close("div")
        return html.text
    }

    /// `text` cut to `most` characters with an ellipsis.
    static func truncated(_ text: String, _ most: Int) -> String {
        text.count <= most ? text : String(text.prefix(most - 1)) + "…"
    }
}
