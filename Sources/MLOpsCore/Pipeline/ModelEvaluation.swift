/// The built-in `test_model` pipeline stage (docs/design.md §7) for a model trained by the
/// embedded trainer: scores held-out rows with the `model.json` the `train` stage wrote
/// (``TrainedModel/decode(_:)``), measures it, and checks the pipeline's gates
/// (``TestRules``).
///
/// It measures what decides whether a model may go on to production, with the definitions
/// the trainer's `metrics.json` and monitoring use (``ClassificationMetrics``,
/// ``ModelMetric``), so the numbers agree across the three:
/// - the model's metric (its spec's `metric`: accuracy, precision, recall, f1 or roc_auc,
///   about the positive class, the last one) with a 95% Wilson interval for proportions;
/// - accuracy with its Wilson interval, log loss, ROC AUC, per-class precision, recall,
///   F1 and support;
/// - the metric per value of every equipment and population column, where a model that is
///   good on average can be poor for one scanner or one age band;
/// - the latency of predicting one row at a time (as a model server does), from a
///   monotonic clock: mean, p50, p99, max and rows per second.
///
/// Pure apart from reading the clock it is given.
public enum ModelEvaluation {
    /// Evaluates `model` on the held-out `data` for `spec`, timing predictions with
    /// `ContinuousClock` (monotonic), and checks `rules`.
    public static func evaluate(
        model: TrainedModel,
        data: CSVTable,
        spec: ModelSpec,
        rules: TestRules = TestRules()
    ) throws(EvaluationError) -> EvaluationReport {
        try evaluate(model: model, data: data, spec: spec, rules: rules, clock: ContinuousClock())
    }

    /// Evaluates `model` on the held-out `data` for `spec`, timing each row's prediction
    /// with `clock` (which must be monotonic), and checks `rules`.
    ///
    /// `data` must hold the model's features (read by name, as ``TrainedModel/predict(_:)``
    /// does), the spec's target and its segment columns; other columns are ignored. The
    /// first cell that cannot be evaluated (a numerical feature that is not a finite number,
    /// a missing label, a label that is not one of the model's classes) stops the evaluation
    /// with its line and column: `validate_data` is where a data set's problems are listed.
    public static func evaluate<C: Clock>(
        model: TrainedModel,
        data: CSVTable,
        spec: ModelSpec,
        rules: TestRules,
        clock: C
    ) throws(EvaluationError) -> EvaluationReport where C.Duration == Duration {
        guard model.task.isClassification else { throw .notClassification(model.task) }
        guard ModelSpec.classificationMetrics.contains(spec.metric) else { throw .unsupportedMetric(spec.metric) }
        let needed = model.features.map(\.name) + [spec.target] + spec.segmentFields
        var missing: [String] = []
        for name in needed where data.column(name) == nil && !missing.contains(name) { missing.append(name) }
        if !missing.isEmpty { throw .missingColumns(missing, header: data.header) }
        guard !data.rows.isEmpty else { throw .noRows }

        let rows = try parse(data, model: model, target: spec.target)
        let n = rows.values.count

        // Predict one row at a time, timing each.
        var predictions: [TrainedModel.Prediction] = []
        predictions.reserveCapacity(n)
        var micros: [Double] = []
        micros.reserveCapacity(n)
        for values in rows.values {
            let start = clock.now
            let prediction = model.predict(values)
            let elapsed = start.duration(to: clock.now)
            predictions.append(prediction)
            micros.append(microseconds(elapsed))
        }

        let classes = model.classes
        let positive = classes.last
        let metrics = ClassificationMetrics.compute(
            classes: classes,
            labels: rows.labels,
            predicted: predictions.map(\.classIndex),
            probabilities: predictions.map(\.probabilities)
        )
        let predicted = predictions.map(\.label)
        let actual = rows.labels.map { classes[$0] }
        let scores: [Double?] = predictions.map { $0.probabilities.last }

        func metricValue(_ name: String, _ subset: [Int]?) -> EvaluationReport.MetricValue {
            let p = subset.map { $0.map { predicted[$0] } } ?? predicted
            let l = subset.map { $0.map { actual[$0] } } ?? actual
            let s = subset.map { $0.map { scores[$0] } } ?? scores
            let result = ModelMetric.value(name, predictions: p, labels: l, scores: s, positive: positive)
            return .init(name: name, value: result?.value, interval: result?.interval)
        }

        var segments: [EvaluationReport.SegmentFigures] = []
        for (kind, columns) in [("equipment", spec.segments.equipment), ("population", spec.segments.population)] {
            for column in columns {
                guard let c = data.column(column) else { continue }
                var groups: [String: [Int]] = [:]
                for (r, row) in data.rows.enumerated() { groups[c < row.count ? row[c] : "", default: []].append(r) }
                for value in groups.keys.sorted() {
                    let members = groups[value] ?? []
                    let figure = metricValue(spec.metric, members)
                    segments.append(
                        .init(
                            column: column,
                            kind: kind,
                            value: value,
                            rows: members.count,
                            metric: figure.value,
                            interval: figure.interval,
                            gated: members.count >= rules.minSegmentRows
                        )
                    )
                }
            }
        }

        var report = EvaluationReport(
            passed: true,
            violations: [],
            rows: n,
            classes: classes,
            positiveClass: positive ?? "",
            metric: metricValue(spec.metric, nil),
            accuracy: metricValue("accuracy", nil),
            logLoss: metrics.logLoss,
            rocAUC: metrics.rocAUC,
            perClass: zip(classes, metrics.perClass).map { label, scores in
                .init(
                    label: label,
                    precision: scores.precision,
                    recall: scores.recall,
                    f1: scores.f1,
                    support: scores.support
                )
            },
            segments: segments,
            latency: latency(micros)
        )
        report.violations = report.violations(against: rules)
        report.passed = report.violations.isEmpty
        return report
    }

    /// The rows' feature values (in the model's feature order) and class indices.
    private static func parse(
        _ data: CSVTable,
        model: TrainedModel,
        target: String
    ) throws(EvaluationError) -> (values: [[FeatureValue]], labels: [Int]) {
        let columns = model.features.compactMap { data.column($0.name) }
        let t = data.column(target) ?? 0
        let index = Dictionary(model.classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var values: [[FeatureValue]] = []
        var labels: [Int] = []
        values.reserveCapacity(data.rows.count)
        labels.reserveCapacity(data.rows.count)
        for (r, row) in data.rows.enumerated() {
            let line = r < data.rowLines.count ? data.rowLines[r] : r + 2
            var parsed: [FeatureValue] = []
            parsed.reserveCapacity(columns.count)
            for (f, feature) in model.features.enumerated() {
                let c = columns[f]
                let cell = c < row.count ? row[c] : ""
                switch feature {
                case .numerical(let name, _, _):
                    guard let x = Double(cell), x.isFinite else {
                        throw .notANumber(line: line, column: c + 1, feature: name, value: cell)
                    }
                    parsed.append(.number(x))
                case .categorical:
                    parsed.append(.category(cell))
                }
            }
            let label = t < row.count ? row[t] : ""
            if DataRules.isMissing(label) { throw .missingLabel(line: line, column: t + 1, target: target) }
            guard let k = index[label] else {
                throw .unknownClass(line: line, column: t + 1, target: target, value: label, classes: model.classes)
            }
            values.append(parsed)
            labels.append(k)
        }
        return (values, labels)
    }

    /// A duration in microseconds.
    static func microseconds(_ d: Duration) -> Double {
        let (seconds, attoseconds) = d.components
        return Double(seconds) * 1e6 + Double(attoseconds) * 1e-12
    }

    /// Mean, nearest-rank p50 and p99, max and throughput of per-row times.
    static func latency(_ micros: [Double]) -> EvaluationReport.Latency {
        let sorted = micros.sorted()
        let n = sorted.count
        func rank(_ q: Double) -> Double {
            guard n > 0 else { return 0 }
            let k = Swift.min(n, Swift.max(1, Int((q * Double(n)).rounded(.up))))
            return sorted[k - 1]
        }
        let total = sorted.reduce(0, +)
        // A clock too coarse to see one prediction would read 0: count it as 1 ns.
        let seconds = Swift.max(total, 1e-3 * Double(Swift.max(n, 1))) / 1e6
        return .init(
            rows: n,
            meanMicroseconds: n > 0 ? total / Double(n) : 0,
            p50Microseconds: rank(0.5),
            p99Microseconds: rank(0.99),
            maxMicroseconds: sorted.last ?? 0,
            rowsPerSecond: Double(n) / seconds
        )
    }
}
