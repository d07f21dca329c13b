/// One metric family of the Prometheus text exposition format (version 0.0.4): its name,
/// HELP text, TYPE and samples.
public struct MetricFamily: Sendable, Equatable {
    /// The TYPE line's value.
    public enum Kind: String, Sendable {
        /// Only goes up (resets to 0 when the process restarts).
        case counter
        /// Goes up and down.
        case gauge
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, e.g. `mlopsd_jobs_total`.
    public var name: String
    /// One line saying what the metric counts or measures.
    public var help: String
    /// Counter or gauge.
    public var kind: Kind
    /// The samples; a family without any is left out of the text.
    public var samples: [MetricSample]

    /// A family with its samples.
    public init(name: String, help: String, kind: Kind, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// One sample: label pairs (in the order they are written) and a value.
public struct MetricSample: Sendable, Equatable {
    /// `(name, value)` pairs; names are `[a-zA-Z_][a-zA-Z0-9_]*`, values any text.
    public var labels: [MetricLabel]
    /// The value; NaN and ±Inf are written as `NaN`, `+Inf`, `-Inf`.
    public var value: Double

    /// A sample with `labels` (possibly none) and `value`.
    public init(_ labels: [MetricLabel] = [], _ value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A label name and its value.
public struct MetricLabel: Sendable, Equatable {
    /// The label's name.
    public var name: String
    /// The label's value (escaped when written).
    public var value: String

    /// The label `name="value"`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Renders metric families in the Prometheus text format that node_exporter's textfile
/// collector reads. Pure: no I/O, deterministic output for the same input.
///
/// Families come out in the order given (the order of the catalog that defines them);
/// within a family, samples are sorted by their label values so the file does not churn.
/// No timestamps: the textfile collector refuses them.
public enum PrometheusText {
    /// The whole exposition text, one `# HELP`, one `# TYPE` and the sample lines per family,
    /// ending with a newline. Families without samples are left out.
    public static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        for family in families where !family.samples.isEmpty {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            // The sort keys once per sample, not once per comparison (a file can hold
            // thousands of per-column samples).
            let sorted = family.samples.map { (key: $0.labels.map(\.value), sample: $0) }.sorted { a, b in
                a.key.lexicographicallyPrecedes(b.key)
            }
            for (_, sample) in sorted {
                text += family.name
                appendLabelSet(sample.labels, to: &text)
                text += " "
                text += format(sample.value)
                text += "\n"
            }
        }
        return text
    }

    /// `{a="x",b="y"}`, or nothing without labels.
    static func labelSet(_ labels: [MetricLabel]) -> String {
        var text = ""
        appendLabelSet(labels, to: &text)
        return text
    }

    /// Appends ``labelSet(_:)`` to `text`.
    private static func appendLabelSet(_ labels: [MetricLabel], to text: inout String) {
        guard !labels.isEmpty else { return }
        text += "{"
        for (index, label) in labels.enumerated() {
            if index > 0 { text += "," }
            text += label.name
            text += "=\""
            text += escapeLabelValue(label.value)
            text += "\""
        }
        text += "}"
    }

    /// A label value escaped as the format requires: `\` → `\\`, `"` → `\"`, newline → `\n`.
    public static func escapeLabelValue(_ value: String) -> String {
        // Most values (model and column names) have nothing to escape.
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text escaped as the format requires: `\` → `\\`, newline → `\n`.
    public static func escapeHelp(_ help: String) -> String {
        var out = ""
        for scalar in help.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A value as Prometheus parses it: whole numbers without a fraction (`3`, not `3.0`),
    /// others in Swift's shortest round-trip form (`0.25`, `1.5e-07`), `NaN`, `+Inf`, `-Inf`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        isValidName(name, extra: ":")
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        isValidName(name, extra: "") && !name.hasPrefix("__")
    }

    private static func isValidName(_ name: String, extra: String) -> Bool {
        let bytes = Array(name.utf8)
        let allowed = Set(extra.utf8)
        func letter(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || allowed.contains(b)
        }
        guard let first = bytes.first, letter(first) else { return false }
        return bytes.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
