/// What `mlopsctl drift` found between a reference and a current CSV file: one entry per
/// column and the share of drifted columns. Encoded as JSON with snake_case keys; a value
/// that could not be computed is `null`, never left out.
public struct DriftReport: Sendable, Equatable, Encodable {
    /// One column's tests and verdict.
    public struct Column: Sendable, Equatable, Encodable {
        /// The column's name in the header.
        public var name: String
        /// `numerical`, `categorical`, or `output` (a column named as the model's prediction or score).
        public var type: ColumnKind
        /// `ks` (numerical) or `chi_square` (categorical); nil when the column could not be
        /// tested (no values on one side).
        public var test: DriftTest?
        /// KS D, or the chi-square statistic.
        public var statistic: Double?
        /// The test's p-value (scipy.stats.ks_2samp, scipy.stats.chi2_contingency).
        public var pValue: Double?
        /// The Benjamini–Hochberg adjusted p-value, across every tested column.
        public var pAdjusted: Double?
        /// Population Stability Index over 10 reference-quantile bins (numerical) or per
        /// category (categorical).
        public var psi: Double?
        /// Jensen–Shannon distance, base 2 (categorical columns).
        public var jensenShannon: Double?
        /// Cells left out of the tests: empty, or not a finite number in a numerical column.
        public var missingReference: Int
        /// The same in the current file.
        public var missingCurrent: Int
        /// The verdict, by the daemon's rule (docs/monitoring.md).
        public var drift: Bool
        /// Why the column is categorical when it was not named so, or why it was not tested.
        public var note: String?

        /// Memberwise.
        public init(
            name: String,
            type: ColumnKind,
            test: DriftTest?,
            statistic: Double?,
            pValue: Double?,
            pAdjusted: Double?,
            psi: Double?,
            jensenShannon: Double?,
            missingReference: Int,
            missingCurrent: Int,
            drift: Bool,
            note: String?
        ) {
            self.name = name
            self.type = type
            self.test = test
            self.statistic = statistic
            self.pValue = pValue
            self.pAdjusted = pAdjusted
            self.psi = psi
            self.jensenShannon = jensenShannon
            self.missingReference = missingReference
            self.missingCurrent = missingCurrent
            self.drift = drift
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case name, type, test, statistic
            case pValue = "p_value"
            case pAdjusted = "p_adjusted"
            case psi
            case jensenShannon = "jensen_shannon"
            case missing, drift, note
        }

        enum MissingKeys: String, CodingKey {
            case reference, current
        }

        /// Every key is written; `missing` is `{"reference": n, "current": m}`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .type)
            try c.encode(test, forKey: .test)
            try c.encode(statistic, forKey: .statistic)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(pAdjusted, forKey: .pAdjusted)
            try c.encode(psi, forKey: .psi)
            try c.encode(jensenShannon, forKey: .jensenShannon)
            var missing = c.nestedContainer(keyedBy: MissingKeys.self, forKey: .missing)
            try missing.encode(missingReference, forKey: .reference)
            try missing.encode(missingCurrent, forKey: .current)
            try c.encode(drift, forKey: .drift)
            try c.encode(note, forKey: .note)
        }
    }

    /// One entry per column, in the reference file's order (the target column, when one is
    /// named, left out).
    public var columns: [Column]
    /// Drifted input columns over all input columns (0 when there are none); outputs count
    /// apart.
    public var driftShare: Double
    /// The names of the drifted input columns.
    public var drifted: [String]
    /// The names of the drifted output columns (type `output`).
    public var outputsDrifted: [String]
    /// The performance estimate of the current file; nil without a target, a prediction and
    /// scores.
    public var estimate: DriftModelFigures.Estimate?
    /// The multivariate drift of the numerical inputs; nil with fewer than two of them.
    public var multivariate: DriftModelFigures.Multivariate?
    /// Data rows of the reference file.
    public var rowsReference: Int
    /// Data rows of the current file.
    public var rowsCurrent: Int
    /// The effect-size gate: KS D, or the JS distance, must exceed it.
    public var threshold: Double
    /// The significance gate for the adjusted p-value.
    public var alpha: Double

    /// Memberwise.
    public init(
        columns: [Column],
        driftShare: Double,
        drifted: [String],
        outputsDrifted: [String] = [],
        estimate: DriftModelFigures.Estimate? = nil,
        multivariate: DriftModelFigures.Multivariate? = nil,
        rowsReference: Int,
        rowsCurrent: Int,
        threshold: Double,
        alpha: Double
    ) {
        self.columns = columns
        self.driftShare = driftShare
        self.drifted = drifted
        self.outputsDrifted = outputsDrifted
        self.estimate = estimate
        self.multivariate = multivariate
        self.rowsReference = rowsReference
        self.rowsCurrent = rowsCurrent
        self.threshold = threshold
        self.alpha = alpha
    }

    enum CodingKeys: String, CodingKey {
        case columns
        case driftShare = "drift_share"
        case drifted
        case outputsDrifted = "outputs_drifted"
        case estimate, multivariate
        case rowsReference = "rows_reference"
        case rowsCurrent = "rows_current"
        case threshold, alpha
    }

    /// Every key is written (`estimate` and `multivariate` as `null` when not computed).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(columns, forKey: .columns)
        try c.encode(driftShare, forKey: .driftShare)
        try c.encode(drifted, forKey: .drifted)
        try c.encode(outputsDrifted, forKey: .outputsDrifted)
        try c.encode(estimate, forKey: .estimate)
        try c.encode(multivariate, forKey: .multivariate)
        try c.encode(rowsReference, forKey: .rowsReference)
        try c.encode(rowsCurrent, forKey: .rowsCurrent)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(alpha, forKey: .alpha)
    }
}
