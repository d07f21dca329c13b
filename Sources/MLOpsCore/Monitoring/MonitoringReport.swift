/// What one monitoring check found (docs/design.md §8): per column drift, equipment and population
/// change, decay, and the health score with each signal's contribution. Stored with every
/// check and returned as the job's result; the JSON keys are snake_case.
public struct MonitoringReport: Sendable, Equatable, Codable {
    /// `ok`, or `insufficient_data` when the window is smaller than `min_samples` (then no
    /// drift is reported, never a false one).
    public var status: CheckStatus
    /// Predictions in the window, and how many carry labels.
    public var window: Int
    public var labelled: Int
    /// Reference rows compared against.
    public var referenceRows: Int
    /// One entry per feature and per segment field.
    public var columns: [ColumnDrift]
    /// The share of monitored columns that drift, and which.
    public var driftShare: Double
    public var drifted: [String]
    /// Equipment: values never seen in the reference, and per value figures.
    public var equipment: SegmentChange
    /// Population: per value figures.
    public var population: SegmentChange
    /// The metric against the version's baseline.
    public var decay: Decay
    /// The health score and its explanation.
    public var health: HealthScore
    /// The estimated performance (CBPE) of the window; nil for reports stored before it existed.
    public var estimate: Estimate? = nil
    /// The multivariate (PCA reconstruction) drift of the window; nil for reports stored
    /// before it existed.
    public var multivariate: Multivariate? = nil

    /// Drift of one column.
    public struct ColumnDrift: Sendable, Equatable, Codable {
        public var name: String
        /// `numerical`, `categorical`, `equipment` or `population`.
        public var kind: ColumnKind
        /// `ks` or `chi_square`; nil when the column could not be tested.
        public var test: DriftTest?
        /// KS D, or the chi-square statistic.
        public var statistic: Double?
        public var pValue: Double?
        /// Benjamini–Hochberg adjusted across all tested columns of the check.
        public var pAdjusted: Double?
        public var psi: Double?
        /// Jensen–Shannon distance (base 2), categorical and segment columns.
        public var jensenShannon: Double?
        /// Window rows where the value is missing.
        public var missing: Int
        public var drift: Bool
        /// Why it drifts or not, with the numbers.
        public var explanation: String
    }

    /// Equipment or population figures.
    public struct SegmentChange: Sendable, Equatable, Codable {
        /// Values in the window the reference never had (an unseen scanner).
        public var newValues: [NewValue]
        /// Segment columns whose mix shifted (their column drifts).
        public var shifted: [String]
        /// Per value: count, features that drift within it, the metric when labelled.
        public var perValue: [ValueFigures]
    }

    public struct NewValue: Sendable, Equatable, Codable {
        public var column: String
        public var value: String
        public var count: Int
    }

    public struct ValueFigures: Sendable, Equatable, Codable {
        public var column: String
        public var value: String
        public var count: Int
        public var driftedFeatures: [String]
        public var labelled: Int
        public var metric: Double?
        public var interval: WilsonInterval?
    }

    /// Decay of the model's metric.
    public struct Decay: Sendable, Equatable, Codable {
        /// `ok`, `decayed`, `insufficient_labels`, `no_baseline` or `not_computable`.
        public var status: DecayStatus
        public var metric: String
        public var baseline: Double?
        public var current: Double?
        /// Positive when worse, relative to the baseline.
        public var relativeDrop: Double?
        public var interval: WilsonInterval?
        public var labelled: Int
        public var decayed: Bool
    }

    /// The model's metric estimated from its outputs without labels (docs/monitoring.md,
    /// "Estimated performance"), and the estimated-decay verdict.
    public struct Estimate: Sendable, Equatable, Codable {
        /// `estimated` (too few labels: the health and the `estimated_decay` alert use it),
        /// `labelled` (enough labels judge decay; the estimate is shown beside the realized
        /// metric) or `unavailable` (the explanation says why).
        public var status: EstimateStatus
        /// The model's metric.
        public var metric: String
        /// The estimate, its sampling error and its ±3σ band.
        public var estimated: Double?
        public var samplingError: Double?
        public var lower: Double?
        public var upper: Double?
        /// The metric over the window's labelled rows, when there are any: the estimate held
        /// to account.
        public var realized: Double?
        /// The version's baseline and the estimate's relative drop from it (positive when worse).
        public var baseline: Double?
        public var relativeDrop: Double?
        /// Decayed (estimated): the drop exceeds `model_decay_threshold` and the whole band is
        /// below the baseline (``EstimatedDecay``).
        public var decayed: Bool
        /// Why, in words, with the numbers.
        public var explanation: String
        /// Every estimated metric of the window (nil when unavailable).
        public var metrics: PerformanceEstimate?

        /// An estimate that could not be made, and why.
        public static func unavailable(metric: String, _ why: String) -> Estimate {
            Estimate(
                status: .unavailable,
                metric: metric,
                estimated: nil,
                samplingError: nil,
                lower: nil,
                upper: nil,
                realized: nil,
                baseline: nil,
                relativeDrop: nil,
                decayed: false,
                explanation: why,
                metrics: nil
            )
        }

        enum CodingKeys: String, CodingKey {
            case status, metric, estimated, lower, upper, realized, baseline, decayed, explanation, metrics
            case samplingError = "sampling_error"
            case relativeDrop = "relative_drop"
        }
    }

    /// The joint drift of the numerical features (docs/monitoring.md, "Multivariate drift").
    public struct Multivariate: Sendable, Equatable, Codable {
        /// True when the window was judged (a fitted model and at least `min_samples` rows).
        public var judged: Bool
        /// The numerical features used and the principal components kept.
        public var columns: [String]
        public var components: Int
        /// The window's mean reconstruction error with its band and the reference's thresholds.
        public var result: ReconstructionResult?
        /// The error left the thresholds (opens `multivariate_drift`).
        public var drift: Bool
        /// Why, in words, with the numbers.
        public var explanation: String
    }

    enum CodingKeys: String, CodingKey {
        case status, window, labelled, columns, drifted, equipment, population, decay, health
        case estimate, multivariate
        case referenceRows = "reference_rows"
        case driftShare = "drift_share"
    }
}

extension MonitoringReport.ColumnDrift {
    enum CodingKeys: String, CodingKey {
        case name, kind, test, statistic, psi, missing, drift, explanation
        case pValue = "p_value"
        case pAdjusted = "p_adjusted"
        case jensenShannon = "jensen_shannon"
    }
}

extension MonitoringReport.SegmentChange {
    enum CodingKeys: String, CodingKey {
        case shifted
        case newValues = "new_values"
        case perValue = "per_value"
    }
}

extension MonitoringReport.ValueFigures {
    enum CodingKeys: String, CodingKey {
        case column, value, count, labelled, metric, interval
        case driftedFeatures = "drifted_features"
    }
}

extension MonitoringReport.Decay {
    enum CodingKeys: String, CodingKey {
        case status, metric, baseline, current, interval, labelled, decayed
        case relativeDrop = "relative_drop"
    }
}
