/// How one class's scores become probabilities before CBPE counts on them: not at all, by
/// isotonic regression, or by Platt scaling (docs/monitoring.md, "Estimated performance").
///
/// ``fit(scores:outcomes:)`` decides as NannyML 0.13.1 does (`needs_calibration`), then picks
/// the method by the reference's size:
/// - one class only, or a ROC AUC above 0.999: no calibration (nothing to learn, or the
///   scores already separate perfectly);
/// - otherwise the candidate calibrator is fitted in 10 stratified splits (90% fit, 10%
///   held out) and kept only when the expected calibration error over the held-out rows is
///   lower after calibration than before (``CalibrationNeed``);
/// - the candidate is isotonic regression from ``isotonicMinimumRows`` labelled rows up
///   (NannyML always uses it), Platt scaling below: an isotonic fit on a few hundred rows is
///   a staircase of a few dozen steps that overfits the reference, where the two-parameter
///   sigmoid does not (Niculescu-Mizil & Caruana 2005, "Predicting good probabilities with
///   supervised learning", found isotonic worse than Platt below about 1,000 calibration
///   rows and better above).
public enum ScoreCalibration: Sendable, Equatable, Codable {
    /// The scores are used as they are.
    case none
    /// Isotonic regression (the default, as NannyML).
    case isotonic(IsotonicCalibrator)
    /// Platt scaling (small references).
    case platt(PlattCalibrator)

    /// The fewest labelled reference rows for isotonic regression; Platt scaling below.
    public static let isotonicMinimumRows = 1_000

    /// `none`, `isotonic` or `platt`, as the reports say.
    public var method: String {
        switch self {
        case .none: "none"
        case .isotonic: "isotonic"
        case .platt: "platt"
        }
    }

    /// The calibrated probability of `score`.
    public func calibrate(_ score: Double) -> Double {
        switch self {
        case .none: score
        case .isotonic(let calibrator): calibrator.calibrate(score)
        case .platt(let calibrator): calibrator.calibrate(score)
        }
    }

    /// ``calibrate(_:)`` on every score.
    public func calibrate(_ scores: [Double]) -> [Double] {
        switch self {
        case .none: scores
        case .isotonic(let calibrator): calibrator.calibrate(scores)
        case .platt(let calibrator): scores.map { calibrator.calibrate($0) }
        }
    }

    /// The calibration for one class's scores against whether each row's label is that class
    /// (rows with a non-finite score left out), decided as the type's documentation says.
    /// `method` forces a calibrator family instead of choosing by size (tests; nil chooses).
    public static func fit(scores: [Double], outcomes: [Bool], method: Method? = nil) -> ScoreCalibration {
        var kept: [Double] = []
        var labels: [Bool] = []
        for (score, outcome) in zip(scores, outcomes) where score.isFinite {
            kept.append(score)
            labels.append(outcome)
        }
        let chosen = method ?? (kept.count >= isotonicMinimumRows ? .isotonic : .platt)
        guard CalibrationNeed.needsCalibration(scores: kept, outcomes: labels, method: chosen) else { return .none }
        return fitted(chosen, scores: kept, outcomes: labels) ?? .none
    }

    /// The calibrator of `method` fitted on all the rows, unconditionally (nil when it cannot
    /// be fitted: no finite score).
    public static func fitted(_ method: Method, scores: [Double], outcomes: [Bool]) -> ScoreCalibration? {
        switch method {
        case .isotonic: IsotonicCalibrator(scores: scores, outcomes: outcomes).map { .isotonic($0) }
        case .platt: PlattCalibrator(scores: scores, outcomes: outcomes).map { .platt($0) }
        }
    }

    /// A calibrator family.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Isotonic regression.
        case isotonic
        /// Platt scaling.
        case platt
    }
}
