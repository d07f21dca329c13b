/// The label-free signals of a check (docs/monitoring.md, "Before the labels"): output drift,
/// the estimated performance and multivariate drift, from the version's ``ReferenceSignals``.
extension MonitoringAnalysis {
    /// The window's outputs in the reference's classes, or nil with why not.
    static func windowOutputs(_ signals: ReferenceSignals, _ window: MonitoringWindow) -> (ClassifierOutputs?, String?)
    {
        guard let classes = signals.classes else { return (nil, signals.outputsNote) }
        let predictions = window.predictions.map { $0.isEmpty ? nil : $0 }
        guard classes.count == 2 else {
            guard window.classProbabilities.count == classes.count,
                window.classProbabilities.allSatisfy({ $0.count == window.count })
            else {
                return (
                    nil, "the window's per-class probabilities were not read: no estimate for this multiclass model"
                )
            }
            do {
                return (
                    try ClassifierOutputs(
                        classes: classes,
                        predictions: predictions,
                        scores: window.classProbabilities
                    ),
                    nil
                )
            } catch {
                return (nil, "the window's outputs cannot be read: \(error)")
            }
        }
        var scores = [Double](repeating: .nan, count: window.count)
        for r in 0..<min(window.count, window.scores.count) { scores[r] = window.scores[r] ?? .nan }
        do {
            return (try ClassifierOutputs(classes: classes, predictions: predictions, scores: [scores]), nil)
        } catch {
            return (nil, "the window's outputs cannot be read: \(error)")
        }
    }

    /// The output columns' tests (before the correction), as report columns and raw tests.
    static func outputTests(
        _ signals: ReferenceSignals,
        window: MonitoringWindow,
        outputs: ClassifierOutputs?
    ) -> [(MonitoringReport.ColumnDrift, ColumnTest)] {
        guard let reference = signals.outputs else { return [] }
        var tests: [OutputDrift.ColumnTest]
        if let outputs {
            tests = OutputDrift.tests(reference: reference, window: outputs)
        } else {
            // Without usable scores (multiclass), the predicted class alone.
            let prediction = categoricalTest(
                reference.predictionCounts,
                window.predictions.map { $0.isEmpty ? nil : $0 }
            )
            tests = [OutputDrift.ColumnTest(name: OutputDrift.predictionName, prediction)]
        }
        return tests.map { t in
            var raw = ColumnTest()
            raw.test = t.test
            raw.statistic = t.statistic
            raw.pValue = t.pValue
            raw.psi = t.psi
            raw.jensenShannon = t.jensenShannon
            raw.missing = t.missing
            raw.note = t.note
            return (
                MonitoringReport.ColumnDrift(
                    name: t.name,
                    kind: .output,
                    test: nil,
                    statistic: nil,
                    pValue: nil,
                    pAdjusted: nil,
                    psi: nil,
                    jensenShannon: nil,
                    missing: t.missing,
                    drift: false,
                    explanation: ""
                ),
                raw
            )
        }
    }

    /// The estimated performance of the window. It is always computed when the version can
    /// estimate (with the realized metric over the labelled rows beside it); it stands in for
    /// the metric only when `decay` could not be judged for want of labels.
    static func estimateOf(
        spec: ModelSpec,
        signals: ReferenceSignals,
        outputs: ClassifierOutputs?,
        outputsNote: String?,
        window: MonitoringWindow,
        decay: MonitoringReport.Decay,
        baseline: Double?,
        thresholds: Thresholds
    ) -> MonitoringReport.Estimate {
        let metricName = spec.metric
        guard let metric = EstimatedMetric(rawValue: metricName) else {
            return .unavailable(metric: metricName, "\(metricName) is not a metric the outputs can estimate")
        }
        guard let estimator = signals.estimator else {
            return .unavailable(
                metric: metricName,
                signals.outputsNote ?? "the version has no reference outputs with labels: no estimate"
            )
        }
        guard let outputs else {
            return .unavailable(metric: metricName, outputsNote ?? "the window has no outputs to estimate from")
        }
        guard window.count >= thresholds.minSamples else {
            return .unavailable(
                metric: metricName,
                "window of \(window.count) < min_samples \(thresholds.minSamples): not estimated"
            )
        }
        let all = estimator.estimate(outputs, labels: window.labels)
        guard let entry = all[metric], let value = entry.estimated else {
            var none = MonitoringReport.Estimate.unavailable(
                metric: metricName,
                all.used == 0
                    ? "no prediction of the window has a score: nothing to estimate from"
                    : "\(metricName) cannot be estimated on this window"
            )
            none.metrics = all
            return none
        }
        let useEstimate = decay.status == .insufficientLabels
        var estimate = MonitoringReport.Estimate(
            status: useEstimate ? .estimated : .labelled,
            metric: metricName,
            estimated: value,
            samplingError: entry.samplingError,
            lower: entry.lower,
            upper: entry.upper,
            realized: entry.realized,
            baseline: baseline,
            relativeDrop: nil,
            decayed: false,
            explanation: "",
            metrics: all
        )
        let band =
            "\(metricName) estimated \(fmt(value)) (band \(fmt(entry.lower ?? value))–\(fmt(entry.upper ?? value)))"
        guard let baseline,
            let judged = EstimatedDecay.judge(entry, baseline: baseline, threshold: thresholds.decayThreshold)
        else {
            estimate.explanation = band + ", no baseline to compare with"
            return estimate
        }
        estimate.relativeDrop = judged.relativeDrop
        if useEstimate {
            estimate.decayed = judged.decayed
            let verdict: String
            if judged.decayed {
                verdict = ": decayed (estimated)"
            } else if judged.relativeDrop > thresholds.decayThreshold {
                verdict = ", but the band reaches the baseline: not decayed"
            } else {
                verdict = ": no decay"
            }
            estimate.explanation =
                band + " from \(all.used) predictions, \(fmt(judged.relativeDrop * 100))% "
                + "below the baseline \(fmt(baseline)) (threshold \(fmt(thresholds.decayThreshold * 100))%)" + verdict
        } else {
            estimate.explanation =
                band + "; decay is judged on the \(decay.labelled) labels"
                + (entry.realized.map { ", realized \(fmt($0)) (error \(fmt(abs(value - $0))))" } ?? "")
        }
        return estimate
    }

    /// The window's multivariate drift.
    static func multivariateOf(
        spec: ModelSpec,
        signals: ReferenceSignals,
        window: MonitoringWindow,
        enough: Bool,
        thresholds: Thresholds
    ) -> MonitoringReport.Multivariate {
        guard let model = signals.reconstruction else {
            return .init(
                judged: false,
                columns: [],
                components: 0,
                result: nil,
                drift: false,
                explanation: signals.multivariateNote ?? "no multivariate drift model"
            )
        }
        guard enough else {
            return .init(
                judged: false,
                columns: model.columns,
                components: model.components.count,
                result: nil,
                drift: false,
                explanation: "window of \(window.count) < min_samples \(thresholds.minSamples): not judged"
            )
        }
        let numericalNames = spec.features.filter { $0.type == .numerical }.map(\.name)
        let columns = model.columns.map { name in
            numericalNames.firstIndex(of: name).flatMap { $0 < window.numeric.count ? window.numeric[$0] : nil }
                ?? [Double](repeating: .nan, count: window.count)
        }
        let result = model.evaluate(columns)
        let error = result.error.map(fmt) ?? "?"
        let band = "(\(result.thresholdLower.map(fmt) ?? "−∞")–\(result.thresholdUpper.map(fmt) ?? "∞"))"
        return .init(
            judged: true,
            columns: model.columns,
            components: model.components.count,
            result: result,
            drift: result.drift,
            explanation: "reconstruction error \(error) from \(model.components.count) of \(model.columns.count) "
                + "components, reference band \(band)" + (result.drift ? ": multivariate drift" : ": no drift")
        )
    }
}
