/// Why multivariate drift cannot be fitted on a reference: each case says what to fix.
public enum MultivariateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not as many names as columns.
    case namesMismatch(columns: Int, names: Int)
    /// A column whose length differs from the first column's.
    case lengthMismatch(column: String, count: Int, rows: Int)
    /// No numerical column with a present value.
    case noColumns
    /// Fewer than two reference rows.
    case tooFewRows(Int)
    /// The share of variance is not strictly between 0 and 1.
    case varianceShare(Double)
    /// The eigen-decomposition did not converge (not expected for a finite covariance).
    case decompositionFailed

    /// The message, in words.
    public var description: String {
        switch self {
        case .namesMismatch(let columns, let names): "\(columns) columns but \(names) names"
        case .lengthMismatch(let column, let count, let rows):
            "column \(column) has \(count) values where the first column has \(rows)"
        case .noColumns: "no numerical column with a value: nothing to reconstruct"
        case .tooFewRows(let rows): "the reference has \(rows) row\(rows == 1 ? "" : "s"); PCA needs at least 2"
        case .varianceShare(let share): "the share of variance must be above 0 and below 1, not \(share)"
        case .decompositionFailed: "the covariance matrix's eigen-decomposition did not converge"
        }
    }
}
