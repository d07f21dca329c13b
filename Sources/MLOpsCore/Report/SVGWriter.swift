/// Builds one inline SVG chart into a growing buffer: the `<svg>` element opens with
/// `role="img"`, an `aria-label` and a `<title>`, coordinates are written compactly (one
/// decimal at most), and every piece of user text is escaped like ``HTMLWriter`` does.
/// No `xmlns` is written: inline SVG in HTML needs none, and the page names no URL at all.
public struct SVGWriter: Sendable {
    /// The markup written so far.
    public private(set) var text: String

    /// Opens an `<svg>` of `width` × `height` user units whose accessible name is `label`
    /// (also its `<title>`), with extra attributes (e.g. `class`, `data-column`).
    public init(width: Double, height: Double, label: String, attributes: [(String, String)] = []) {
        text = ""
        text.reserveCapacity(4096)
        let size = "0 0 \(Self.number(width)) \(Self.number(height))"
        var all: [(String, String)] = [
            ("viewBox", size), ("width", Self.number(width)), ("height", Self.number(height)),
            ("role", "img"), ("aria-label", label),
        ]
        all.append(contentsOf: attributes)
        open("svg", all)
        element("title", [], label)
    }

    /// `value` as the shortest text with at most one decimal: `12.34` → `12.3`, `3.0` → `3`,
    /// `-0.04` → `0`; a value that is not finite writes `0` so the markup stays valid.
    public static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "0" }
        let tenths = Int((value * 10).rounded())
        if tenths == 0 { return "0" }
        let whole = abs(tenths) / 10
        let fraction = abs(tenths) % 10
        let sign = tenths < 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// Closes the `<svg>` and returns the chart.
    public mutating func finish() -> String {
        close("svg")
        return text
    }

    /// Opens an element (a `<g>`, a `<rect>` that will hold a `<title>`, …).
    public mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        text += "<"
        text += tag
        for (name, value) in attributes {
            text += " "
            text += name
            text += "=\""
            HTMLWriter.escape(value, into: &text)
            text += "\""
        }
        text += ">"
    }

    /// Closes an element.
    public mutating func close(_ tag: String) {
        text += "</"
        text += tag
        text += ">"
    }

    /// An element with escaped text content.
    public mutating func element(_ tag: String, _ attributes: [(String, String)], _ value: String) {
        open(tag, attributes)
        HTMLWriter.escape(value, into: &text)
        close(tag)
    }

    /// An empty element, written self-closed.
    public mutating func empty(_ tag: String, _ attributes: [(String, String)]) {
        open(tag, attributes)
        text.removeLast()
        text += "/>"
    }

    /// A rectangle; `tooltip` becomes its `<title>`.
    public mutating func rect(
        x: Double,
        y: Double,
        width: Double,
        height: Double,
        cssClass: String,
        attributes: [(String, String)] = [],
        tooltip: String? = nil
    ) {
        var all: [(String, String)] = [
            ("class", cssClass), ("x", Self.number(x)), ("y", Self.number(y)),
            ("width", Self.number(max(0, width))), ("height", Self.number(max(0, height))),
        ]
        all.append(contentsOf: attributes)
        if let tooltip {
            open("rect", all)
            element("title", [], tooltip)
            close("rect")
        } else {
            empty("rect", all)
        }
    }

    /// A straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, cssClass: String) {
        empty(
            "line",
            [
                ("class", cssClass), ("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)),
                ("y2", Self.number(y2)),
            ]
        )
    }

    /// A circle.
    public mutating func circle(cx: Double, cy: Double, r: Double, cssClass: String, tooltip: String? = nil) {
        let attributes = [
            ("class", cssClass), ("cx", Self.number(cx)), ("cy", Self.number(cy)), ("r", Self.number(r)),
        ]
        if let tooltip {
            open("circle", attributes)
            element("title", [], tooltip)
            close("circle")
        } else {
            empty("circle", attributes)
        }
    }

    /// A path from `data` (see ``Path``); nothing when the path is empty.
    public mutating func path(_ data: Path, cssClass: String, tooltip: String? = nil) {
        guard !data.isEmpty else { return }
        if let tooltip {
            open("path", [("class", cssClass), ("d", data.text)])
            element("title", [], tooltip)
            close("path")
        } else {
            empty("path", [("class", cssClass), ("d", data.text)])
        }
    }

    /// A text label at (`x`, `y`); `anchor` is `start`, `middle` or `end`.
    public mutating func label(_ value: String, x: Double, y: Double, cssClass: String, anchor: String = "start") {
        var attributes = [("class", cssClass), ("x", Self.number(x)), ("y", Self.number(y))]
        if anchor != "start" { attributes.append(("text-anchor", anchor)) }
        element("text", attributes, value)
    }

    /// Path data built point by point with compact numbers.
    public struct Path: Sendable {
        /// The `d` attribute's text.
        public private(set) var text = ""

        /// An empty path.
        public init() {}

        /// Whether nothing was drawn.
        public var isEmpty: Bool { text.isEmpty }

        /// Starts a new subpath at (`x`, `y`).
        public mutating func move(_ x: Double, _ y: Double) {
            text += "M\(SVGWriter.number(x)) \(SVGWriter.number(y))"
        }

        /// A straight segment to (`x`, `y`).
        public mutating func line(_ x: Double, _ y: Double) {
            text += "L\(SVGWriter.number(x)) \(SVGWriter.number(y))"
        }

        /// Closes the current subpath.
        public mutating func closeSubpath() {
            text += "Z"
        }

        /// A polyline through `points` in order, broken wherever a point is nil: each run of
        /// present points is its own subpath, so a missing value leaves a gap.
        public static func broken(_ points: [(x: Double, y: Double)?]) -> Path {
            var path = Path()
            var drawing = false
            for point in points {
                guard let point else {
                    drawing = false
                    continue
                }
                if drawing { path.line(point.x, point.y) } else { path.move(point.x, point.y) }
                drawing = true
            }
            return path
        }
    }
}
