/// Checks a version's reference data (the sample of training inputs that drift is
/// measured against) against the model's declared columns, before the version exists.
public enum ReferenceData {
    /// What a valid reference file holds.
    public struct Summary: Sendable, Equatable {
        /// Data rows (the header not counted).
        public var rows: Int
        /// Columns present that the model does not use (ids, timestamps); ignored.
        public var ignoredColumns: [String]
        /// What the model outputs in the file allow (``ReferenceOutputs``), in a sentence;
        /// set by the caller that read them.
        public var outputs: String? = nil
    }

    /// The most problems reported for one file; more are summarised.
    public static let maxProblems = 5

    /// Checks `table` (parsed from `fileName`) against `spec`: every feature and segment
    /// column present, numerical features finite numbers, categorical features within
    /// their declared values, at least one row. Returns the summary or the problems as
    /// sentences that name the file, line and field.
    public static func check(
        _ table: CSVTable,
        spec: ModelSpec,
        fileName: String
    ) -> Result<Summary, ReferenceDataError> {
        var problems: [String] = []
        var missing: [String] = []
        for name in spec.featureNames + spec.segmentFields where table.column(name) == nil {
            missing.append(name)
        }
        if !missing.isEmpty {
            problems.append(
                "\(fileName) lacks the column\(missing.count == 1 ? "" : "s") "
                    + missing.map { "`\($0)`" }.joined(separator: ", ")
                    + " that model features or segments need (its header has " + table.header.joined(separator: ", ")
                    + ")"
            )
            return .failure(ReferenceDataError(problems: problems))
        }
        if table.rows.isEmpty {
            return .failure(
                ReferenceDataError(problems: ["\(fileName) has a header but no rows; drift needs reference rows"])
            )
        }
        // Row by row, so the problems come in the file's order.
        var extra = 0
        let checks: [(index: Int, feature: ModelSpec.Feature, allowed: Set<String>?)] = spec.features.compactMap {
            feature in
            table.column(feature.name).map { ($0, feature, feature.values.map(Set.init)) }
        }
        for (r, row) in table.rows.enumerated() {
            for check in checks {
                let cell = row[check.index]
                let bad: String?
                switch check.feature.type {
                case .numerical:
                    if let value = Double(cell), value.isFinite {
                        bad = nil
                    } else {
                        bad = "is `\(cell)`, not a finite number"
                    }
                case .categorical:
                    if cell.isEmpty {
                        bad = "is empty"
                    } else if let allowed = check.allowed, !allowed.contains(cell) {
                        bad = "is `\(cell)`, not one of the declared values"
                    } else {
                        bad = nil
                    }
                }
                guard let bad else { continue }
                if problems.count < maxProblems {
                    problems.append(
                        "\(fileName) line \(table.rowLines[r]), field \(check.index + 1): feature `\(check.feature.name)` \(bad)"
                    )
                } else {
                    extra += 1
                }
            }
        }
        if extra > 0 { problems.append("and \(extra) more problem\(extra == 1 ? "" : "s") like these") }
        guard problems.isEmpty else { return .failure(ReferenceDataError(problems: problems)) }
        let used = Set(spec.allColumns)
        return .success(Summary(rows: table.rows.count, ignoredColumns: table.header.filter { !used.contains($0) }))
    }
}

/// Why reference data was refused: sentences naming file, line and field.
public struct ReferenceDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Each problem found (at most ``ReferenceData/maxProblems`` plus a summary line).
    public var problems: [String]
    /// All problems, joined.
    public var description: String { problems.joined(separator: "; ") }
}
