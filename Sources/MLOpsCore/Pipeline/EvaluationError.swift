/// Why the `test_model` stage could not evaluate a model on its held-out data, in words that
/// say what to fix.
///
/// These are problems with the inputs, not gates the model failed (those are
/// ``EvaluationReport/violations``): the stage fails with ``description`` as its error.
/// Lines and columns are 1-based, the file's physical lines and the header's columns.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model is not a classifier (the embedded trainer fits classifiers only).
    case notClassification(ModelSpec.Task)
    /// The model spec names a metric this stage cannot compute for a classifier.
    case unsupportedMetric(String)
    /// Columns the evaluation needs (the model's features, the target, the segments) are
    /// not in the data's header.
    case missingColumns([String], header: [String])
    /// The data has a header but no rows.
    case noRows
    /// A numerical feature's cell is not a finite number.
    case notANumber(line: Int, column: Int, feature: String, value: String)
    /// A row's label is missing (empty or NA).
    case missingLabel(line: Int, column: Int, target: String)
    /// A row's label is not one of the model's classes.
    case unknownClass(line: Int, column: Int, target: String, value: String, classes: [String])

    /// One line: where, what is wrong, what to do.
    public var description: String {
        switch self {
        case .notClassification(let task):
            return "the model's task is \(task.rawValue); test_model evaluates classifiers trained by mlops-train"
        case .unsupportedMetric(let metric):
            return "the model's metric `\(metric)` is not a classification metric; use one of "
                + ModelSpec.classificationMetrics.joined(separator: ", ")
        case .missingColumns(let names, let header):
            return "the held-out data lacks the column\(names.count == 1 ? "" : "s") "
                + names.map { "`\($0)`" }.joined(separator: ", ")
                + " that the evaluation needs (its header has " + DataValidation.list(header) + ")"
        case .noRows:
            return "the held-out data has a header but no rows; the model cannot be tested on nothing"
        case .notANumber(let line, let column, let feature, let value):
            return
                "line \(line), column \(column): numerical feature `\(feature)` is `\(value.prefix(40))`, not a finite number; "
                + "fix or drop the row"
        case .missingLabel(let line, let column, let target):
            return "line \(line), column \(column): the target `\(target)` is missing; held-out rows need their label"
        case .unknownClass(let line, let column, let target, let value, let classes):
            return
                "line \(line), column \(column): the target `\(target)` is `\(value.prefix(40))`, which is not one of the model's "
                + "classes (\(classes.joined(separator: ", "))); the data does not belong to this model"
        }
    }
}
