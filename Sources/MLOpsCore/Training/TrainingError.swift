/// Why the embedded trainer refused its input, in words that say what to fix.
///
/// Every case is a problem with the data, the model spec or the parameters, never a bug:
/// `mlops-train` prints ``description`` as one line and exits 2. Lines and columns are
/// 1-based and count the CSV file's physical lines and its header's columns.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model predicts a number; the embedded trainer fits classifiers only.
    case regressionTask
    /// Columns the model needs (features, target, segments) are not in the data's header.
    case missingColumns([String], header: [String])
    /// The data has a header but no rows.
    case noRows
    /// A numerical feature's cell is not a finite number.
    case notANumber(line: Int, column: Int, feature: String, value: String)
    /// A categorical feature's cell is empty.
    case emptyCategory(line: Int, column: Int, feature: String)
    /// A categorical feature's cell is not one of the values the model declares.
    case undeclaredCategory(line: Int, column: Int, feature: String, value: String, declared: [String])
    /// The target cell of a row is empty.
    case emptyLabel(line: Int, column: Int, target: String)
    /// The target is not one of the classes the model declares.
    case undeclaredClass(line: Int, column: Int, target: String, value: String, declared: [String])
    /// The data holds fewer than two classes: there is nothing to tell apart.
    case tooFewClasses(target: String, found: [String])
    /// A binary model's data holds more than two classes.
    case tooManyClassesForBinary(target: String, found: [String])
    /// A declared class has no row: its probability cannot be learnt.
    case classWithoutRows(target: String, label: String)
    /// The split left no row to validate on.
    case tooFewRowsToValidate(rows: Int, validationShare: Double)
    /// A training parameter has the wrong type or is out of range.
    case invalidParameter(name: String, problem: String)
    /// The parameters are neither a JSON object nor a file holding one.
    case parametersNotAnObject(String)
    /// The model spec could not be read.
    case invalidSpec(file: String, problem: String)
    /// A row's class index is not an index into the classes (a caller's bug, refused
    /// rather than trapping).
    case labelOutOfRange(row: Int, label: Int, classes: Int)
    /// Feature rows and labels differ in number (a caller's bug, refused rather than trapping).
    case rowCountMismatch(rows: Int, labels: Int)
    /// The optimiser met a non-finite objective (overflow on extreme values).
    case diverged(iteration: Int)

    /// One line: where, what is wrong, what to do.
    public var description: String {
        switch self {
        case .regressionTask:
            return "mlops-train handles classification; use your own trainer for regression"
        case .missingColumns(let names, let header):
            return "the data lacks the column\(names.count == 1 ? "" : "s") "
                + names.map { "`\($0)`" }.joined(separator: ", ")
                + " that the model needs (its header has " + header.joined(separator: ", ") + ")"
        case .noRows:
            return "the data has a header but no rows; training needs rows"
        case .notANumber(let line, let column, let feature, let value):
            return "line \(line), column \(column): numerical feature `\(feature)` is `\(value)`, not a finite number; "
                + "fix or drop the row"
        case .emptyCategory(let line, let column, let feature):
            return "line \(line), column \(column): categorical feature `\(feature)` is empty; fix or drop the row"
        case .undeclaredCategory(let line, let column, let feature, let value, let declared):
            return
                "line \(line), column \(column): categorical feature `\(feature)` is `\(value)`, not one of its declared values ("
                + declared.joined(separator: ", ") + "); fix the row or add the value to the model's `values:`"
        case .emptyLabel(let line, let column, let target):
            return "line \(line), column \(column): the target `\(target)` is empty; every training row needs its label"
        case .undeclaredClass(let line, let column, let target, let value, let declared):
            return
                "line \(line), column \(column): the target `\(target)` is `\(value)`, not one of the model's classes ("
                + declared.joined(separator: ", ") + "); fix the row or re-register the model with its classes"
        case .tooFewClasses(let target, let found):
            return "the target `\(target)` has " + (found.isEmpty ? "no class" : "only one class (\(found[0]))")
                + " in the data; classification needs at least 2 classes"
        case .tooManyClassesForBinary(let target, let found):
            return "the target `\(target)` has \(found.count) classes in the data (" + found.joined(separator: ", ")
                + ") but the model is binary_classification; use multiclass_classification or fix the labels"
        case .classWithoutRows(let target, let label):
            return "class `\(label)` of the target `\(target)` is declared but has no row in the data; "
                + "a model cannot learn a class it never sees: add rows of it or remove it from `classes:`"
        case .tooFewRowsToValidate(let rows, let share):
            return "\(rows) row\(rows == 1 ? "" : "s") with validation_share \(share) leave no row to validate on; "
                + "add rows or raise validation_share"
        case .invalidParameter(let name, let problem):
            return "parameter `\(name)` \(problem)"
        case .parametersNotAnObject(let why):
            return "the training parameters must be a JSON object such as {\"l2\": 0.001, \"seed\": 7}: \(why)"
        case .invalidSpec(let file, let problem):
            return "\(file) is not a model spec: \(problem)"
        case .labelOutOfRange(let row, let label, let classes):
            return "row \(row) has class index \(label), but there are \(classes) classes"
        case .rowCountMismatch(let rows, let labels):
            return "\(rows) rows of features but \(labels) labels"
        case .diverged(let iteration):
            return "training diverged at iteration \(iteration) (the objective is no longer finite); "
                + "look for extreme feature values or raise l2"
        }
    }
}
