/// One arm of an A/B test (the champion or the challenger): how many of its predictions
/// have a label by now, and how many of those were correct.
public struct ABArm: Sendable, Equatable, Codable {
    /// Labelled predictions served by this arm.
    public var n: Int
    /// The labelled predictions that were correct (0…``n``).
    public var successes: Int

    /// An arm with `n` labelled predictions, `successes` of them correct.
    public init(n: Int, successes: Int) {
        self.n = n
        self.successes = successes
    }

    /// An arm with nothing labelled yet.
    public static let empty = ABArm(n: 0, successes: 0)

    /// Whether the counts make sense: `n ≥ 0` and `0 ≤ successes ≤ n`.
    public var isValid: Bool { n >= 0 && successes >= 0 && successes <= n }

    /// The success rate `successes/n`; nil when nothing is labelled (or the counts are
    /// not ``isValid``).
    public var rate: Double? {
        guard isValid, n > 0 else { return nil }
        return Double(successes) / Double(n)
    }

    /// The arm as `{"n", "successes", "rate"}` (rate null when undefined).
    public var document: JSONValue {
        .object(["n": .int(n), "successes": .int(successes), "rate": rate.map(JSONValue.double) ?? .null])
    }
}
