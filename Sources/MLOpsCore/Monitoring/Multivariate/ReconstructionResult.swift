/// The multivariate drift of one window (or chunk): its mean reconstruction error against the
/// reference's thresholds (``ReconstructionDrift``). JSON keys are snake_case; a value that
/// cannot be computed is `null`.
public struct ReconstructionResult: Sendable, Equatable, Codable {
    /// Rows of the window.
    public var rows: Int
    /// The mean reconstruction error; nil for an empty window.
    public var error: Double?
    /// The rows' standard deviation (ddof 1) over √rows; nil below two rows.
    public var samplingError: Double?
    /// error − 3 × sampling error, floored at 0.
    public var lower: Double?
    /// error + 3 × sampling error.
    public var upper: Double?
    /// The reference chunks' mean − 3 σ; nil when ≤ 0 or without reference chunks.
    public var thresholdLower: Double?
    /// The reference chunks' mean + 3 σ; nil without reference chunks.
    public var thresholdUpper: Double?
    /// The error is outside the thresholds.
    public var drift: Bool

    /// Memberwise.
    public init(
        rows: Int,
        error: Double?,
        samplingError: Double?,
        lower: Double?,
        upper: Double?,
        thresholdLower: Double?,
        thresholdUpper: Double?,
        drift: Bool
    ) {
        self.rows = rows
        self.error = error
        self.samplingError = samplingError
        self.lower = lower
        self.upper = upper
        self.thresholdLower = thresholdLower
        self.thresholdUpper = thresholdUpper
        self.drift = drift
    }

    enum CodingKeys: String, CodingKey {
        case rows, error
        case samplingError = "sampling_error"
        case lower, upper
        case thresholdLower = "threshold_lower"
        case thresholdUpper = "threshold_upper"
        case drift
    }

    /// Every key is written (`null` where there is no value).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rows, forKey: .rows)
        try c.encode(error, forKey: .error)
        try c.encode(samplingError, forKey: .samplingError)
        try c.encode(lower, forKey: .lower)
        try c.encode(upper, forKey: .upper)
        try c.encode(thresholdLower, forKey: .thresholdLower)
        try c.encode(thresholdUpper, forKey: .thresholdUpper)
        try c.encode(drift, forKey: .drift)
    }
}
