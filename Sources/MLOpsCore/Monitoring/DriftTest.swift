/// The statistical test a drift check ran on a column, as the reports say under `test`.
public enum DriftTest: String, Codable, Sendable, CaseIterable {
    /// Two-sample Kolmogorov–Smirnov (numerical columns); the effect size is D.
    case ks
    /// Chi-square contingency (categorical and segment columns); the effect size is the
    /// Jensen–Shannon distance.
    case chiSquare = "chi_square"
}
