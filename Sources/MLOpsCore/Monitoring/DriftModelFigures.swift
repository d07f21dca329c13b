/// What `mlopsctl drift` adds about the model itself (``DriftComparison``): the CBPE estimate of
/// the current file's performance and the multivariate drift of its numerical inputs, each per
/// chunk of the current file. Encoded with snake_case keys; every key is written.
public struct DriftModelFigures: Sendable, Equatable, Encodable {
    /// The estimate; nil when no target, prediction and scores were named.
    public var estimate: Estimate?
    /// The multivariate drift; nil with fewer than two numerical input columns.
    public var multivariate: Multivariate?

    /// Memberwise.
    public init(estimate: Estimate?, multivariate: Multivariate?) {
        self.estimate = estimate
        self.multivariate = multivariate
    }

    /// A chunk of the current file: rows `start..<end` (0-based, header not counted).
    public struct Chunk<Value: Sendable & Equatable & Encodable>: Sendable, Equatable, Encodable {
        /// The first row.
        public var start: Int
        /// One past the last row.
        public var end: Int
        /// The chunk's figures.
        public var value: Value

        /// Memberwise.
        public init(start: Int, end: Int, value: Value) {
            self.start = start
            self.end = end
            self.value = value
        }
    }

    /// CBPE on the current file (``PerformanceEstimator``).
    public struct Estimate: Sendable, Equatable, Encodable {
        /// The classes; binary: the positive class last.
        public var classes: [String]
        /// Per scored class (binary: the positive one), `none`, `isotonic` or `platt`.
        public var calibration: [String]
        /// Labelled reference rows the estimator was fitted on.
        public var referenceRows: Int
        /// The reference chunk size the thresholds come from; nil: no thresholds (fewer than
        /// two reference chunks).
        public var thresholdChunkSize: Int?
        /// Each metric's realized value over the whole reference: the baseline the estimate
        /// is read against.
        public var baseline: [Baseline]
        /// One estimate per chunk of the current file.
        public var chunks: [Chunk<PerformanceEstimate>]

        /// Memberwise.
        public init(
            classes: [String],
            calibration: [String],
            referenceRows: Int,
            thresholdChunkSize: Int?,
            baseline: [Baseline],
            chunks: [Chunk<PerformanceEstimate>]
        ) {
            self.classes = classes
            self.calibration = calibration
            self.referenceRows = referenceRows
            self.thresholdChunkSize = thresholdChunkSize
            self.baseline = baseline
            self.chunks = chunks
        }

        /// A metric's value on the reference.
        public struct Baseline: Sendable, Equatable, Encodable {
            /// Which metric.
            public var metric: EstimatedMetric
            /// Its realized value over the labelled reference rows.
            public var value: Double?

            /// Every key is written.
            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(metric, forKey: .metric)
                try c.encode(value, forKey: .value)
            }

            enum CodingKeys: String, CodingKey { case metric, value }
        }

        enum CodingKeys: String, CodingKey {
            case classes, calibration, baseline, chunks
            case referenceRows = "reference_rows"
            case thresholdChunkSize = "threshold_chunk_size"
        }

        /// Every key is written.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(classes, forKey: .classes)
            try c.encode(calibration, forKey: .calibration)
            try c.encode(referenceRows, forKey: .referenceRows)
            try c.encode(thresholdChunkSize, forKey: .thresholdChunkSize)
            try c.encode(baseline, forKey: .baseline)
            try c.encode(chunks, forKey: .chunks)
        }
    }

    /// PCA data reconstruction on the numerical inputs (``ReconstructionDrift``).
    public struct Multivariate: Sendable, Equatable, Encodable {
        /// The numerical input columns used.
        public var columns: [String]
        /// Principal components kept.
        public var components: Int
        /// The share of variance they had to exceed.
        public var varianceShare: Double
        /// The share they explain.
        public var explainedVariance: Double
        /// The reference chunk size the thresholds come from; nil: no thresholds.
        public var thresholdChunkSize: Int?
        /// The thresholds (also in each chunk).
        public var thresholdLower: Double?
        /// See ``thresholdLower``.
        public var thresholdUpper: Double?
        /// One result per chunk of the current file.
        public var chunks: [Chunk<ReconstructionResult>]

        /// Memberwise.
        public init(
            columns: [String],
            components: Int,
            varianceShare: Double,
            explainedVariance: Double,
            thresholdChunkSize: Int?,
            thresholdLower: Double?,
            thresholdUpper: Double?,
            chunks: [Chunk<ReconstructionResult>]
        ) {
            self.columns = columns
            self.components = components
            self.varianceShare = varianceShare
            self.explainedVariance = explainedVariance
            self.thresholdChunkSize = thresholdChunkSize
            self.thresholdLower = thresholdLower
            self.thresholdUpper = thresholdUpper
            self.chunks = chunks
        }

        enum CodingKeys: String, CodingKey {
            case columns, components, chunks
            case varianceShare = "variance_share"
            case explainedVariance = "explained_variance"
            case thresholdChunkSize = "threshold_chunk_size"
            case thresholdLower = "threshold_lower"
            case thresholdUpper = "threshold_upper"
        }

        /// Every key is written.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(columns, forKey: .columns)
            try c.encode(components, forKey: .components)
            try c.encode(varianceShare, forKey: .varianceShare)
            try c.encode(explainedVariance, forKey: .explainedVariance)
            try c.encode(thresholdChunkSize, forKey: .thresholdChunkSize)
            try c.encode(thresholdLower, forKey: .thresholdLower)
            try c.encode(thresholdUpper, forKey: .thresholdUpper)
            try c.encode(chunks, forKey: .chunks)
        }
    }

    enum CodingKeys: String, CodingKey { case estimate, multivariate }

    /// Every key is written (`null` where a part was not computed).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimate, forKey: .estimate)
        try c.encode(multivariate, forKey: .multivariate)
    }
}
