import Foundation

/// A classifier fitted by the embedded trainer: how to encode inputs, the weights, and
/// how it was trained. It is what `model.json` holds (docs/trainer.md), so that the
/// daemon's `test_model` stage and any model server predict exactly what training measured.
///
/// Binary models (logistic regression) have one output, the logit of the positive class
/// `classes[1]`; multiclass models (softmax regression) one output per class, their
/// intercepts centred to sum to zero (softmax is unchanged by a common shift, so this
/// makes them unique).
public struct TrainedModel: Sendable, Equatable {
    /// The `format` field of every `model.json` this trainer writes.
    public static let format = "mlops-train"
    /// The `version` of the format this trainer writes; it reads this one and earlier.
    public static let formatVersion = 1

    /// How the model was fitted, recorded for lineage and debugging.
    public struct Fit: Sendable, Equatable, Codable {
        /// The solver: `lbfgs`.
        public var solver: String
        /// The parameters it ran with.
        public var l2: Double
        /// The gradient tolerance asked for.
        public var tolerance: Double
        /// The seed of the split and the reference sample.
        public var seed: UInt64
        /// Iterations taken.
        public var iterations: Int
        /// Whether the gradient reached the tolerance within `max_iterations`.
        public var converged: Bool
        /// The gradient's largest component at the end.
        public var gradientNorm: Double
        /// The objective (mean log loss + penalty) on the training rows at the end.
        public var objective: Double
        /// Rows fitted on.
        public var trainRows: Int
        /// Rows held out for the metrics.
        public var validationRows: Int

        /// A fit record.
        public init(
            solver: String = "lbfgs",
            l2: Double,
            tolerance: Double,
            seed: UInt64,
            iterations: Int,
            converged: Bool,
            gradientNorm: Double,
            objective: Double,
            trainRows: Int,
            validationRows: Int
        ) {
            self.solver = solver
            self.l2 = l2
            self.tolerance = tolerance
            self.seed = seed
            self.iterations = iterations
            self.converged = converged
            self.gradientNorm = gradientNorm
            self.objective = objective
            self.trainRows = trainRows
            self.validationRows = validationRows
        }

        enum CodingKeys: String, CodingKey {
            case solver, l2, tolerance, seed, iterations, converged, objective
            case gradientNorm = "gradient_norm"
            case trainRows = "train_rows"
            case validationRows = "validation_rows"
        }
    }

    /// One prediction.
    public struct Prediction: Sendable, Equatable {
        /// The predicted class.
        public var label: String
        /// Its index in ``TrainedModel/classes``.
        public var classIndex: Int
        /// One probability per class, in ``TrainedModel/classes`` order.
        public var probabilities: [Double]
    }

    /// Binary or multiclass classification.
    public var task: ModelSpec.Task
    /// The label column it was trained on.
    public var target: String
    /// The classes; for a binary model the second is the positive class.
    public var classes: [String]
    /// The features in the model's order, each with its encoding.
    public var features: [FeatureEncoding]
    /// One row of weights per output, one weight per input (``inputNames``).
    public var weights: [[Double]]
    /// One intercept per output.
    public var intercepts: [Double]
    /// How it was fitted.
    public var fit: Fit

    /// A model from its parts (the trainer and tests make these).
    public init(
        task: ModelSpec.Task,
        target: String,
        classes: [String],
        features: [FeatureEncoding],
        weights: [[Double]],
        intercepts: [Double],
        fit: Fit
    ) {
        self.task = task
        self.target = target
        self.classes = classes
        self.features = features
        self.weights = weights
        self.intercepts = intercepts
        self.fit = fit
    }

    /// The names of the model inputs the weights apply to, in order: numerical features by
    /// name, one `feature=category` per category.
    public var inputNames: [String] { features.flatMap(\.inputNames) }

    /// Whether the model has one output (logistic regression on the positive class).
    public var isBinary: Bool { weights.count == 1 && classes.count == 2 }

    // MARK: - Prediction

    /// Class probabilities for one row, `values` in feature order. A category not among the
    /// feature's categories encodes as all zeros; a value of the wrong kind or a missing
    /// trailing value encodes as zeros too.
    public func probabilities(_ values: [FeatureValue]) -> [Double] {
        predict(values).probabilities
    }

    /// The predicted class and the class probabilities for one row, `values` in feature order.
    public func predict(_ values: [FeatureValue]) -> Prediction {
        predictions(DesignMatrix([values], encodings: features))[0]
    }

    /// Predicts every row of `table`, reading the feature columns by name (other columns
    /// are ignored). Refuses a missing feature column or a numerical cell that is not a
    /// finite number, with its line and column.
    public func predict(_ table: CSVTable) throws(TrainingError) -> [Prediction] {
        let missing = features.map(\.name).filter { table.column($0) == nil }
        if !missing.isEmpty { throw .missingColumns(missing, header: table.header) }
        let columns = features.compactMap { table.column($0.name) }
        var rows: [[FeatureValue]] = []
        rows.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            var values: [FeatureValue] = []
            values.reserveCapacity(features.count)
            for (f, feature) in features.enumerated() {
                let cell = columns[f] < row.count ? row[columns[f]] : ""
                switch feature {
                case .numerical(let name, _, _):
                    guard let x = Double(cell), x.isFinite else {
                        let line = r < table.rowLines.count ? table.rowLines[r] : r + 2
                        throw .notANumber(line: line, column: columns[f] + 1, feature: name, value: cell)
                    }
                    values.append(.number(x))
                case .categorical:
                    values.append(.category(cell))
                }
            }
            rows.append(values)
        }
        return predictions(DesignMatrix(rows, encodings: features))
    }

    /// The logits of every row: one per output.
    func logits(_ design: DesignMatrix) -> [[Double]] {
        let d = design.columns
        return design.values.withUnsafeBufferPointer { x in
            (0..<design.rows).map { r in
                weights.enumerated().map { o, w in
                    var s = o < intercepts.count ? intercepts[o] : 0
                    for j in 0..<Swift.min(d, w.count) { s += w[j] * x[r * d + j] }
                    return s
                }
            }
        }
    }

    /// Probabilities and classes of every row. Binary: `p = σ(z)`, probabilities `[1 − p, p]`,
    /// the positive class when `z > 0`. Multiclass: softmax, the first class of highest logit.
    func predictions(_ design: DesignMatrix) -> [Prediction] {
        logits(design).map { z in
            if isBinary {
                let p = ClassifierObjective.sigmoid(z[0])
                let k = z[0] > 0 ? 1 : 0
                return Prediction(label: classes[k], classIndex: k, probabilities: [1 - p, p])
            }
            guard !z.isEmpty else { return Prediction(label: classes.first ?? "", classIndex: 0, probabilities: []) }
            var best = 0
            for o in z.indices where z[o] > z[best] { best = o }
            let m = z[best]
            var sum = 0.0
            for v in z { sum += exp(v - m) }
            let lse = m + log(sum)
            return Prediction(
                label: best < classes.count ? classes[best] : "",
                classIndex: best,
                probabilities: z.map { exp($0 - lse) }
            )
        }
    }

    // MARK: - model.json

    /// The `model.json` text: pretty-printed with sorted keys, so two trainings of the same
    /// data give byte-identical files.
    public func encoded() throws -> Data {
        try JSONEncoder.mlopsModelFile.encode(self)
    }

    /// Reads a `model.json` and checks that its parts fit together.
    public static func decode(_ data: Data) throws(ModelFileError) -> TrainedModel {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw .unreadable("it has no `format` and `version` (\(Self.describe(error)))")
        }
        guard header.format == format else { throw .otherFormat(header.format) }
        guard header.version <= formatVersion, header.version >= 1 else { throw .unsupportedVersion(header.version) }
        let model: TrainedModel
        do {
            model = try JSONDecoder().decode(TrainedModel.self, from: data)
        } catch {
            throw .unreadable(Self.describe(error))
        }
        try model.check()
        return model
    }

    /// Dimensions and finiteness.
    func check() throws(ModelFileError) {
        guard task.isClassification else { throw .inconsistent("task \(task.rawValue) is not a classification") }
        guard classes.count >= 2, Set(classes).count == classes.count else {
            throw .inconsistent("it needs at least 2 distinct classes, not \(classes)")
        }
        let outputs = classes.count == 2 && weights.count == 1 ? 1 : classes.count
        guard weights.count == outputs, intercepts.count == outputs else {
            throw .inconsistent(
                "\(classes.count) classes need \(outputs) row\(outputs == 1 ? "" : "s") of weights and intercepts, "
                    + "not \(weights.count) and \(intercepts.count)"
            )
        }
        let inputs = inputNames.count
        for (o, row) in weights.enumerated() where row.count != inputs {
            throw .inconsistent("weights row \(o) has \(row.count) numbers for \(inputs) inputs")
        }
        for feature in features {
            if case .numerical(let name, let mean, let std) = feature, !(mean.isFinite && std.isFinite && std > 0) {
                throw .inconsistent("feature `\(name)` has mean \(mean) and std \(std); std must be a positive number")
            }
        }
        guard (weights.joined() + intercepts).allSatisfy(\.isFinite) else {
            throw .inconsistent("a weight or intercept is not a finite number")
        }
    }

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "`\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))` is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "`\(path)`: ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

extension TrainedModel: Codable {
    enum CodingKeys: String, CodingKey {
        case format, version, task, target, classes, features, inputs, weights, intercepts
        case positiveClass = "positive_class"
        case fit = "training"
    }

    /// Reads the fields documented in docs/trainer.md (`inputs` and `positive_class` are
    /// informational and recomputed).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decode(ModelSpec.Task.self, forKey: .task)
        target = try c.decode(String.self, forKey: .target)
        classes = try c.decode([String].self, forKey: .classes)
        features = try c.decode([FeatureEncoding].self, forKey: .features)
        weights = try c.decode([[Double]].self, forKey: .weights)
        intercepts = try c.decode([Double].self, forKey: .intercepts)
        fit = try c.decode(Fit.self, forKey: .fit)
    }

    /// Writes `format`, `version`, the model and, for readers, `inputs` and `positive_class`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.format, forKey: .format)
        try c.encode(Self.formatVersion, forKey: .version)
        try c.encode(task, forKey: .task)
        try c.encode(target, forKey: .target)
        try c.encode(classes, forKey: .classes)
        if isBinary { try c.encode(classes[1], forKey: .positiveClass) }
        try c.encode(features, forKey: .features)
        try c.encode(inputNames, forKey: .inputs)
        try c.encode(weights, forKey: .weights)
        try c.encode(intercepts, forKey: .intercepts)
        try c.encode(fit, forKey: .fit)
    }
}
