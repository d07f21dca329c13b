/// What CBPE estimates for one window (or chunk): each metric with its confidence band, and
/// the realized value when the rows carry labels. JSON keys are snake_case; a value that
/// cannot be computed is `null`.
public struct PerformanceEstimate: Sendable, Equatable, Codable {
    /// Rows of the window.
    public var rows: Int
    /// Rows estimated from (a prediction and every score present).
    public var used: Int
    /// Rows with a label among them (the realized metrics are over these).
    public var labelled: Int
    /// One entry per metric, in ``EstimatedMetric`` order.
    public var metrics: [Metric]

    /// Memberwise.
    public init(rows: Int, used: Int, labelled: Int, metrics: [Metric]) {
        self.rows = rows
        self.used = used
        self.labelled = labelled
        self.metrics = metrics
    }

    /// The entry of `metric`.
    public subscript(_ metric: EstimatedMetric) -> Metric? { metrics.first { $0.metric == metric } }

    /// One metric's estimate.
    public struct Metric: Sendable, Equatable, Codable {
        /// Which metric.
        public var metric: EstimatedMetric
        /// The estimate; nil when it cannot be computed (no row, or a degenerate window).
        public var estimated: Double?
        /// The sampling error of a window this size: the reference's spread over
        /// √(rows × relevant share), as NannyML derives it.
        public var samplingError: Double?
        /// estimated ± 3 × sampling error, clipped to [0, 1].
        public var lower: Double?
        /// See ``lower``.
        public var upper: Double?
        /// The metric over the labelled rows, when there are any (and it is defined).
        public var realized: Double?
        /// The reference chunks' realized mean ± 3 σ, clipped to [0, 1] (nil without two
        /// reference chunks).
        public var thresholdLower: Double?
        /// See ``thresholdLower``.
        public var thresholdUpper: Double?
        /// The estimate is outside the thresholds (NannyML's alert).
        public var alert: Bool

        /// Memberwise.
        public init(
            metric: EstimatedMetric,
            estimated: Double?,
            samplingError: Double?,
            lower: Double?,
            upper: Double?,
            realized: Double?,
            thresholdLower: Double?,
            thresholdUpper: Double?,
            alert: Bool
        ) {
            self.metric = metric
            self.estimated = estimated
            self.samplingError = samplingError
            self.lower = lower
            self.upper = upper
            self.realized = realized
            self.thresholdLower = thresholdLower
            self.thresholdUpper = thresholdUpper
            self.alert = alert
        }

        enum CodingKeys: String, CodingKey {
            case metric, estimated
            case samplingError = "sampling_error"
            case lower, upper, realized
            case thresholdLower = "threshold_lower"
            case thresholdUpper = "threshold_upper"
            case alert
        }

        /// Every key is written (`null` where there is no value).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(metric, forKey: .metric)
            try c.encode(estimated, forKey: .estimated)
            try c.encode(samplingError, forKey: .samplingError)
            try c.encode(lower, forKey: .lower)
            try c.encode(upper, forKey: .upper)
            try c.encode(realized, forKey: .realized)
            try c.encode(thresholdLower, forKey: .thresholdLower)
            try c.encode(thresholdUpper, forKey: .thresholdUpper)
            try c.encode(alert, forKey: .alert)
        }
    }
}
