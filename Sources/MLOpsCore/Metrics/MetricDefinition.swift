/// One metric of a catalog: its name, help, type, and how to read its samples from a
/// `Source` (a snapshot of whatever the metrics describe).
///
/// A catalog is an array of these, so adding a metric is one line:
///
/// ```swift
/// .gauge("mlopsd_queue_depth", "Job files waiting in incoming/.") { Double($0.queueDepth) }
/// ```
public struct MetricDefinition<Source>: Sendable {
    /// The metric's name.
    public let name: String
    /// Its HELP text.
    public let help: String
    /// Counter or gauge.
    public let kind: MetricFamily.Kind
    /// Label names, in the order written.
    public let labelNames: [String]
    private let read: @Sendable (Source) -> [MetricSample]

    private init(
        _ name: String,
        _ help: String,
        _ kind: MetricFamily.Kind,
        labels: [String],
        read: @escaping @Sendable (Source) -> [MetricSample]
    ) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labels
        self.read = read
    }

    /// A gauge without labels; `nil` means no sample (the family is left out).
    public static func gauge(_ name: String, _ help: String, _ value: @escaping @Sendable (Source) -> Double?) -> Self {
        Self(name, help, .gauge, labels: []) { source in value(source).map { [MetricSample([], $0)] } ?? [] }
    }

    /// A counter without labels.
    public static func counter(_ name: String, _ help: String, _ value: @escaping @Sendable (Source) -> Double) -> Self
    {
        Self(name, help, .counter, labels: []) { [MetricSample([], value($0))] }
    }

    /// A gauge with labels: one sample per `(label values, value)`, values in `labels` order.
    public static func gauge(
        _ name: String,
        _ help: String,
        labels: [String],
        _ values: @escaping @Sendable (Source) -> [([String], Double)]
    ) -> Self {
        Self(name, help, .gauge, labels: labels) { labelled(labels, values($0)) }
    }

    /// A counter with labels: one sample per `(label values, value)`, values in `labels` order.
    public static func counter(
        _ name: String,
        _ help: String,
        labels: [String],
        _ values: @escaping @Sendable (Source) -> [([String], Double)]
    ) -> Self {
        Self(name, help, .counter, labels: labels) { labelled(labels, values($0)) }
    }

    /// The family with the samples read from `source`.
    public func family(from source: Source) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: kind, samples: read(source))
    }

    private static func labelled(_ names: [String], _ rows: [([String], Double)]) -> [MetricSample] {
        rows.map { values, value in
            MetricSample(zip(names, values).map { MetricLabel($0, $1) }, value)
        }
    }
}

extension PrometheusText {
    /// The text for every metric of `catalog`, read from `source`, in catalog order.
    public static func render<Source>(_ catalog: [MetricDefinition<Source>], from source: Source) -> String {
        render(catalog.map { $0.family(from: source) })
    }
}
