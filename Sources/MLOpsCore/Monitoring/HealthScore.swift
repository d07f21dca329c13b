/// The 0–1 health score of docs/design.md §8: `1 − 0.5·d − 0.5·k − 0.2·m`, where `d` is the
/// share of monitored columns (features, segment fields and model outputs) that drift,
/// `k = min(1, drop / (2·MODEL_DECAY_THRESHOLD))` with `drop` the metric's relative drop
/// (measured on labels; estimated from the outputs when there are too few labels and the
/// version has reference outputs; 0 otherwise, and 0 when the metric improved), and `m` is 1
/// when the features drift jointly (multivariate drift), else 0. Clipped to [0, 1].
public struct HealthScore: Sendable, Equatable, Codable {
    /// The band a score falls in.
    public enum Band: String, Sendable, Codable {
        /// Above 0.8.
        case good
        /// 0.6 to 0.8, both included.
        case warning
        /// Below 0.6.
        case critical

        /// The band of `score`.
        public init(_ score: Double) {
            if score > 0.8 { self = .good } else if score >= 0.6 { self = .warning } else { self = .critical }
        }
    }

    /// One signal's part in the score.
    public struct Contribution: Sendable, Equatable, Codable {
        /// `drift`, `decay` or `multivariate`.
        public var signal: String
        /// d or k.
        public var value: Double
        /// What it takes off the score (0.5·value).
        public var penalty: Double
        /// In words, with the numbers behind it.
        public var explanation: String
        /// True when `decay` comes from the estimated metric, not the labels (absent otherwise).
        public var estimated: Bool? = nil
    }

    /// The weight of multivariate drift: a joint drift alone takes the score out of `good`.
    public static let multivariateWeight = 0.2

    public var score: Double
    public var band: Band
    public var contributions: [Contribution]

    /// The score for `drifted` of `monitored` columns and a relative metric drop (nil
    /// without labels) against `decayThreshold`. `estimatedDrop` stands in for
    /// `relativeDrop` when that is nil (marked `estimated`); `multivariateDrift` adds the
    /// multivariate contribution when the check judged it (nil: not part of the score).
    public init(
        drifted: Int,
        monitored: Int,
        relativeDrop: Double?,
        decayThreshold: Double,
        estimatedDrop: Double? = nil,
        multivariateDrift: Bool? = nil
    ) {
        let d = monitored > 0 ? Double(drifted) / Double(monitored) : 0
        let estimated = relativeDrop == nil && estimatedDrop != nil
        let judgedDrop = relativeDrop ?? estimatedDrop
        let drop = max(0, judgedDrop ?? 0)
        let k = decayThreshold > 0 ? min(1, drop / (2 * decayThreshold)) : 0
        let m: Double = multivariateDrift == true ? 1 : 0
        score = max(0, min(1, 1 - 0.5 * d - 0.5 * k - Self.multivariateWeight * m))
        band = Band(score)
        contributions = [
            Contribution(
                signal: "drift",
                value: d,
                penalty: 0.5 * d,
                explanation: "\(drifted) of \(monitored) monitored columns drift"
            ),
            Contribution(
                signal: "decay",
                value: k,
                penalty: 0.5 * k,
                explanation: judgedDrop == nil
                    ? "no labelled predictions in the window: decay not judged"
                    : (estimated ? "estimated from the model's outputs (too few labels): " : "")
                        + "the metric is \(Self.percent(drop)) below its baseline; a drop of \(Self.percent(2 * decayThreshold)) or more counts fully",
                estimated: estimated ? true : nil
            ),
        ]
        if let multivariateDrift {
            contributions.append(
                Contribution(
                    signal: "multivariate",
                    value: m,
                    penalty: Self.multivariateWeight * m,
                    explanation: multivariateDrift
                        ? "the numerical features drift jointly (reconstruction error outside the reference's band)"
                        : "the numerical features keep their joint structure"
                )
            )
        }
    }

    static func percent(_ x: Double) -> String {
        let v = (x * 1000).rounded() / 10
        return "\(v)%"
    }
}
