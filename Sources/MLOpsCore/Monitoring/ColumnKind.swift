/// What a monitored column is, as a check's report says under `kind`: a feature's type, the
/// segment group a segment field belongs to, or a model output (docs/monitoring.md).
public enum ColumnKind: String, Codable, Sendable, CaseIterable {
    /// A numerical feature (tested with KS).
    case numerical
    /// A categorical feature (tested with chi-square).
    case categorical
    /// An equipment segment field (scanner, site): unseen values open an alert at once.
    case equipment
    /// A population segment field (age band, sex).
    case population
    /// An output of the model: a score or class probability (tested with KS) or the
    /// predicted class (tested with chi-square) (``OutputDrift``).
    case output
}
