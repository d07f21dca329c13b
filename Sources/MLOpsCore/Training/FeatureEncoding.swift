/// How one model feature becomes model inputs: a numerical feature is standardised into
/// one input, a categorical feature is one-hot encoded into one input per category.
///
/// The encodings are learnt from the training rows only (so the held-out rows do not leak
/// into the model) and stored in `model.json`, so that a model server or the daemon's
/// `test_model` stage encodes a prediction's inputs exactly as training did.
public enum FeatureEncoding: Sendable, Equatable {
    /// `(x − mean) / std`. `std` is the population standard deviation of the training
    /// values, or 1 for a constant column (which then only shifts to 0).
    case numerical(name: String, mean: Double, std: Double)
    /// One input per category, 1 for the row's category and 0 for the others. A value
    /// that is not among `categories` (never seen in training nor declared) encodes as all
    /// zeros: the model then predicts from the other features alone.
    case categorical(name: String, categories: [String])

    /// The feature's column name.
    public var name: String {
        switch self {
        case .numerical(let name, _, _), .categorical(let name, _): return name
        }
    }

    /// Numerical or categorical.
    public var type: ModelSpec.FeatureType {
        switch self {
        case .numerical: return .numerical
        case .categorical: return .categorical
        }
    }

    /// How many model inputs the feature takes.
    public var width: Int {
        switch self {
        case .numerical: return 1
        case .categorical(_, let categories): return categories.count
        }
    }

    /// The names of the feature's inputs: the feature's name, or `name=category` per category.
    public var inputNames: [String] {
        switch self {
        case .numerical(let name, _, _): return [name]
        case .categorical(let name, let categories): return categories.map { "\(name)=\($0)" }
        }
    }

    /// Learns the encoding of `feature` from its training values: mean and standard
    /// deviation of numbers; for categories, the declared `values` in their order followed
    /// by any other value seen in training, sorted.
    public static func fit(_ feature: ModelSpec.Feature, values: [FeatureValue]) -> FeatureEncoding {
        switch feature.type {
        case .numerical:
            var numbers: [Double] = []
            numbers.reserveCapacity(values.count)
            for case .number(let x) in values { numbers.append(x) }
            let (mean, std) = standardisation(numbers)
            return .numerical(name: feature.name, mean: mean, std: std)
        case .categorical:
            var categories = feature.values ?? []
            let known = Set(categories)
            var extra: Set<String> = []
            for case .category(let c) in values where !known.contains(c) { extra.insert(c) }
            categories += extra.sorted()
            return .categorical(name: feature.name, categories: categories)
        }
    }

    /// Mean and population standard deviation (two passes); a standard deviation that is
    /// zero, or below 1e-12 of the mean's magnitude (rounding noise of a constant column),
    /// becomes 1.
    static func standardisation(_ xs: [Double]) -> (mean: Double, std: Double) {
        guard !xs.isEmpty else { return (0, 1) }
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        var ss = 0.0
        for x in xs { ss += (x - mean) * (x - mean) }
        let std = (ss / n).squareRoot()
        let constant = !(std > 1e-12 * Swift.max(1, abs(mean)))
        return (mean, constant ? 1 : std)
    }

    /// Writes the feature's inputs for `value` into `inputs` from `offset` (`width` slots,
    /// which the caller has zeroed). A value of the wrong kind writes zeros.
    func encode(
        _ value: FeatureValue,
        into inputs: UnsafeMutableBufferPointer<Double>,
        at offset: Int,
        lookup: [String: Int]?
    ) {
        switch (self, value) {
        case (.numerical(_, let mean, let std), .number(let x)):
            inputs[offset] = (x - mean) / std
        case (.categorical, .category(let c)):
            if let k = lookup?[c] { inputs[offset + k] = 1 }
        default:
            break
        }
    }

    /// Category → position, for fast one-hot encoding (nil for numerical features).
    var categoryIndex: [String: Int]? {
        guard case .categorical(_, let categories) = self else { return nil }
        return Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension FeatureEncoding: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, type, mean, std, categories
    }

    /// `{"name", "type": "numerical", "mean", "std"}` or `{"name", "type": "categorical", "categories"}`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        switch try c.decode(ModelSpec.FeatureType.self, forKey: .type) {
        case .numerical:
            self = .numerical(
                name: name,
                mean: try c.decode(Double.self, forKey: .mean),
                std: try c.decode(Double.self, forKey: .std)
            )
        case .categorical:
            self = .categorical(name: name, categories: try c.decode([String].self, forKey: .categories))
        }
    }

    /// The same shape as ``init(from:)`` reads.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        switch self {
        case .numerical(_, let mean, let std):
            try c.encode(mean, forKey: .mean)
            try c.encode(std, forKey: .std)
        case .categorical(_, let categories):
            try c.encode(categories, forKey: .categories)
        }
    }
}
