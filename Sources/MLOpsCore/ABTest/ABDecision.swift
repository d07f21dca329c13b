/// What the `ab_test` stage does after a look at the two arms (docs/design.md §11).
public enum ABDecision: String, Sendable, Codable, CaseIterable {
    /// The challenger is significantly better: it becomes the production version.
    case promote
    /// The challenger stays out: it is not significantly better (fixed horizon), it is
    /// significantly worse (sequential), or the deadline came first.
    case keepChampion = "keep_champion"
    /// Not enough evidence yet and the deadline has not passed: keep routing and look
    /// again later. Never returned once the deadline has passed.
    case undecided
}
