import Foundation

/// A classifier's metrics on held-out rows, defined as sklearn.metrics defines them:
/// accuracy, per-class precision, recall and F1 (0 where undefined, sklearn's
/// `zero_division` default), log loss with probabilities clipped to [ε, 1 − ε] (ε the
/// float64 machine epsilon), and for the positive class — the last of the model's classes,
/// as monitoring takes it — precision, recall, F1 and ROC AUC.
///
/// These become the version's `metrics.json`: the model's metric must be a top-level
/// number there, and decay is measured against it with the same definitions
/// (``ModelMetric``), so a fresh model that did not drift shows no decay.
public struct ClassificationMetrics: Sendable, Equatable {
    /// Scores of one class.
    public struct ClassScores: Sendable, Equatable {
        /// Of the rows predicted as this class, the share that are.
        public var precision: Double
        /// Of the rows of this class, the share predicted as it.
        public var recall: Double
        /// The harmonic mean of precision and recall.
        public var f1: Double
        /// Rows of this class.
        public var support: Int
    }

    /// The classes, in the model's order.
    public var classes: [String]
    /// Share of rows whose predicted class is the label.
    public var accuracy: Double
    /// Mean negative log probability of the true class.
    public var logLoss: Double
    /// Scores per class, in ``classes`` order.
    public var perClass: [ClassScores]
    /// ROC AUC of the positive class's probability (one against the rest), nil when the
    /// rows hold only one side.
    public var rocAUC: Double?
    /// Rows evaluated.
    public var rows: Int

    /// The positive class: the last class (monitoring's choice for precision, recall, F1
    /// and ROC AUC).
    public var positiveClass: String { classes.last ?? "" }
    /// Precision of the positive class.
    public var precision: Double { perClass.last?.precision ?? 0 }
    /// Recall of the positive class.
    public var recall: Double { perClass.last?.recall ?? 0 }
    /// F1 of the positive class.
    public var f1: Double { perClass.last?.f1 ?? 0 }

    /// The metrics of `predicted` class indices against `labels` (class indices), with
    /// `probabilities[i]` one probability per class for row i.
    public static func compute(
        classes: [String],
        labels: [Int],
        predicted: [Int],
        probabilities: [[Double]]
    ) -> ClassificationMetrics {
        let n = Swift.min(labels.count, predicted.count, probabilities.count)
        let k = classes.count
        var tp = [Int](repeating: 0, count: k)
        var predictedCount = [Int](repeating: 0, count: k)
        var support = [Int](repeating: 0, count: k)
        var hits = 0
        var loss = 0.0
        let eps = Double.ulpOfOne
        for i in 0..<n {
            let y = labels[i]
            let p = predicted[i]
            guard (0..<k).contains(y), (0..<k).contains(p) else { continue }
            support[y] += 1
            predictedCount[p] += 1
            if y == p {
                hits += 1
                tp[y] += 1
            }
            let q = y < probabilities[i].count ? probabilities[i][y] : 0
            loss -= log(Swift.min(Swift.max(q, eps), 1 - eps))
        }
        let perClass = (0..<k).map { c -> ClassScores in
            let precision = predictedCount[c] > 0 ? Double(tp[c]) / Double(predictedCount[c]) : 0
            let recall = support[c] > 0 ? Double(tp[c]) / Double(support[c]) : 0
            let denominator = predictedCount[c] + support[c]
            let f1 = denominator > 0 ? 2 * Double(tp[c]) / Double(denominator) : 0
            return ClassScores(precision: precision, recall: recall, f1: f1, support: support[c])
        }
        var auc: Double? = nil
        if k >= 2 {
            var positive: [Double] = []
            var negative: [Double] = []
            for i in 0..<n where k - 1 < probabilities[i].count {
                if labels[i] == k - 1 {
                    positive.append(probabilities[i][k - 1])
                } else {
                    negative.append(probabilities[i][k - 1])
                }
            }
            if !positive.isEmpty && !negative.isEmpty {
                auc = ModelMetric.mannWhitneyAUC(positive: positive, negative: negative)
            }
        }
        return ClassificationMetrics(
            classes: classes,
            accuracy: n > 0 ? Double(hits) / Double(n) : 0,
            logLoss: n > 0 ? loss / Double(n) : 0,
            perClass: perClass,
            rocAUC: auc,
            rows: n
        )
    }

    /// The `metrics.json` object: the top-level numbers `accuracy`, `log_loss`, `precision`,
    /// `recall`, `f1` and `roc_auc` (when defined), `per_class` with each class's
    /// precision, recall, f1 and support, and `rows` with the train and validation counts.
    public func json(trainRows: Int) -> JSONValue {
        var object: [String: JSONValue] = [
            "accuracy": .double(accuracy),
            "log_loss": .double(logLoss),
            "precision": .double(precision),
            "recall": .double(recall),
            "f1": .double(f1),
            "rows": ["train": .int(trainRows), "validation": .int(rows)],
        ]
        if let rocAUC { object["roc_auc"] = .double(rocAUC) }
        var perClassObject: [String: JSONValue] = [:]
        for (c, scores) in zip(classes, perClass) {
            perClassObject[c] = [
                "precision": .double(scores.precision), "recall": .double(scores.recall),
                "f1": .double(scores.f1), "support": .int(scores.support),
            ]
        }
        object["per_class"] = .object(perClassObject)
        return .object(object)
    }
}
