/// The gates of the built-in `test_model` pipeline stage (docs/design.md §7): what a freshly
/// trained model must achieve on held-out data before the pipeline goes on to A/B test
/// and deploy it.
///
/// They come from the `test_model:` section of the administrator's pipeline definition,
/// validated by ``schema`` and read with ``init(validated:)``:
///
/// | key | default | gate |
/// |---|---|---|
/// | `min_metric` | none | the model's metric (its spec's `metric`) is at least this |
/// | `min_segment_metric` | none | the metric within each equipment and population value with at least `min_segment_rows` rows is at least this |
/// | `min_segment_rows` | 30 | segments with fewer rows are reported but not gated (their metric is too noisy) |
/// | `max_latency_p99_ms` | none | the 99th percentile of the time to predict one row is at most this many milliseconds |
///
/// A gate that is not set is not checked: with no rules the stage measures and passes.
/// The classification metrics (`accuracy`, `precision`, `recall`, `f1`, `roc_auc`) are all
/// "higher is better".
public struct TestRules: Sendable, Equatable {
    /// Default of ``minSegmentRows``: below about 30 rows a segment's accuracy has a 95%
    /// interval wider than ±0.15, so a gate on it would fail good models by chance.
    public static let defaultMinSegmentRows = 30

    /// The model's metric must be at least this, when set.
    public var minMetric: Double?
    /// The metric within every segment value with at least ``minSegmentRows`` rows must be
    /// at least this, when set.
    public var minSegmentMetric: Double?
    /// Segment values with fewer rows are not gated by ``minSegmentMetric``.
    public var minSegmentRows: Int
    /// The 99th percentile of the per-row prediction time must be at most this many
    /// milliseconds, when set.
    public var maxLatencyP99Ms: Double?

    /// Gates; none is set by default.
    public init(
        minMetric: Double? = nil,
        minSegmentMetric: Double? = nil,
        minSegmentRows: Int = TestRules.defaultMinSegmentRows,
        maxLatencyP99Ms: Double? = nil
    ) {
        self.minMetric = minMetric
        self.minSegmentMetric = minSegmentMetric
        self.minSegmentRows = minSegmentRows
        self.maxLatencyP99Ms = maxLatencyP99Ms
    }

    /// Reads the value ``SchemaValidator`` produced from a `test_model:` section checked
    /// against ``schema``; absent keys take their defaults (`.null` gives no gates).
    public init(validated value: JSONValue) {
        self.init(
            minMetric: value["min_metric"]?.doubleValue,
            minSegmentMetric: value["min_segment_metric"]?.doubleValue,
            minSegmentRows: value["min_segment_rows"]?.intValue ?? Self.defaultMinSegmentRows,
            maxLatencyP99Ms: value["max_latency_p99_ms"]?.doubleValue
        )
    }

    /// The schema of the `test_model:` section of a pipeline definition.
    public static let schema = ObjectSchema([
        Field("min_metric", .double(), doc: "the model's metric on the held-out data is at least this"),
        Field(
            "min_segment_metric",
            .double(),
            doc: "the metric within each equipment and population value (with min_segment_rows rows) is at least this"
        ),
        Field(
            "min_segment_rows",
            .int(min: 1),
            default: .int(defaultMinSegmentRows),
            doc: "segment values with fewer held-out rows are not gated"
        ),
        Field(
            "max_latency_p99_ms",
            .double(min: 0),
            doc: "the 99th percentile of the time to predict one row, in milliseconds, is at most this"
        ),
    ])
}
