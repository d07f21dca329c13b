/// Drift of a classifier's outputs, window against reference (docs/monitoring.md, "Output
/// drift"): the two-sample KS test (and PSI) on each score column — the positive class's
/// score for a binary model, each class's probability for a multiclass one — and the
/// chi-square test (with PSI and the Jensen–Shannon distance) on the predicted class.
///
/// The tests are the feature tests of ``MonitoringAnalysis``, so their p-values join the
/// same Benjamini–Hochberg correction and the same rule decides (D or the JS distance above
/// `data_drift_threshold` and the adjusted p below `drift_alpha`). A moving score
/// distribution is the first sign that the model sees something new, even when no single
/// feature drifts enough to say so.
public enum OutputDrift {
    /// The name of the predicted class's column in reports.
    public static let predictionName = "prediction"
    /// The name of a binary model's score column in reports.
    public static let scoreName = "score"

    /// The name of a multiclass model's probability column of `className` in reports.
    public static func probabilityName(_ className: String) -> String { "probabilities.\(className)" }

    /// One output column's test before the correction.
    public struct ColumnTest: Sendable, Equatable {
        /// `score`, `probabilities.<class>` or `prediction`.
        public var name: String
        /// `ks` for a score, `chi_square` for the prediction; nil when not testable.
        public var test: DriftTest?
        /// KS D, or the chi-square statistic.
        public var statistic: Double?
        /// The unadjusted p-value.
        public var pValue: Double?
        /// PSI (10 reference-quantile bins for scores, per class for the prediction).
        public var psi: Double?
        /// The Jensen–Shannon distance (prediction only).
        public var jensenShannon: Double?
        /// Window rows where the value is missing.
        public var missing: Int
        /// Why it was not tested.
        public var note: String?

        /// The effect size the drift rule gates on: D for a score, the JS distance for the
        /// prediction.
        public var effect: Double? { test == .ks ? statistic : jensenShannon }

        init(name: String, _ t: MonitoringAnalysis.ColumnTest) {
            self.name = name
            test = t.test
            statistic = t.statistic
            pValue = t.pValue
            psi = t.psi
            jensenShannon = t.jensenShannon
            missing = t.missing
            note = t.note
        }
    }

    /// A version's reference outputs prepared once for many checks: score columns sorted
    /// (and prepared for the KS walk), predicted classes counted.
    public struct Reference: Sendable {
        /// The column names, scores first, in ``ColumnTest`` naming.
        public let scoreNames: [String]
        /// Each score column's finite values, sorted ascending.
        public let scores: [[Double]]
        /// The same columns prepared for the tests (nil when a column is empty).
        public let prepared: [ReferenceColumn?]
        /// How often each class was predicted.
        public let predictionCounts: [String: Int]

        /// Prepares `outputs`.
        public init(_ outputs: ClassifierOutputs) {
            scoreNames = OutputDrift.scoreNames(outputs)
            scores = outputs.scores.map { FiniteSample($0).sorted }
            prepared = scores.map { ReferenceColumn(sorted: $0) }
            predictionCounts = MonitoringAnalysis.counts(outputs.predictions).counts
        }
    }

    /// The report names of `outputs`' score columns.
    public static func scoreNames(_ outputs: ClassifierOutputs) -> [String] {
        outputs.isBinary ? [scoreName] : outputs.classes.map(probabilityName)
    }

    /// The tests of `window` against `reference`: each score column, then the prediction.
    /// Score columns are matched by position; the window must have the reference's classes.
    public static func tests(reference: Reference, window: ClassifierOutputs) -> [ColumnTest] {
        var result: [ColumnTest] = []
        for (i, name) in reference.scoreNames.enumerated() where i < window.scores.count {
            let test = MonitoringAnalysis.numericTest(
                reference.scores[i],
                prepared: reference.prepared[i],
                window.scores[i]
            )
            result.append(ColumnTest(name: name, test))
        }
        let prediction = MonitoringAnalysis.categoricalTest(reference.predictionCounts, window.predictions)
        result.append(ColumnTest(name: predictionName, prediction))
        return result
    }
}
