/// One parsed input value of a model feature: a number for a numerical feature, a category
/// for a categorical one.
///
/// The trainer parses every cell once, with the row and column of anything it refuses, and
/// then works on these; a trained model predicts from them.
public enum FeatureValue: Sendable, Equatable, Hashable {
    /// The value of a numerical feature (finite).
    case number(Double)
    /// The value of a categorical feature.
    case category(String)
}
