/// The embedded trainer: fits logistic regression (binary) or softmax regression
/// (multiclass) with standardised numerical features, one-hot categorical features and an
/// L2 penalty, by L-BFGS, and measures it on held-out rows.
///
/// Deterministic: the same data, spec and parameters give the same model, metrics and
/// reference sample, bit for bit (the seed drives the split and the sample; the fit starts
/// from zero and uses no randomness).
public enum ClassifierTrainer {
    /// What one training produced.
    public struct Outcome: Sendable, Equatable {
        /// The fitted model.
        public var model: TrainedModel
        /// Its metrics on the validation rows.
        public var metrics: ClassificationMetrics
        /// Which rows were fitted on, held out and sampled as reference.
        public var split: DataSplit

        /// The `metrics.json` object (``ClassificationMetrics/json(trainRows:)``).
        public var metricsJSON: JSONValue { metrics.json(trainRows: split.train.count) }
    }

    /// The classes of a model trained on `labels` for `spec`, in the model's order: the
    /// declared `classes`, or the distinct labels sorted. Refuses fewer than two, more than
    /// two for a binary model, and a declared class without rows.
    public static func classes(for spec: ModelSpec, labels: [String]) throws(TrainingError) -> [String] {
        guard spec.task.isClassification else { throw .regressionTask }
        let present = Set(labels)
        let classes = spec.classes ?? present.sorted()
        if present.count < 2 { throw .tooFewClasses(target: spec.target, found: present.sorted()) }
        if spec.task == .binaryClassification && classes.count > 2 {
            throw .tooManyClassesForBinary(target: spec.target, found: classes)
        }
        if let missing = classes.first(where: { !present.contains($0) }) {
            throw .classWithoutRows(target: spec.target, label: missing)
        }
        return classes
    }

    /// Trains on `data` for `spec`: splits, learns the encodings from the training rows,
    /// fits, and measures on the validation rows.
    public static func train(
        _ data: TrainingData,
        spec: ModelSpec,
        parameters: TrainingParameters
    ) throws(TrainingError) -> Outcome {
        guard data.count > 0 else { throw .noRows }
        guard data.values.count == data.labels.count, data.lines.count == data.labels.count else {
            throw .rowCountMismatch(rows: data.values.count, labels: data.labels.count)
        }
        let classes = try classes(for: spec, labels: data.labels)
        let index = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var labels: [Int] = []
        labels.reserveCapacity(data.count)
        for (r, label) in data.labels.enumerated() {
            guard let k = index[label] else {
                throw .undeclaredClass(
                    line: data.lines[r],
                    column: 0,
                    target: spec.target,
                    value: label,
                    declared: classes
                )
            }
            labels.append(k)
        }
        let split = DataSplit.make(
            labels: labels,
            validationShare: parameters.validationShare,
            seed: parameters.seed,
            referenceRows: parameters.referenceRows
        )
        guard !split.validation.isEmpty else {
            throw .tooFewRowsToValidate(rows: data.count, validationShare: parameters.validationShare)
        }
        let trainValues = split.train.map { data.values[$0] }
        let trainLabels = split.train.map { labels[$0] }
        let model = try fit(
            task: spec.task,
            target: spec.target,
            classes: classes,
            features: data.features,
            values: trainValues,
            labels: trainLabels,
            parameters: parameters,
            validationRows: split.validation.count
        )
        let validation = DesignMatrix(split.validation.map { data.values[$0] }, encodings: model.features)
        let predictions = model.predictions(validation)
        let metrics = ClassificationMetrics.compute(
            classes: classes,
            labels: split.validation.map { labels[$0] },
            predicted: predictions.map(\.classIndex),
            probabilities: predictions.map(\.probabilities)
        )
        return Outcome(model: model, metrics: metrics, split: split)
    }

    /// Fits a model on exactly these rows (no split): learns the encodings from `values`,
    /// then minimises the regularised log loss (``ClassifierObjective``) from zero.
    /// `labels` are indices into `classes`; a binary task with two classes gets one output.
    public static func fit(
        task: ModelSpec.Task,
        target: String,
        classes: [String],
        features: [ModelSpec.Feature],
        values: [[FeatureValue]],
        labels: [Int],
        parameters: TrainingParameters,
        validationRows: Int = 0
    ) throws(TrainingError) -> TrainedModel {
        guard classes.count >= 2 else { throw .tooFewClasses(target: target, found: classes) }
        guard values.count == labels.count else { throw .rowCountMismatch(rows: values.count, labels: labels.count) }
        if let bad = labels.firstIndex(where: { !classes.indices.contains($0) }) {
            throw .labelOutOfRange(row: bad, label: labels[bad], classes: classes.count)
        }
        let encodings = features.enumerated().map { f, feature in
            FeatureEncoding.fit(feature, values: values.map { f < $0.count ? $0[f] : .category("") })
        }
        let design = DesignMatrix(values, encodings: encodings)
        let outputs = task == .binaryClassification && classes.count == 2 ? 1 : classes.count
        let objective = ClassifierObjective(design: design, labels: labels, outputs: outputs, l2: parameters.l2)
        let solver = LBFGS(maxIterations: parameters.maxIterations, tolerance: parameters.tolerance)
        let result = try solver.minimize(from: [Double](repeating: 0, count: outputs * objective.stride)) { x, g in
            objective.evaluate(x, &g)
        }
        guard result.value.isFinite else { throw .diverged(iteration: result.iterations) }
        let d = design.columns
        var weights = (0..<outputs).map { o in Array(result.x[(o * (d + 1))..<(o * (d + 1) + d)]) }
        var intercepts = (0..<outputs).map { o in result.x[o * (d + 1) + d] }
        if outputs > 1 {
            let shift = intercepts.reduce(0, +) / Double(outputs)
            intercepts = intercepts.map { $0 - shift }
        }
        weights = weights.map { $0.map { $0 == 0 ? 0 : $0 } }  // no negative zeros in model.json
        let fit = TrainedModel.Fit(
            l2: parameters.l2,
            tolerance: parameters.tolerance,
            seed: parameters.seed,
            iterations: result.iterations,
            converged: result.converged,
            gradientNorm: result.gradientNorm,
            objective: result.value,
            trainRows: values.count,
            validationRows: validationRows
        )
        return TrainedModel(
            task: task,
            target: target,
            classes: classes,
            features: encodings,
            weights: weights,
            intercepts: intercepts,
            fit: fit
        )
    }
}
