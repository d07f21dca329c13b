import Foundation

/// Confidence-based performance estimation (CBPE), fitted on a version's reference outputs
/// and labels, then applied to windows without labels — NannyML 0.13.1's `CBPE` with its
/// defaults, computed the same way (docs/monitoring.md, "Estimated performance").
///
/// Fitting (``fit(reference:labels:chunkSize:calibration:)``):
/// - the reference rows with a label, a prediction and every score are used;
/// - per metric, the sampling-error components: the spread of the metric's per-row
///   contributions on the reference and the share of rows they concern (NannyML's
///   `sampling_error` module);
/// - the alert thresholds: the realized metric on each full reference chunk of
///   `chunkSize` rows, mean ± 3 σ (ddof 0), clipped to [0, 1] (NannyML keeps an incomplete
///   last chunk; here it is left out, as its realized value is noisier);
/// - the calibration of each class's scores (``ScoreCalibration``): binary, the positive
///   class's score; multiclass, each class's probability one-vs-rest, the calibrated row then
///   divided by its sum (uniform when the sum is 0).
///
/// Estimating (``estimate(_:labels:)``), on the calibrated probabilities p of the window:
/// - accuracy: the mean of p over rows predicted positive and of 1 − p over the others
///   (multiclass: the mean probability of the predicted class);
/// - precision, recall and F1 from the expected confusion matrix TP = Σ p (predicted
///   positive), FP = Σ 1 − p (predicted positive), FN = Σ p (predicted negative)
///   (multiclass: one-vs-rest per class, macro average);
/// - ROC AUC: the ROC curve traced by the expected TP and FP counts with rows in descending
///   order of the model's own score (multiclass: one-vs-rest, macro average);
/// - each with its sampling error for a window of that many rows and the band
///   estimate ± 3 × sampling error.
///
/// The fitted estimator is a value: the daemon can keep it with a version (it is `Codable`)
/// and estimate each window in about a millisecond per 1,000 rows.
public struct PerformanceEstimator: Sendable, Equatable, Codable {
    /// The model's classes; binary: the positive class last.
    public let classes: [String]
    /// Per class scored (binary: one, the positive class), how its scores are calibrated.
    public let calibrations: [ScoreCalibration]
    /// Per metric: sampling-error components, thresholds and the realized reference value.
    public let references: [MetricReference]
    /// Reference rows fitted on.
    public let referenceRows: Int
    /// The chunk size the thresholds were computed for (nil: no thresholds).
    public let chunkSize: Int?

    /// True for a binary model.
    public var isBinary: Bool { classes.count == 2 }

    /// One metric as the reference saw it.
    public struct MetricReference: Sendable, Equatable, Codable {
        /// Which metric.
        public var metric: EstimatedMetric
        /// Per class (binary: one), the variance of the per-row contributions and the share of
        /// rows they concern; nil where undefined (e.g. no positive prediction for precision).
        public var components: [SamplingComponent?]
        /// The realized metric over the whole reference.
        public var realized: Double?
        /// The reference chunks' realized mean − 3 σ and + 3 σ, clipped to [0, 1].
        public var thresholdLower: Double?
        /// See ``thresholdLower``.
        public var thresholdUpper: Double?
    }

    /// A sampling-error component: variance (ddof 0) and relevant share.
    public struct SamplingComponent: Sendable, Equatable, Codable {
        /// The variance of the per-row contributions on the reference.
        public var variance: Double
        /// The share of rows the metric concerns (1 for accuracy).
        public var fraction: Double
    }

    /// Fits the estimator. `labels[i]` is row i's true class (nil when unknown); rows without
    /// a label, a prediction or a finite score are left out. `chunkSize` sets the reference
    /// chunks for the thresholds (nil or < 1: no thresholds). `calibration` forces a
    /// calibrator family (tests and comparisons; nil chooses by size).
    public static func fit(
        reference: ClassifierOutputs,
        labels: [String?],
        chunkSize: Int?,
        calibration: ScoreCalibration.Method? = nil
    ) throws(EstimationError) -> PerformanceEstimator {
        guard labels.count == reference.count else {
            throw .lengthMismatch(what: "the label column", count: labels.count, rows: reference.count)
        }
        let known = Set(reference.classes)
        var rows: [Int] = []
        for r in reference.completeRows {
            guard let label = labels[r] else { continue }
            guard known.contains(label) else { throw .unknownLabel(label) }
            rows.append(r)
        }
        guard !rows.isEmpty else { throw .noLabelledRows }
        let view = Rows(outputs: reference, rows: rows, labels: labels)

        var calibrations: [ScoreCalibration] = []
        for (column, className) in view.scoredClasses.enumerated() {
            calibrations.append(
                ScoreCalibration.fit(
                    scores: view.scores[column],
                    outcomes: view.labels.map { $0 == className },
                    method: calibration
                )
            )
        }

        let chunks = chunkSize.map { Self.chunks(rows: rows.count, size: $0, keepIncomplete: false) } ?? []
        var references: [MetricReference] = []
        for metric in EstimatedMetric.allCases {
            var thresholdLower: Double?
            var thresholdUpper: Double?
            let chunkValues = chunks.compactMap { realized(metric, view.slice($0)) }
            if chunks.count >= 2, !chunkValues.isEmpty {
                let mean = chunkValues.reduce(0, +) / Double(chunkValues.count)
                let sd = EstimationMath.standardDeviation(chunkValues)
                let lower = mean - 3 * sd
                let upper = mean + 3 * sd
                thresholdLower = lower <= 0 ? 0 : lower
                thresholdUpper = upper >= 1 ? 1 : upper
            }
            references.append(
                MetricReference(
                    metric: metric,
                    components: components(metric, view),
                    realized: realized(metric, view),
                    thresholdLower: thresholdLower,
                    thresholdUpper: thresholdUpper
                )
            )
        }
        return PerformanceEstimator(
            classes: reference.classes,
            calibrations: calibrations,
            references: references,
            referenceRows: rows.count,
            chunkSize: chunks.count >= 2 ? chunkSize : nil
        )
    }

    /// The estimate for `window` (whose classes must be this estimator's). `labels`, when
    /// given (aligned with the window's rows), adds the realized metrics over the labelled
    /// rows: the estimate held to account.
    /// A window whose classes differ from the estimator's is not estimated (every metric nil).
    public func estimate(_ window: ClassifierOutputs, labels: [String?]? = nil) -> PerformanceEstimate {
        guard window.classes == classes, calibrations.count == window.scores.count else {
            return PerformanceEstimate(
                rows: window.count,
                used: 0,
                labelled: 0,
                metrics: references.map {
                    .init(
                        metric: $0.metric,
                        estimated: nil,
                        samplingError: nil,
                        lower: nil,
                        upper: nil,
                        realized: nil,
                        thresholdLower: $0.thresholdLower,
                        thresholdUpper: $0.thresholdUpper,
                        alert: false
                    )
                }
            )
        }
        let rows = window.completeRows
        let view = Rows(outputs: window, rows: rows, labels: labels ?? [])
        let calibrated = calibrate(view)
        var labelled = Rows(outputs: window, rows: [], labels: [])
        if let labels, labels.count == window.count {
            labelled = Rows(outputs: window, rows: rows.filter { labels[$0] != nil }, labels: labels)
        }
        let n = rows.count
        var metrics: [PerformanceEstimate.Metric] = []
        for reference in references {
            let value = n > 0 ? estimated(reference.metric, view, calibrated: calibrated) : nil
            let error = n > 0 ? samplingError(reference, rows: n) : nil
            var lower: Double?
            var upper: Double?
            if let value, let error {
                lower = max(0, value - 3 * error)
                upper = min(1, value + 3 * error)
            }
            var alert = false
            if let value {
                if let low = reference.thresholdLower, value < low { alert = true }
                if let high = reference.thresholdUpper, value > high { alert = true }
            }
            metrics.append(
                .init(
                    metric: reference.metric,
                    estimated: value,
                    samplingError: error,
                    lower: lower,
                    upper: upper,
                    realized: labelled.count > 0 ? Self.realized(reference.metric, labelled) : nil,
                    thresholdLower: reference.thresholdLower,
                    thresholdUpper: reference.thresholdUpper,
                    alert: alert
                )
            )
        }
        return PerformanceEstimate(rows: window.count, used: n, labelled: labelled.count, metrics: metrics)
    }

    /// The calibrated probability columns of `window`'s complete rows (binary: the positive
    /// class's), as the estimate uses them.
    public func calibratedProbabilities(_ window: ClassifierOutputs) -> [[Double]] {
        guard window.classes == classes, calibrations.count == window.scores.count else { return [] }
        return calibrate(Rows(outputs: window, rows: window.completeRows, labels: []))
    }

    /// The row ranges of `size`-row chunks, in order; the incomplete last chunk kept or not.
    public static func chunks(rows: Int, size: Int, keepIncomplete: Bool) -> [Range<Int>] {
        guard size >= 1, rows > 0 else { return [] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start + size <= rows {
            ranges.append(start..<(start + size))
            start += size
        }
        if keepIncomplete && start < rows { ranges.append(start..<rows) }
        return ranges
    }

    // MARK: - Rows

    /// The selected rows of some outputs as plain arrays.
    struct Rows {
        var classes: [String]
        var predictions: [String]
        var scores: [[Double]]
        var labels: [String]
        var scoredClasses: [String]

        init(outputs: ClassifierOutputs, rows: [Int], labels: [String?]) {
            classes = outputs.classes
            scoredClasses = outputs.isBinary ? [outputs.classes[1]] : outputs.classes
            predictions = rows.map { outputs.predictions[$0] ?? "" }
            scores = outputs.scores.map { column in rows.map { column[$0] } }
            self.labels = labels.count == outputs.count ? rows.map { labels[$0] ?? "" } : []
        }

        var count: Int { predictions.count }
        var isBinary: Bool { classes.count == 2 }

        func slice(_ range: Range<Int>) -> Rows {
            var copy = self
            copy.predictions = Array(predictions[range])
            copy.scores = scores.map { Array($0[range]) }
            copy.labels = labels.isEmpty ? [] : Array(labels[range])
            return copy
        }
    }

    /// Calibrated probability columns (one per scored class).
    func calibrate(_ rows: Rows) -> [[Double]] {
        var columns = zip(calibrations, rows.scores).map { $0.calibrate($1) }
        guard !rows.isBinary else { return columns }
        let k = columns.count
        for r in 0..<rows.count {
            var sum = 0.0
            for c in 0..<k { sum += columns[c][r] }
            for c in 0..<k { columns[c][r] = sum != 0 ? columns[c][r] / sum : 1 / Double(k) }
        }
        return columns
    }

    // MARK: - Estimates

    func estimated(_ metric: EstimatedMetric, _ rows: Rows, calibrated: [[Double]]) -> Double? {
        if rows.isBinary {
            let positive = rows.classes[1]
            let predicted = rows.predictions.map { $0 == positive }
            switch metric {
            case .rocAUC: return EstimationMath.estimatedROCAUC(calibrated: calibrated[0], scores: rows.scores[0])
            case .accuracy:
                return EstimationMath.expectedConfusion(calibrated: calibrated[0], predictedPositive: predicted)
                    .accuracy
            case .precision, .recall, .f1:
                let matrix = EstimationMath.expectedConfusion(calibrated: calibrated[0], predictedPositive: predicted)
                return metric == .precision ? matrix.precision : metric == .recall ? matrix.recall : matrix.f1
            }
        }
        let k = rows.classes.count
        switch metric {
        case .rocAUC:
            var values: [Double] = []
            for c in 0..<k {
                // NannyML's mean turns one undefined class into NaN: so does nil here.
                guard let v = EstimationMath.estimatedROCAUC(calibrated: calibrated[c], scores: rows.scores[c])
                else { return nil }
                values.append(v)
            }
            return values.reduce(0, +) / Double(k)
        case .accuracy:
            guard rows.count > 0 else { return nil }
            var sum = 0.0
            for r in 0..<rows.count {
                if let c = rows.classes.firstIndex(of: rows.predictions[r]) { sum += calibrated[c][r] }
            }
            return sum / Double(rows.count)
        case .precision, .recall, .f1:
            var total = 0.0
            for (c, className) in rows.classes.enumerated() {
                let matrix = EstimationMath.expectedConfusion(
                    calibrated: calibrated[c],
                    predictedPositive: rows.predictions.map { $0 == className }
                )
                total += metric == .precision ? matrix.precision : metric == .recall ? matrix.recall : matrix.f1
            }
            return total / Double(k)
        }
    }

    /// The sampling error of a window of `rows` rows.
    func samplingError(_ reference: MetricReference, rows n: Int) -> Double? {
        let size = Double(n)
        if isBinary || reference.metric == .accuracy {
            guard let component = reference.components.first ?? nil else { return nil }
            let value = component.variance.squareRoot() / (size * component.fraction).squareRoot()
            return value.isFinite ? value : nil
        }
        var sum = 0.0
        for component in reference.components {
            guard let component else { return nil }
            sum += component.variance / (size * component.fraction)
        }
        var value = sum.squareRoot() / Double(reference.components.count)
        if reference.metric == .rocAUC { value *= 1.2 }
        return value.isFinite ? value : nil
    }

    // MARK: - Reference components

    static func components(_ metric: EstimatedMetric, _ rows: Rows) -> [SamplingComponent?] {
        if metric == .accuracy {
            let correct = zip(rows.predictions, rows.labels).filter { $0 == $1 }.count
            let variance = EstimationMath.bernoulliVariance(ones: correct, zeros: rows.count - correct)
            return [SamplingComponent(variance: variance, fraction: 1)]
        }
        var result: [SamplingComponent?] = []
        for (c, className) in rows.scoredClasses.enumerated() {
            let outcomes = rows.labels.map { $0 == className }
            let predicted = rows.predictions.map { $0 == className }
            let n = Double(rows.count)
            if metric == .rocAUC {
                result.append(
                    EstimationMath.aurocComponents(scores: rows.scores[c], outcomes: outcomes).map {
                        SamplingComponent(variance: $0.variance, fraction: $0.fraction)
                    }
                )
                continue
            }
            var tp = 0
            var fp = 0
            var fn = 0
            var positives = 0
            for (label, prediction) in zip(outcomes, predicted) {
                if label && prediction { tp += 1 } else if prediction { fp += 1 } else if label { fn += 1 }
                if label { positives += 1 }
            }
            var component: SamplingComponent?
            switch metric {
            case .precision:
                let variance = EstimationMath.bernoulliVariance(ones: tp, zeros: fp)
                if !variance.isNaN { component = .init(variance: variance, fraction: Double(tp + fp) / n) }
            case .recall:
                let variance = EstimationMath.bernoulliVariance(ones: tp, zeros: fn)
                if !variance.isNaN { component = .init(variance: variance, fraction: Double(positives) / n) }
            case .f1:
                let relevant = tp + fp + fn
                var variance = EstimationMath.bernoulliVariance(ones: tp, zeros: fp + fn)
                if rows.isBinary, relevant > 0 {
                    // Binary F1 scales each contribution by n / ((FN + FP)/2 + TP) first.
                    let factor = Double(relevant) / (Double(fn + fp) * 0.5 + Double(tp))
                    variance *= factor * factor
                }
                if !variance.isNaN { component = .init(variance: variance, fraction: Double(relevant) / n) }
            case .rocAUC, .accuracy:
                break
            }
            result.append(component)
        }
        return result
    }

    // MARK: - Realized

    /// The metric over labelled rows, as NannyML's `_realized_performance`: ROC AUC of the
    /// uncalibrated scores (nil with one class; multiclass needs every class among the
    /// labels); precision, recall and F1 nil when the labels or the predictions hold a single
    /// value; a zero denominator counts 0 (scikit-learn's `zero_division`).
    static func realized(_ metric: EstimatedMetric, _ rows: Rows) -> Double? {
        let n = rows.count
        guard n > 0, rows.labels.count == n else { return nil }
        if metric == .accuracy {
            if !rows.isBinary, Set(rows.labels).count <= 1 || Set(rows.predictions).count <= 1 { return nil }
            return Double(zip(rows.predictions, rows.labels).filter { $0 == $1 }.count) / Double(n)
        }
        if metric == .rocAUC {
            if rows.isBinary {
                return EstimationMath.rocAUC(
                    scores: rows.scores[0],
                    outcomes: rows.labels.map { $0 == rows.classes[1] }
                )
            }
            guard Set(rows.labels) == Set(rows.classes) else { return nil }
            var total = 0.0
            for (c, className) in rows.classes.enumerated() {
                guard
                    let auc = EstimationMath.rocAUC(
                        scores: rows.scores[c],
                        outcomes: rows.labels.map { $0 == className }
                    )
                else { return nil }
                total += auc
            }
            return total / Double(rows.classes.count)
        }
        guard Set(rows.labels).count > 1, Set(rows.predictions).count > 1 else { return nil }
        var total = 0.0
        for className in rows.scoredClasses {
            var tp = 0
            var fp = 0
            var fn = 0
            for (label, prediction) in zip(rows.labels, rows.predictions) {
                let l = label == className
                let p = prediction == className
                if l && p { tp += 1 } else if p { fp += 1 } else if l { fn += 1 }
            }
            switch metric {
            case .precision: total += tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
            case .recall: total += tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
            default: total += 2 * tp + fp + fn > 0 ? 2 * Double(tp) / Double(2 * tp + fp + fn) : 0
            }
        }
        return total / Double(rows.scoredClasses.count)
    }
}
