import Foundation

/// What the `test_model` stage measured for a trained model on held-out data
/// (``ModelEvaluation``), and which of the pipeline's gates (``TestRules``) it misses.
///
/// It is the stage's result and is stored with the pipeline run. JSON keys (``json()``):
/// `passed`, `violations`, `rows`, `classes`, `positive_class`, `metric`, `accuracy`,
/// `log_loss`, `roc_auc`, `per_class`, `segments`, `latency`.
public struct EvaluationReport: Sendable, Equatable, Codable {
    /// A metric's value over some rows, with a 95% Wilson interval when the metric is a
    /// proportion (accuracy, precision, recall).
    public struct MetricValue: Sendable, Equatable, Codable {
        /// The metric's name (`accuracy`, `f1`, …).
        public var name: String
        /// Its value; nil when it cannot be computed on these rows (roc_auc with one class,
        /// precision of a class never predicted).
        public var value: Double?
        /// The 95% Wilson interval of a proportion.
        public var interval: WilsonInterval?

        /// A metric value.
        public init(name: String, value: Double?, interval: WilsonInterval?) {
            self.name = name
            self.value = value
            self.interval = interval
        }
    }

    /// Scores of one class over the held-out rows (sklearn's definitions, as in
    /// `metrics.json`).
    public struct ClassFigures: Sendable, Equatable, Codable {
        /// The class label.
        public var label: String
        /// Of the rows predicted as this class, the share that are (0 when none is).
        public var precision: Double
        /// Of the rows of this class, the share predicted as it.
        public var recall: Double
        /// Harmonic mean of precision and recall.
        public var f1: Double
        /// Held-out rows of this class.
        public var support: Int

        enum CodingKeys: String, CodingKey {
            case label = "class"
            case precision, recall, f1, support
        }
    }

    /// The model's metric within one value of an equipment or population column.
    public struct SegmentFigures: Sendable, Equatable, Codable {
        /// The segment column.
        public var column: String
        /// `equipment` or `population`.
        public var kind: String
        /// The column's value (empty when the cell was empty).
        public var value: String
        /// Held-out rows with this value.
        public var rows: Int
        /// The model's metric over those rows, with its interval when a proportion.
        public var metric: Double?
        /// The 95% Wilson interval of ``metric``.
        public var interval: WilsonInterval?
        /// Whether ``TestRules/minSegmentMetric`` applies (at least `min_segment_rows` rows).
        public var gated: Bool
    }

    /// Time to predict one row (encoding and scoring, one row at a time as a model server
    /// does), measured with a monotonic clock.
    public struct Latency: Sendable, Equatable, Codable {
        /// Rows timed.
        public var rows: Int
        /// Mean time per row, in microseconds.
        public var meanMicroseconds: Double
        /// Median time per row (nearest rank), in microseconds.
        public var p50Microseconds: Double
        /// 99th percentile of the time per row (nearest rank: the ⌈0.99·n⌉-th fastest), in microseconds.
        public var p99Microseconds: Double
        /// The slowest row, in microseconds.
        public var maxMicroseconds: Double
        /// Rows predicted per second: rows over the summed per-row times.
        public var rowsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case rows
            case meanMicroseconds = "mean_us"
            case p50Microseconds = "p50_us"
            case p99Microseconds = "p99_us"
            case maxMicroseconds = "max_us"
            case rowsPerSecond = "rows_per_second"
        }
    }

    /// One gate the model misses.
    public struct Violation: Sendable, Equatable, Codable {
        /// The gate: the key of ``TestRules`` it comes from.
        public enum Rule: String, Sendable, Equatable, Codable, CaseIterable {
            /// The model's metric is below `min_metric` (or cannot be computed).
            case minMetric = "min_metric"
            /// A segment's metric is below `min_segment_metric` (or cannot be computed).
            case minSegmentMetric = "min_segment_metric"
            /// The 99th percentile latency is above `max_latency_p99_ms`.
            case maxLatencyP99Ms = "max_latency_p99_ms"
        }

        /// The gate missed.
        public var rule: Rule
        /// The segment column, for `min_segment_metric`.
        public var column: String?
        /// The segment value, for `min_segment_metric`.
        public var value: String?
        /// The measured figure (nil when it could not be computed).
        public var observed: Double?
        /// The gate's limit.
        public var limit: Double
        /// What was compared with what, in one sentence.
        public var message: String
    }

    /// Whether the model passes every gate it was evaluated against (``violations`` is empty).
    public var passed: Bool
    /// Every gate missed, in the order `min_metric`, `min_segment_metric` (segments in
    /// report order), `max_latency_p99_ms`.
    public var violations: [Violation]
    /// Held-out rows evaluated.
    public var rows: Int
    /// The model's classes, in its order.
    public var classes: [String]
    /// The positive class (the last): precision, recall, f1 and roc_auc are about it.
    public var positiveClass: String
    /// The model's metric (its spec's `metric`), with its interval when a proportion.
    public var metric: MetricValue
    /// Accuracy, with its 95% Wilson interval.
    public var accuracy: MetricValue
    /// Mean negative log probability of the true class, probabilities clipped to [ε, 1 − ε].
    public var logLoss: Double
    /// ROC AUC of the positive class's probability; nil when the rows hold one side only.
    public var rocAUC: Double?
    /// Precision, recall, f1 and support per class, in class order.
    public var perClass: [ClassFigures]
    /// The metric per value of each equipment column, then each population column; values
    /// sorted within a column.
    public var segments: [SegmentFigures]
    /// Prediction latency.
    public var latency: Latency

    /// Whether the model's metric is at least `minimum` (false when it cannot be computed):
    /// the `min_metric` gate on its own.
    public func passes(minimum: Double) -> Bool {
        guard let value = metric.value else { return false }
        return value >= minimum
    }

    /// Every gate of `rules` this evaluation misses, each with its numbers. A metric that
    /// cannot be computed misses a gate set on it; a segment with fewer than
    /// `min_segment_rows` rows is not gated.
    public func violations(against rules: TestRules) -> [Violation] {
        var out: [Violation] = []
        let name = metric.name
        if let minimum = rules.minMetric {
            if let value = metric.value {
                if value < minimum {
                    out.append(
                        Violation(
                            rule: .minMetric,
                            column: nil,
                            value: nil,
                            observed: value,
                            limit: minimum,
                            message:
                                "\(name) \(Self.format(value)) on \(rows) held-out rows is below the minimum \(Self.format(minimum))"
                                + (metric.interval.map {
                                    " (95% interval \(Self.format($0.lower))–\(Self.format($0.upper)))"
                                } ?? "")
                        )
                    )
                }
            } else {
                out.append(
                    Violation(
                        rule: .minMetric,
                        column: nil,
                        value: nil,
                        observed: nil,
                        limit: minimum,
                        message:
                            "\(name) cannot be computed on the \(rows) held-out rows, so it cannot reach the minimum \(Self.format(minimum))"
                    )
                )
            }
        }
        if let minimum = rules.minSegmentMetric {
            for segment in segments where segment.rows >= rules.minSegmentRows {
                let label = "\(segment.kind) `\(segment.column)` = `\(segment.value)`"
                if let value = segment.metric {
                    guard value < minimum else { continue }
                    out.append(
                        Violation(
                            rule: .minSegmentMetric,
                            column: segment.column,
                            value: segment.value,
                            observed: value,
                            limit: minimum,
                            message:
                                "\(name) \(Self.format(value)) on the \(segment.rows) rows of \(label) is below the segment minimum "
                                + Self.format(minimum)
                        )
                    )
                } else {
                    out.append(
                        Violation(
                            rule: .minSegmentMetric,
                            column: segment.column,
                            value: segment.value,
                            observed: nil,
                            limit: minimum,
                            message:
                                "\(name) cannot be computed on the \(segment.rows) rows of \(label), so it cannot reach the segment minimum "
                                + Self.format(minimum)
                        )
                    )
                }
            }
        }
        if let maximum = rules.maxLatencyP99Ms {
            let p99 = latency.p99Microseconds / 1000
            if p99 > maximum {
                out.append(
                    Violation(
                        rule: .maxLatencyP99Ms,
                        column: nil,
                        value: nil,
                        observed: p99,
                        limit: maximum,
                        message:
                            "the 99th percentile of the time to predict one row is \(Self.format(p99)) ms over \(latency.rows) rows; "
                            + "the limit is \(Self.format(maximum)) ms"
                    )
                )
            }
        }
        return out
    }

    /// The report as a ``JSONValue`` (the stage's result), with the snake_case keys of its
    /// Codable form. Throws only if a number were not finite, which the evaluation never
    /// produces.
    public func json() throws -> JSONValue {
        try JSONValue(encoding: self)
    }

    /// Four significant decimals, enough to compare with a gate.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(format: "%.4f", x)
    }

    enum CodingKeys: String, CodingKey {
        case passed, violations, rows, classes, metric, accuracy, segments, latency
        case positiveClass = "positive_class"
        case logLoss = "log_loss"
        case rocAUC = "roc_auc"
        case perClass = "per_class"
    }
}
