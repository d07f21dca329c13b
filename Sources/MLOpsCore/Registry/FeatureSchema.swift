/// The inputs a model version expects: its features (name and type, in order) and its
/// segment columns. Two versions with the same schema are interchangeable for a model
/// server; a different schema makes a new major version (docs/design.md §10).
public struct FeatureSchema: Sendable, Equatable, Codable {
    /// One input column.
    public struct Column: Sendable, Equatable, Codable {
        /// The column name.
        public var name: String
        /// `numerical` or `categorical`.
        public var type: ModelSpec.FeatureType
        /// A column.
        public init(name: String, type: ModelSpec.FeatureType) {
            self.name = name
            self.type = type
        }
    }

    /// The features in the model's order.
    public var features: [Column]
    /// Equipment and population columns.
    public var segments: ModelSpec.Segments

    /// A schema.
    public init(features: [Column], segments: ModelSpec.Segments = ModelSpec.Segments()) {
        self.features = features
        self.segments = segments
    }

    /// The schema a model spec declares.
    public init(_ spec: ModelSpec) {
        self.init(features: spec.features.map { Column(name: $0.name, type: $0.type) }, segments: spec.segments)
    }

    /// A stable text for comparing schemas across versions (stored with each version).
    public var fingerprint: String {
        let features = self.features.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ",")
        return
            "features=[\(features)];equipment=[\(segments.equipment.joined(separator: ","))];population=[\(segments.population.joined(separator: ","))]"
    }

    /// How `declared` (an artifact's own `schema.json`) differs from this model schema, as
    /// sentences; empty when they agree. Only features are compared: segments describe the
    /// data, not the model's inputs.
    public func differences(from declared: [Column]) -> [String] {
        var problems: [String] = []
        let mine = Dictionary(features.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(declared.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        for column in features where theirs[column.name] == nil {
            problems.append("the model has feature `\(column.name)`, which the artifact's schema.json lacks")
        }
        for column in declared where mine[column.name] == nil {
            problems.append("the artifact's schema.json has feature `\(column.name)`, which the model does not declare")
        }
        for column in declared {
            if let type = mine[column.name], type != column.type {
                problems.append(
                    "feature `\(column.name)` is \(type.rawValue) in the model but \(column.type.rawValue) in the artifact"
                )
            }
        }
        if problems.isEmpty, declared.map(\.name) != features.map(\.name) {
            problems.append(
                "the artifact's schema.json lists the features in another order ("
                    + declared.map(\.name).joined(separator: ", ") + ") than the model ("
                    + features.map(\.name).joined(separator: ", ") + ")"
            )
        }
        return problems
    }
}
