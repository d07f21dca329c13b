/// A training set read from a CSV table against a model spec: every feature cell parsed,
/// every label checked, each row's line kept for messages.
///
/// Parsing refuses the first bad cell with its line and column (``TrainingError``), so a
/// user fixes the file rather than wondering why a model is poor. Values the monitoring
/// reference check would refuse later (a non-finite number, an empty or undeclared
/// category) are refused here already: `reference.csv` is a sample of these rows.
public struct TrainingData: Sendable, Equatable {
    /// The model's features, in the spec's order.
    public var features: [ModelSpec.Feature]
    /// One value per feature for each row, in feature order.
    public var values: [[FeatureValue]]
    /// The label of each row.
    public var labels: [String]
    /// The 1-based line where each row starts in the CSV text.
    public var lines: [Int]

    /// Training data from parts (tests build these in code).
    public init(features: [ModelSpec.Feature], values: [[FeatureValue]], labels: [String], lines: [Int]? = nil) {
        self.features = features
        self.values = values
        self.labels = labels
        self.lines = lines ?? Array(2..<(2 + labels.count))
    }

    /// Number of rows.
    public var count: Int { labels.count }

    /// Reads `table` as training data for `spec`: the feature, target and segment columns
    /// must all be present (other columns are ignored), numerical features finite numbers,
    /// categorical features non-empty and within their declared `values`, labels non-empty
    /// and within the declared `classes`.
    public static func parse(_ table: CSVTable, spec: ModelSpec) throws(TrainingError) -> TrainingData {
        guard spec.task.isClassification else { throw .regressionTask }
        let needed = spec.featureNames + [spec.target] + spec.segmentFields
        let missing = needed.filter { table.column($0) == nil }
        if !missing.isEmpty { throw .missingColumns(missing, header: table.header) }
        guard !table.rows.isEmpty else { throw .noRows }

        let featureColumns = spec.features.compactMap { table.column($0.name) }
        let declared = spec.features.map { $0.values.map(Set.init) }
        let targetColumn = table.column(spec.target) ?? 0
        let classes = spec.classes.map(Set.init)
        var values: [[FeatureValue]] = []
        values.reserveCapacity(table.rows.count)
        var labels: [String] = []
        labels.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            let line = r < table.rowLines.count ? table.rowLines[r] : r + 2
            var parsed: [FeatureValue] = []
            parsed.reserveCapacity(spec.features.count)
            for (f, feature) in spec.features.enumerated() {
                let column = featureColumns[f]
                let cell = column < row.count ? row[column] : ""
                switch feature.type {
                case .numerical:
                    guard let x = Double(cell), x.isFinite else {
                        throw .notANumber(line: line, column: column + 1, feature: feature.name, value: cell)
                    }
                    parsed.append(.number(x))
                case .categorical:
                    if cell.isEmpty { throw .emptyCategory(line: line, column: column + 1, feature: feature.name) }
                    if let allowed = declared[f], !allowed.contains(cell) {
                        throw .undeclaredCategory(
                            line: line,
                            column: column + 1,
                            feature: feature.name,
                            value: cell,
                            declared: feature.values ?? []
                        )
                    }
                    parsed.append(.category(cell))
                }
            }
            let label = targetColumn < row.count ? row[targetColumn] : ""
            if label.isEmpty { throw .emptyLabel(line: line, column: targetColumn + 1, target: spec.target) }
            if let classes, !classes.contains(label) {
                throw .undeclaredClass(
                    line: line,
                    column: targetColumn + 1,
                    target: spec.target,
                    value: label,
                    declared: spec.classes ?? []
                )
            }
            values.append(parsed)
            labels.append(label)
        }
        let lines = table.rowLines.count == table.rows.count ? table.rowLines : Array(2..<(2 + table.rows.count))
        return TrainingData(features: spec.features, values: values, labels: labels, lines: lines)
    }
}
