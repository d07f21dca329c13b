/// What a monitoring check came to, as its report and its summaries say under `status`
/// (docs/monitoring.md).
public enum CheckStatus: String, Codable, Sendable, CaseIterable {
    /// The window had `min_samples` predictions or more: every signal was judged.
    case ok
    /// The window was smaller than `min_samples`: no drift is reported, never a false one.
    case insufficientData = "insufficient_data"
    /// No check could run: the model has no production version.
    case noProductionVersion = "no_production_version"
    /// No check could run: the production version's reference data could not be read.
    case referenceUnavailable = "reference_unavailable"
}
