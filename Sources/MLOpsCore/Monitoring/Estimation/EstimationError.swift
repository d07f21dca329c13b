/// Why performance cannot be estimated from the given outputs: each case says what to fix.
public enum EstimationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than two classes.
    case tooFewClasses([String])
    /// A class named twice.
    case duplicateClass([String])
    /// The wrong number of score columns for the classes.
    case scoreColumns(expected: Int, given: Int, classes: Int)
    /// A column whose length is not the number of rows.
    case lengthMismatch(what: String, count: Int, rows: Int)
    /// No reference row has a label, a prediction and its scores.
    case noLabelledRows
    /// A reference label that is not one of the classes.
    case unknownLabel(String)

    /// The message, in words.
    public var description: String {
        switch self {
        case .tooFewClasses(let classes):
            "a classifier needs at least two classes, got \(classes.count)"
                + (classes.isEmpty ? "" : " (\(classes.joined(separator: ", ")))")
        case .duplicateClass(let classes):
            "the classes name one class twice: \(classes.joined(separator: ", "))"
        case .scoreColumns(let expected, let given, let classes):
            classes == 2
                ? "a binary model needs one score column (the positive class's probability), got \(given)"
                : "a model of \(classes) classes needs \(expected) probability columns (one per class), got \(given)"
        case .lengthMismatch(let what, let count, let rows):
            "\(what) has \(count) values for \(rows) rows"
        case .noLabelledRows:
            "no reference row has a label, a prediction and its scores: nothing to calibrate on"
        case .unknownLabel(let label):
            "the reference label '\(label)' is not one of the model's classes"
        }
    }
}
