/// Which columns of two CSV files are a classifier's outputs and its target, for
/// `mlopsctl drift` (``DriftComparison``): they are tested as outputs, and with a target the
/// reference's outputs calibrate a performance estimate of the current file.
public struct ModelOutputColumns: Sendable, Equatable {
    /// The predicted class's column (read as text).
    public var prediction: String?
    /// Binary: one column, the positive class's score. Multiclass: one probability column
    /// per class of ``classes``, in that order.
    public var scores: [String]
    /// Multiclass: the class of each score column. Empty for binary: the classes are then the
    /// values of the target and the predictions (two, sorted; the positive class last).
    public var classes: [String]
    /// The true class's column: needed in the reference, optional in the current file
    /// (where it gives the realized metrics beside the estimate). Read as text; not a drift
    /// column.
    public var target: String?
    /// Binary: the positive class (default: the last of the two classes in sorted order).
    public var positive: String?

    /// Columns by role.
    public init(
        prediction: String? = nil,
        scores: [String] = [],
        classes: [String] = [],
        target: String? = nil,
        positive: String? = nil
    ) {
        self.prediction = prediction
        self.scores = scores
        self.classes = classes
        self.target = target
        self.positive = positive
    }

    /// No outputs named: every column is an input.
    public static let none = ModelOutputColumns()

    /// The output columns (scores, then the prediction).
    public var outputNames: [String] { scores + (prediction.map { [$0] } ?? []) }

    /// Columns read as text whatever they hold: the prediction and the target.
    public var textColumns: Set<String> { Set([prediction, target].compactMap { $0 }) }

    /// True when there is enough to estimate performance: a target, a prediction and scores.
    public var canEstimate: Bool { target != nil && prediction != nil && !scores.isEmpty }
}
