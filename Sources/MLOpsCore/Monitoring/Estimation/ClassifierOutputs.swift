/// A classifier's outputs over some rows, column by column: what CBPE estimates from and what
/// output drift tests.
///
/// - Binary (two classes): one score column, the probability (or any score rising with it)
///   of the positive class, which is the last of `classes` (the daemon's convention for
///   precision, recall and roc_auc).
/// - Multiclass: one probability column per class, in the order of `classes`.
///
/// A missing prediction is nil and a missing score NaN; such rows are left out of what
/// needs them (NannyML's `common_nan_removal`).
public struct ClassifierOutputs: Sendable, Equatable {
    /// The model's classes; for binary, the positive class last.
    public let classes: [String]
    /// The predicted class of each row.
    public let predictions: [String?]
    /// Binary: one column (the positive class's score); multiclass: one per class.
    public let scores: [[Double]]

    /// Outputs after checking their shape: at least two classes, all different; one score
    /// column for two classes, else one per class; every column as long as `predictions`.
    public init(classes: [String], predictions: [String?], scores: [[Double]]) throws(EstimationError) {
        guard classes.count >= 2 else { throw .tooFewClasses(classes) }
        guard Set(classes).count == classes.count else { throw .duplicateClass(classes) }
        let expected = classes.count == 2 ? [1, 2] : [classes.count]
        guard expected.contains(scores.count) else {
            throw .scoreColumns(expected: expected[0], given: scores.count, classes: classes.count)
        }
        for column in scores where column.count != predictions.count {
            throw .lengthMismatch(what: "a score column", count: column.count, rows: predictions.count)
        }
        self.classes = classes
        self.predictions = predictions
        // Two classes given with two probability columns: the positive class's column.
        self.scores = classes.count == 2 && scores.count == 2 ? [scores[1]] : scores
    }

    /// Rows.
    public var count: Int { predictions.count }
    /// True for two classes (one score column).
    public var isBinary: Bool { classes.count == 2 }
    /// The positive class of a binary model.
    public var positive: String? { isBinary ? classes.last : nil }

    /// The rows where the prediction and every score are present (finite).
    var completeRows: [Int] {
        (0..<count).filter { r in predictions[r] != nil && scores.allSatisfy { $0[r].isFinite } }
    }
}
