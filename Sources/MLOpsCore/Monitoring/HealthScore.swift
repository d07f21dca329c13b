/// The 0–1 health score of docs/design.md §8: `1 − 0.5·d − 0.5·k`, where `d` is the share of
/// monitored columns (features and segment fields) that drift and
/// `k = min(1, drop / (2·MODEL_DECAY_THRESHOLD))` with `drop` the metric's relative drop
/// (0 without labels, and 0 when the metric improved).
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
        /// `drift` or `decay`.
        public var signal: String
        /// d or k.
        public var value: Double
        /// What it takes off the score (0.5·value).
        public var penalty: Double
        /// In words, with the numbers behind it.
        public var explanation: String
    }

    public var score: Double
    public var band: Band
    public var contributions: [Contribution]

    /// The score for `drifted` of `monitored` columns and a relative metric drop (nil
    /// without labels) against `decayThreshold`.
    public init(drifted: Int, monitored: Int, relativeDrop: Double?, decayThreshold: Double) {
        let d = monitored > 0 ? Double(drifted) / Double(monitored) : 0
        let drop = max(0, relativeDrop ?? 0)
        let k = decayThreshold > 0 ? min(1, drop / (2 * decayThreshold)) : 0
        score = max(0, min(1, 1 - 0.5 * d - 0.5 * k))
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
                explanation: relativeDrop == nil
                    ? "no labelled predictions in the window: decay not judged"
                    : "the metric is \(Self.percent(drop)) below its baseline; a drop of \(Self.percent(2 * decayThreshold)) or more counts fully"
            ),
        ]
    }

    static func percent(_ x: Double) -> String {
        let v = (x * 1000).rounded() / 10
        return "\(v)%"
    }
}
