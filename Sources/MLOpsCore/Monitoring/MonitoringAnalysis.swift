import Dispatch
import Foundation

/// One monitoring check, computed without I/O (docs/design.md §8): the latest window of
/// predictions against the production version's reference profile.
///
/// - Numerical features: two-sample KS (D and p-value) and PSI. A feature drifts when
///   D > `dataDriftThreshold` **and** its Benjamini–Hochberg adjusted p-value < `alpha`.
/// - Categorical features and segment fields: chi-square test of homogeneity, PSI and
///   Jensen–Shannon distance. They drift when the adjusted p-value < `alpha` **and** the JS
///   distance > `dataDriftThreshold` (the same effect-size gate as D).
/// - The BH correction runs over every tested column of the check.
/// - A window smaller than `minSamples` is `insufficient_data`: nothing drifts.
/// - Equipment: any value the reference never had is reported (an alert opens at once);
///   per equipment value, the features that drift within it and the metric.
/// - Population: per value the metric when labels exist.
/// - Decay: the model's metric over the labelled rows of the window against the version's
///   baseline; decayed when the relative drop > `decayThreshold` with at least
///   `minSamples` labels.
/// - Before the labels (``ReferenceProfile/signals``): the model's outputs join the column
///   tests (kind `output`); the estimated metric stands in for decay when labels are too
///   few; the numerical features' joint drift (PCA reconstruction). See
///   `MonitoringAnalysis+Signals.swift`.
public enum MonitoringAnalysis {
    /// The knobs of one check.
    public struct Thresholds: Sendable, Equatable {
        public var dataDriftThreshold: Double
        public var decayThreshold: Double
        public var alpha: Double
        public var minSamples: Int

        public init(dataDriftThreshold: Double, decayThreshold: Double, alpha: Double, minSamples: Int) {
            self.dataDriftThreshold = dataDriftThreshold
            self.decayThreshold = decayThreshold
            self.alpha = alpha
            self.minSamples = minSamples
        }
    }

    /// Runs the check. `baseline` is the version's metric from its metrics.json.
    public static func analyse(
        spec: ModelSpec,
        reference: ReferenceProfile,
        window: MonitoringWindow,
        baseline: Double?,
        thresholds: Thresholds
    ) -> MonitoringReport {
        let numericalNames = spec.features.filter { $0.type == .numerical }.map(\.name)
        let categoricalNames = spec.features.filter { $0.type == .categorical }.map(\.name)
        let enough = window.count >= thresholds.minSamples

        // Raw tests, one per column (numerical ones in parallel: sorting dominates).
        var numericResults = [ColumnTest](repeating: ColumnTest(), count: numericalNames.count)
        numericResults.withParallelBuffer { out in
            // Iteration i writes only element i.
            DispatchQueue.concurrentPerform(iterations: numericalNames.count) { i in
                let name = numericalNames[i]
                out[i] = numericTest(
                    reference.numeric[name] ?? [],
                    prepared: reference.prepared[name],
                    window.numeric[i]
                )
            }
        }
        var columns: [MonitoringReport.ColumnDrift] = []
        var tests: [ColumnTest] = []
        for (i, name) in numericalNames.enumerated() {
            columns.append(
                .init(
                    name: name,
                    kind: .numerical,
                    test: nil,
                    statistic: nil,
                    pValue: nil,
                    pAdjusted: nil,
                    psi: nil,
                    jensenShannon: nil,
                    missing: numericResults[i].missing,
                    drift: false,
                    explanation: ""
                )
            )
            tests.append(numericResults[i])
        }
        for (i, name) in categoricalNames.enumerated() {
            columns.append(
                .init(
                    name: name,
                    kind: .categorical,
                    test: nil,
                    statistic: nil,
                    pValue: nil,
                    pAdjusted: nil,
                    psi: nil,
                    jensenShannon: nil,
                    missing: 0,
                    drift: false,
                    explanation: ""
                )
            )
            tests.append(categoricalTest(reference.categorical[name] ?? [:], window.categorical[i]))
        }
        for (i, name) in spec.segmentFields.enumerated() {
            let kind: ColumnKind = spec.segments.equipment.contains(name) ? .equipment : .population
            columns.append(
                .init(
                    name: name,
                    kind: kind,
                    test: nil,
                    statistic: nil,
                    pValue: nil,
                    pAdjusted: nil,
                    psi: nil,
                    jensenShannon: nil,
                    missing: 0,
                    drift: false,
                    explanation: ""
                )
            )
            tests.append(categoricalTest(reference.segments[name] ?? [:], window.segments[i]))
        }
        // The model's outputs, when the version has reference outputs: same correction, same rule.
        let signals = reference.signals
        let (outputs, outputsNote) = windowOutputs(signals, window)
        for (column, test) in outputTests(signals, window: window, outputs: outputs) {
            columns.append(column)
            tests.append(test)
        }

        // Benjamini–Hochberg over the tested columns.
        let testedIndices = tests.indices.filter { tests[$0].pValue != nil }
        let adjusted = BenjaminiHochberg.adjust(testedIndices.compactMap { tests[$0].pValue }) ?? []
        var pAdjusted = [Double?](repeating: nil, count: tests.count)
        for (k, index) in testedIndices.enumerated() where k < adjusted.count { pAdjusted[index] = adjusted[k] }

        var drifted: [String] = []
        for i in columns.indices {
            let t = tests[i]
            columns[i].test = t.test
            columns[i].statistic = t.statistic
            columns[i].pValue = t.pValue
            columns[i].pAdjusted = pAdjusted[i]
            columns[i].psi = t.psi
            columns[i].jensenShannon = t.jensenShannon
            columns[i].missing = t.missing
            let effect = t.test == .ks ? t.statistic : t.jensenShannon
            let effectName = t.test == .ks ? "D" : "JS distance"
            guard enough else {
                columns[i].explanation = "window of \(window.count) < min_samples \(thresholds.minSamples): not judged"
                continue
            }
            guard let effect, let p = pAdjusted[i] else {
                columns[i].explanation = t.note ?? "not testable"
                continue
            }
            let big = effect > thresholds.dataDriftThreshold
            let significant = p < thresholds.alpha
            columns[i].drift = big && significant
            if columns[i].drift { drifted.append(columns[i].name) }
            columns[i].explanation =
                "\(effectName) \(fmt(effect)) \(big ? ">" : "≤") \(fmt(thresholds.dataDriftThreshold)), "
                + "adjusted p \(fmt(p)) \(significant ? "<" : "≥") alpha \(fmt(thresholds.alpha))"
                + (columns[i].drift ? ": drift" : ": no drift")
        }
        let monitored = columns.count
        let driftShare = monitored > 0 ? Double(drifted.count) / Double(monitored) : 0

        // Decay over the labelled rows.
        var labelledPredictions: [String] = []
        var labelledLabels: [String] = []
        var labelledScores: [Double?] = []
        for r in 0..<window.count {
            guard let label = window.labels[r] else { continue }
            labelledPredictions.append(window.predictions[r])
            labelledLabels.append(label)
            labelledScores.append(r < window.scores.count ? window.scores[r] : nil)
        }
        let positive = spec.classes?.last
        let decay = decayOf(
            spec: spec,
            predictions: labelledPredictions,
            labels: labelledLabels,
            scores: labelledScores,
            positive: positive,
            baseline: baseline,
            thresholds: thresholds
        )

        // Equipment and population.
        let equipment = segmentChange(
            spec: spec,
            group: spec.segments.equipment,
            reference: reference,
            window: window,
            columns: columns,
            thresholds: thresholds,
            positive: positive,
            enough: enough
        )
        let population = segmentChange(
            spec: spec,
            group: spec.segments.population,
            reference: reference,
            window: window,
            columns: columns,
            thresholds: thresholds,
            positive: positive,
            enough: enough
        )

        let estimate = estimateOf(
            spec: spec,
            signals: signals,
            outputs: outputs,
            outputsNote: outputsNote,
            window: window,
            decay: decay,
            baseline: baseline,
            thresholds: thresholds
        )
        let multivariate = multivariateOf(
            spec: spec,
            signals: signals,
            window: window,
            enough: enough,
            thresholds: thresholds
        )
        let health = HealthScore(
            drifted: enough ? drifted.count : 0,
            monitored: monitored,
            relativeDrop: decay.status.isJudged ? decay.relativeDrop : nil,
            decayThreshold: thresholds.decayThreshold,
            estimatedDrop: estimate.status == .estimated ? estimate.relativeDrop : nil,
            multivariateDrift: multivariate.judged ? multivariate.drift : nil
        )
        return MonitoringReport(
            status: enough ? .ok : .insufficientData,
            window: window.count,
            labelled: labelledLabels.count,
            referenceRows: reference.rows,
            columns: columns,
            driftShare: enough ? driftShare : 0,
            drifted: drifted,
            equipment: equipment,
            population: population,
            decay: decay,
            health: health,
            estimate: estimate,
            multivariate: multivariate
        )
    }

    // MARK: - Column tests

    struct ColumnTest {
        var test: DriftTest?
        var statistic: Double?
        var pValue: Double?
        var psi: Double?
        var jensenShannon: Double?
        var missing = 0
        var note: String?
    }

    /// The numerical test against a prepared reference column (no sort of the reference's
    /// checks, see `ReferenceColumn`); the plain path below when there is none. Both give
    /// the same result, bit for bit.
    static func numericTest(_ reference: [Double], prepared: ReferenceColumn?, _ values: [Double]) -> ColumnTest {
        guard let prepared else { return numericTest(reference, values) }
        let comparison = prepared.compare(values)
        var result = ColumnTest()
        result.missing = comparison.dropped
        guard let ks = comparison.ks else {
            result.note = "every value in the window is missing"
            return result
        }
        result.test = .ks
        result.statistic = ks.statistic
        result.pValue = ks.pValue
        result.psi = comparison.psi
        return result
    }

    /// The numerical test on the plain sorted reference.
    static func numericTest(_ reference: [Double], _ values: [Double]) -> ColumnTest {
        let sample = FiniteSample(values)
        var result = ColumnTest()
        result.missing = sample.dropped
        guard !reference.isEmpty else {
            result.note = "the reference has no values for this column"
            return result
        }
        guard !sample.isEmpty else {
            result.note = "every value in the window is missing"
            return result
        }
        if let ks = KolmogorovSmirnov.twoSample(sortedA: reference, sortedB: sample.sorted) {
            result.test = .ks
            result.statistic = ks.statistic
            result.pValue = ks.pValue
        }
        result.psi = PopulationStabilityIndex.compute(reference: reference, current: sample.sorted)
        return result
    }

    static func counts(_ values: [String?]) -> (counts: [String: Int], missing: Int) {
        var counts: [String: Int] = [:]
        var missing = 0
        for value in values {
            if let value { counts[value, default: 0] += 1 } else { missing += 1 }
        }
        return (counts, missing)
    }

    static func categoricalTest(_ reference: [String: Int], _ values: [String?]) -> ColumnTest {
        let (current, missing) = counts(values)
        return categoricalTest(reference, counts: current, missing: missing)
    }

    /// The categorical test on the current side's counts (`mlopsctl drift` counts while
    /// reading).
    static func categoricalTest(_ reference: [String: Int], counts current: [String: Int], missing: Int) -> ColumnTest {
        var result = ColumnTest()
        result.missing = missing
        guard !reference.isEmpty, !current.isEmpty else {
            result.note =
                reference.isEmpty
                ? "the reference has no values for this column" : "every value in the window is missing"
            return result
        }
        if let chi = ChiSquare.homogeneity(reference: reference, current: current) {
            result.test = .chiSquare
            result.statistic = chi.statistic
            result.pValue = chi.pValue
        } else {
            result.note = "a single category on both sides: nothing to test"
            result.test = .chiSquare
            result.statistic = 0
            result.pValue = 1
        }
        result.psi = PopulationStabilityIndex.compute(referenceCounts: reference, currentCounts: current)
        result.jensenShannon = JensenShannon.distance(reference: reference, current: current)
        return result
    }

    // MARK: - Decay

    static func decayOf(
        spec: ModelSpec,
        predictions: [String],
        labels: [String],
        scores: [Double?],
        positive: String?,
        baseline: Double?,
        thresholds: Thresholds
    ) -> MonitoringReport.Decay {
        var decay = MonitoringReport.Decay(
            status: .ok,
            metric: spec.metric,
            baseline: baseline,
            current: nil,
            relativeDrop: nil,
            interval: nil,
            labelled: labels.count,
            decayed: false
        )
        guard !labels.isEmpty else {
            decay.status = .insufficientLabels
            return decay
        }
        if let value = ModelMetric.value(
            spec.metric,
            predictions: predictions,
            labels: labels,
            scores: scores,
            positive: positive
        ) {
            decay.current = value.value
            decay.interval = value.interval
        }
        guard labels.count >= thresholds.minSamples else {
            decay.status = .insufficientLabels
            return decay
        }
        guard let baseline else {
            decay.status = .noBaseline
            return decay
        }
        guard let current = decay.current,
            let drop = ModelMetric.relativeDrop(metric: spec.metric, baseline: baseline, current: current)
        else {
            decay.status = .notComputable
            return decay
        }
        decay.relativeDrop = drop
        decay.decayed = drop > thresholds.decayThreshold
        decay.status = decay.decayed ? .decayed : .ok
        return decay
    }

    // MARK: - Segments

    static func segmentChange(
        spec: ModelSpec,
        group: [String],
        reference: ReferenceProfile,
        window: MonitoringWindow,
        columns: [MonitoringReport.ColumnDrift],
        thresholds: Thresholds,
        positive: String?,
        enough: Bool
    ) -> MonitoringReport.SegmentChange {
        var change = MonitoringReport.SegmentChange(newValues: [], shifted: [], perValue: [])
        let numericalNames = spec.features.filter { $0.type == .numerical }.map(\.name)
        for name in group {
            guard let s = spec.segmentFields.firstIndex(of: name) else { continue }
            let known = reference.segments[name] ?? [:]
            let (current, _) = counts(window.segments[s])
            for (value, count) in current.sorted(by: { $0.key < $1.key }) where known[value] == nil {
                change.newValues.append(.init(column: name, value: value, count: count))
            }
            if columns.first(where: { $0.name == name })?.drift == true { change.shifted.append(name) }
            // Per value: the rows with it, their drifting features and their metric.
            for (value, count) in current.sorted(by: { $0.key < $1.key }) {
                let rows = window.segments[s].indices.filter { window.segments[s][$0] == value }
                var driftedFeatures: [String] = []
                if enough && count >= thresholds.minSamples {
                    // The features' tests within this value, in parallel like the main pass.
                    var results = [KSResult?](repeating: nil, count: numericalNames.count)
                    results.withParallelBuffer { out in
                        // Iteration f writes only element f.
                        DispatchQueue.concurrentPerform(iterations: numericalNames.count) { f in
                            let values = rows.map { window.numeric[f][$0] }
                            if let prepared = reference.prepared[numericalNames[f]] {
                                out[f] = prepared.ksTest(values)
                                return
                            }
                            let ref = reference.numeric[numericalNames[f]] ?? []
                            let sample = FiniteSample(values)
                            guard !ref.isEmpty, !sample.isEmpty else { return }
                            out[f] = KolmogorovSmirnov.twoSample(sortedA: ref, sortedB: sample.sorted)
                        }
                    }
                    let tested = results.indices.filter { results[$0] != nil }
                    let adjusted = BenjaminiHochberg.adjust(tested.compactMap { results[$0]?.pValue }) ?? []
                    for (k, f) in tested.enumerated() where k < adjusted.count {
                        if let d = results[f]?.statistic, d > thresholds.dataDriftThreshold,
                            adjusted[k] < thresholds.alpha
                        {
                            driftedFeatures.append(numericalNames[f])
                        }
                    }
                }
                var predictions: [String] = []
                var labels: [String] = []
                var scores: [Double?] = []
                for r in rows {
                    guard let label = window.labels[r] else { continue }
                    predictions.append(window.predictions[r])
                    labels.append(label)
                    scores.append(r < window.scores.count ? window.scores[r] : nil)
                }
                let metric = ModelMetric.value(
                    spec.metric,
                    predictions: predictions,
                    labels: labels,
                    scores: scores,
                    positive: positive
                )
                change.perValue.append(
                    .init(
                        column: name,
                        value: value,
                        count: count,
                        driftedFeatures: driftedFeatures,
                        labelled: labels.count,
                        metric: metric?.value,
                        interval: metric?.interval
                    )
                )
            }
        }
        return change
    }

    static func fmt(_ x: Double) -> String {
        if x != 0 && abs(x) < 1e-4 { return String(format: "%.2e", x) }
        return PromotionGates.format(x)
    }
}
