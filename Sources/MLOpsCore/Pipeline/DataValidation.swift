/// The built-in `validate_data` pipeline stage (docs/design.md §7): checks a data set against the
/// model it is meant to train and the pipeline's ``DataRules``, before any training runs.
///
/// A model trained on a file whose columns are shifted, half empty or mislabelled is not
/// caught by training (it fits whatever it is given) but by monitoring weeks later. This
/// stage catches it first, and reports **every** problem at once, each with the rows to
/// look at, so that one run tells the user everything to fix:
/// - **columns**: every feature, the target and every segment column (equipment,
///   population) is in the header; other columns are ignored;
/// - **numbers**: a numerical feature's cells (and a regression target's) are finite
///   numbers, as `Double` reads them (the trainer's rule);
/// - **missing values**: per model column, the share of missing cells
///   (``DataRules/isMissing(_:)``) is at most `max_missing_share`;
/// - **ranges**: numbers lie in the column's closed range (`ranges`, else the feature's
///   `min`/`max` from the model spec);
/// - **categories**: a categorical feature with declared `values` holds only those;
/// - **rows**: at least `min_rows`;
/// - **labels** (classification): at least one labelled row, at least two classes, at most
///   two for a binary model, only declared `classes` when the model declares them, at most
///   `max_class_count` distinct labels, and every class at least `min_class_share` of the
///   labelled rows.
///
/// Pure: it reads the table it is given and nothing else.
public enum DataValidation {
    /// The most line numbers a violation lists (its `count` says how many rows there are).
    public static let maxLinesPerViolation = 10

    /// Checks `csv` against `model` and `rules` and reports the figures and every violation.
    /// Line numbers are the file's 1-based lines where the offending rows start (the header
    /// is line 1), taken from ``CSVTable/rowLines``.
    public static func validate(csv: CSVTable, model: ModelSpec, rules: DataRules) -> DataValidationReport {
        let table = csv
        let n = table.rows.count
        var violations: [DataValidationReport.Violation] = []

        // Columns the model needs, each once, in the model's order.
        var needed: [Role] = []
        var seen: Set<String> = []
        func need(_ name: String, _ kind: Role.Kind, _ feature: ModelSpec.Feature? = nil) {
            if seen.insert(name).inserted { needed.append(Role(name: name, kind: kind, feature: feature)) }
        }
        for feature in model.features {
            need(feature.name, feature.type == .numerical ? .numericalFeature : .categoricalFeature, feature)
        }
        need(model.target, .target)
        for name in model.segments.equipment { need(name, .equipment) }
        for name in model.segments.population { need(name, .population) }

        for role in needed where table.column(role.name) == nil {
            violations.append(
                .init(
                    rule: .columns,
                    column: role.name,
                    message:
                        "the data lacks the column `\(role.name)` (\(role.kind.rawValue)) that the model needs; its header has "
                        + Self.list(table.header)
                )
            )
        }
        if n < rules.minRows {
            violations.append(
                .init(
                    rule: .minRows,
                    message: "the data has \(n) row\(n == 1 ? "" : "s"); the rules ask for at least \(rules.minRows)"
                )
            )
        }

        var missingShare: [String: Double] = [:]
        var missingCount: [String: Int] = [:]
        for role in needed {
            guard let c = table.column(role.name) else { continue }
            let numeric = role.kind == .numericalFeature || (role.kind == .target && !model.task.isClassification)
            let range = rules.ranges[role.name] ?? role.feature.flatMap(Self.declaredRange)
            let declared = role.feature?.type == .categorical ? role.feature?.values.map(Set.init) : nil
            let scan = ColumnScan(table: table, column: c, numeric: numeric, range: range, declared: declared)
            missingCount[role.name] = scan.missing.count
            missingShare[role.name] = n > 0 ? Double(scan.missing.count) / Double(n) : 0

            if scan.notNumbers.count > 0 {
                violations.append(
                    .init(
                        rule: .numbers,
                        column: role.name,
                        message:
                            "`\(role.name)` is \(role.kind == .target ? "the target of a regression model" : "a numerical feature"), but "
                            + "\(scan.notNumbers.count) of its \(n) values \(scan.notNumbers.count == 1 ? "is not a number" : "are not numbers")"
                            + ", e.g. `\(scan.firstNotNumber.prefix(40))` on line \(scan.notNumbers.lines.first ?? 0)",
                        count: scan.notNumbers.count,
                        lines: scan.notNumbers.lines
                    )
                )
            }
            let share = missingShare[role.name] ?? 0
            if share > rules.maxMissingShare {
                violations.append(
                    .init(
                        rule: .maxMissingShare,
                        column: role.name,
                        message:
                            "\(scan.missing.count) of the \(n) values of `\(role.name)` are missing (\(Self.percent(share))); "
                            + "the rules allow at most \(Self.percent(rules.maxMissingShare))",
                        count: scan.missing.count,
                        lines: scan.missing.lines
                    )
                )
            }
            if let range, let violation = Self.rangeViolation(role.name, scan, range) { violations.append(violation) }
            if scan.undeclared.count > 0, let values = role.feature?.values {
                violations.append(
                    .init(
                        rule: .categories,
                        column: role.name,
                        message:
                            "\(scan.undeclared.count) value\(scan.undeclared.count == 1 ? "" : "s") of `\(role.name)` "
                            + "\(scan.undeclared.count == 1 ? "is" : "are") not among its declared values (\(Self.list(values))): "
                            + Self.list(scan.undeclaredValues.map { "`\($0)`" }),
                        count: scan.undeclared.count,
                        lines: scan.undeclared.lines
                    )
                )
            }
        }

        // Ranges on columns the model does not use (an id's plausible span, a timestamp).
        for name in rules.ranges.keys.sorted() where !seen.contains(name) {
            guard let range = rules.ranges[name] else { continue }
            guard let c = table.column(name) else {
                violations.append(
                    .init(
                        rule: .ranges,
                        column: name,
                        message: "`ranges` names the column `\(name)`, which the data does not have"
                    )
                )
                continue
            }
            let scan = ColumnScan(table: table, column: c, numeric: false, range: range, declared: nil)
            if let violation = Self.rangeViolation(name, scan, range) { violations.append(violation) }
        }

        var classCounts: [String: Int] = [:]
        var classShares: [String: Double] = [:]
        if model.task.isClassification, let t = table.column(model.target) {
            let labels = LabelScan(table: table, column: t)
            let declared = model.classes ?? []
            let classes = declared + labels.counts.keys.filter { !declared.contains($0) }.sorted()
            for label in classes {
                let count = labels.counts[label] ?? 0
                classCounts[label] = count
                classShares[label] = labels.labelled > 0 ? Double(count) / Double(labels.labelled) : 0
            }
            violations += Self.labelViolations(
                model: model,
                rules: rules,
                labels: labels,
                classes: classes,
                shares: classShares,
                rows: n
            )
        }

        return DataValidationReport(
            rows: n,
            columns: table.header,
            missingShare: missingShare,
            missingCount: missingCount,
            classCounts: classCounts,
            classShares: classShares,
            violations: violations
        )
    }

    // MARK: - Labels

    private static func labelViolations(
        model: ModelSpec,
        rules: DataRules,
        labels: LabelScan,
        classes: [String],
        shares: [String: Double],
        rows: Int
    ) -> [DataValidationReport.Violation] {
        let target = model.target
        guard labels.labelled > 0 else {
            guard rows > 0 else { return [] }
            return [
                .init(
                    rule: .classes,
                    column: target,
                    message: "the target `\(target)` has no labels: all \(rows) of its cells are missing"
                )
            ]
        }
        var out: [DataValidationReport.Violation] = []
        if let declared = model.classes {
            let known = Set(declared)
            var undeclared = LineSample()
            var values: [String] = []
            for (r, label) in labels.perRow.enumerated() {
                guard let label, !known.contains(label) else { continue }
                undeclared.add(labels.line(r))
                if values.count < 5 && !values.contains(label) { values.append(label) }
            }
            if undeclared.count > 0 {
                out.append(
                    .init(
                        rule: .classes,
                        column: target,
                        message:
                            "\(undeclared.count) label\(undeclared.count == 1 ? " is" : "s are") not among the declared classes "
                            + "(\(list(declared))): " + list(values.map { "`\($0)`" }),
                        count: undeclared.count,
                        lines: undeclared.lines
                    )
                )
            }
        }
        let distinct = labels.counts.count
        if distinct == 1, let only = labels.counts.keys.first {
            out.append(
                .init(
                    rule: .classes,
                    column: target,
                    message:
                        "the target `\(target)` has only one class (`\(only)`) in its \(labels.labelled) labelled rows; "
                        + "a classifier needs at least 2"
                )
            )
        }
        if model.task == .binaryClassification && distinct > 2 {
            out.append(
                .init(
                    rule: .classes,
                    column: target,
                    message: "the model is binary but its target `\(target)` has \(distinct) classes: "
                        + list(labels.counts.keys.sorted().map { "`\($0)`" })
                )
            )
        }
        if distinct > rules.maxClassCount {
            out.append(
                .init(
                    rule: .maxClassCount,
                    column: target,
                    message:
                        "the target `\(target)` has \(distinct) distinct labels; the rules allow at most \(rules.maxClassCount) "
                        + "(is `\(target)` really the label column?)"
                )
            )
            return out  // a share per label of an id-like column would only bury this
        }
        for label in classes {
            let share = shares[label] ?? 0
            guard share < rules.minClassShare else { continue }
            let count = labels.counts[label] ?? 0
            out.append(
                .init(
                    rule: .minClassShare,
                    column: target,
                    message:
                        "class `\(label)` has \(count) of the \(labels.labelled) labelled rows (\(percent(share))); "
                        + "the rules ask for at least \(percent(rules.minClassShare)) of each class",
                    count: count,
                    lines: labels.lines[label]?.lines ?? []
                )
            )
        }
        return out
    }

    // MARK: - Helpers

    /// A range from a feature's declared `min`/`max`, when it declares one.
    private static func declaredRange(_ feature: ModelSpec.Feature) -> ClosedRange<Double>? {
        guard feature.type == .numerical, feature.min != nil || feature.max != nil else { return nil }
        let lo = feature.min ?? -.infinity
        let hi = feature.max ?? .infinity
        return lo <= hi ? lo...hi : nil
    }

    private static func rangeViolation(
        _ name: String,
        _ scan: ColumnScan,
        _ range: ClosedRange<Double>
    ) -> DataValidationReport.Violation? {
        guard scan.outOfRange.count > 0 else { return nil }
        var observed: [String] = []
        if let low = scan.lowest { observed.append("lowest \(number(low))") }
        if let high = scan.highest { observed.append("highest \(number(high))") }
        if scan.nonNumbersInRange > 0 { observed.append("\(scan.nonNumbersInRange) not a number") }
        let count = scan.outOfRange.count
        return .init(
            rule: .ranges,
            column: name,
            message: "\(count) value\(count == 1 ? "" : "s") of `\(name)` \(count == 1 ? "lies" : "lie") outside "
                + "[\(number(range.lowerBound)), \(number(range.upperBound))] (\(observed.joined(separator: ", "))), "
                + "first on line \(scan.outOfRange.lines.first ?? 0)",
            count: count,
            lines: scan.outOfRange.lines
        )
    }

    /// `a, b, c` with at most 20 items, then how many more.
    static func list(_ items: [String]) -> String {
        let shown = items.prefix(20).joined(separator: ", ")
        return items.count > 20 ? shown + " and \(items.count - 20) more" : shown
    }

    /// A share as a percentage with at most two decimals: `6%`, `1.5%`, `0.25%`.
    static func percent(_ share: Double) -> String {
        number((share * 10_000).rounded() / 100) + "%"
    }

    /// A number as written in YAML: `120`, `0.5`, `-inf`.
    static func number(_ x: Double) -> String {
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    /// A model column and why the model needs it.
    private struct Role {
        enum Kind: String {
            case numericalFeature = "numerical feature"
            case categoricalFeature = "categorical feature"
            case target
            case equipment = "equipment segment"
            case population = "population segment"
        }
        var name: String
        var kind: Kind
        var feature: ModelSpec.Feature?
    }
}

/// How many rows break a rule, and the lines of the first few.
struct LineSample {
    private(set) var count = 0
    private(set) var lines: [Int] = []

    mutating func add(_ line: Int) {
        count += 1
        if lines.count < DataValidation.maxLinesPerViolation { lines.append(line) }
    }
}

/// One pass over a column: missing cells, cells that are not numbers, numbers out of range
/// and undeclared categories.
private struct ColumnScan {
    var missing = LineSample()
    var notNumbers = LineSample()
    var firstNotNumber = ""
    var outOfRange = LineSample()
    /// Non-numeric cells counted in `outOfRange` (a ranged column that is not numerical).
    var nonNumbersInRange = 0
    var lowest: Double?
    var highest: Double?
    var undeclared = LineSample()
    var undeclaredValues: [String] = []

    /// `numeric`: the cells must be numbers (a violation of their own when not). `range`:
    /// numbers must lie in it; in a column that is not `numeric`, a cell that is not a
    /// number counts as out of range. Missing cells are only counted.
    init(table: CSVTable, column c: Int, numeric: Bool, range: ClosedRange<Double>?, declared: Set<String>?) {
        for (r, row) in table.rows.enumerated() {
            let cell = c < row.count ? row[c] : ""
            let line = r < table.rowLines.count ? table.rowLines[r] : r + 2
            if DataRules.isMissing(cell) {
                missing.add(line)
                continue
            }
            if numeric || range != nil {
                if let x = Double(cell), x.isFinite {
                    if let range, !range.contains(x) {
                        outOfRange.add(line)
                        if x < range.lowerBound {
                            lowest = Swift.min(lowest ?? x, x)
                        } else {
                            highest = Swift.max(highest ?? x, x)
                        }
                    }
                } else if numeric {
                    if notNumbers.count == 0 { firstNotNumber = cell }
                    notNumbers.add(line)
                } else {
                    outOfRange.add(line)
                    nonNumbersInRange += 1
                }
            }
            if let declared, !declared.contains(cell) {
                undeclared.add(line)
                if undeclaredValues.count < 5 && !undeclaredValues.contains(cell) { undeclaredValues.append(cell) }
            }
        }
    }
}

/// The target column: each row's label (nil when missing), counts and lines per label.
private struct LabelScan {
    var perRow: [String?] = []
    var counts: [String: Int] = [:]
    var lines: [String: LineSample] = [:]
    var labelled = 0
    private var rowLines: [Int]

    init(table: CSVTable, column t: Int) {
        rowLines = table.rowLines
        perRow.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            let cell = t < row.count ? row[t] : ""
            if DataRules.isMissing(cell) {
                perRow.append(nil)
                continue
            }
            perRow.append(cell)
            counts[cell, default: 0] += 1
            lines[cell, default: LineSample()].add(line(r))
            labelled += 1
        }
    }

    func line(_ r: Int) -> Int { r < rowLines.count ? rowLines[r] : r + 2 }
}
