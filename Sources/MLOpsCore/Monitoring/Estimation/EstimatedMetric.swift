/// A classification metric CBPE estimates, by the name the daemon's `metric` uses.
public enum EstimatedMetric: String, Sendable, Codable, CaseIterable {
    /// Area under the ROC curve (multiclass: one-vs-rest, macro average).
    case rocAUC = "roc_auc"
    /// Share of correct predictions.
    case accuracy
    /// Precision of the positive class (multiclass: macro average).
    case precision
    /// Recall of the positive class (multiclass: macro average).
    case recall
    /// F1 of the positive class (multiclass: macro average).
    case f1
}
