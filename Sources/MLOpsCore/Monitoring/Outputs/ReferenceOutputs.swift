/// A version's model outputs on its reference data, read from the reference CSV itself
/// (docs/monitoring.md, "Reference outputs"): what output drift compares against and what
/// the performance estimate is calibrated on.
///
/// Columns, beside the features (the names of ``ModelOutputColumns``, as `mlopsctl drift`
/// takes them with flags):
/// - `prediction`: the predicted class, one of the model's classes;
/// - binary: `score`, the positive class's score (the last declared class), a finite number;
/// - multiclass: `probabilities.<class>` for every class, each in [0, 1];
/// - the model's `target` column: the true class, one of the classes, or empty when unknown.
///
/// A reference without `prediction` and scores has no outputs (no output drift, no
/// estimate); one without the target has output drift but no estimate. Neither is an error.
/// Outputs given in part, or a cell that is not a class or a number, are refused with the
/// line and field.
///
/// The outputs may instead sit in a sibling file of the artifact, ``siblingFile``, with the
/// same columns (features not needed): the built-in `test_model` writes it from the held-out
/// rows, so that the drift reference stays the training sample while the estimate is
/// calibrated on rows the model never saw. Outputs in the reference itself win.
public enum ReferenceOutputs {
    /// The sibling file of the reference that may hold the outputs instead.
    public static let siblingFile = "reference_outputs.csv"

    /// The path of the sibling outputs file of the reference at `referencePath` (inside the
    /// artifact): ``siblingFile`` in the reference's directory.
    public static func siblingPath(ofReference referencePath: String) -> String {
        guard let slash = referencePath.lastIndex(of: "/") else { return siblingFile }
        return String(referencePath[...slash]) + siblingFile
    }

    /// The predicted class's column.
    public static let predictionColumn = "prediction"
    /// A binary model's score column.
    public static let scoreColumn = "score"

    /// A multiclass model's probability column of `className`.
    public static func probabilityColumn(_ className: String) -> String { "probabilities.\(className)" }

    /// What the reference holds.
    public struct Found: Sendable, Equatable {
        /// The outputs; nil when the reference has none.
        public var outputs: ClassifierOutputs?
        /// The true class of each row (nil when unknown); nil without a target column.
        public var labels: [String?]?
        /// Why there is no output drift or no estimate, in a sentence; nil when both are possible.
        public var note: String?
        /// The columns read, as `mlopsctl drift` names them.
        public var columns: ModelOutputColumns
        /// The file they were read from.
        public var file: String = ""

        /// True when the performance can be estimated (outputs and labels).
        public var canEstimate: Bool { outputs != nil && labels != nil }
    }

    /// The outputs of `reference` (parsed from `fileName`), or of `sibling` (``siblingFile``)
    /// when the reference has no output column.
    public static func read(
        reference: CSVTable,
        sibling: CSVTable?,
        spec: ModelSpec,
        fileName: String
    ) -> Result<Found, ReferenceDataError> {
        let own = read(reference, spec: spec, fileName: fileName)
        guard case .success(let found) = own, found.outputs == nil, found.columns == .none, spec.task.isClassification,
            let sibling
        else { return own }
        return read(sibling, spec: spec, fileName: siblingFile)
    }

    /// The outputs file of a model's predictions on labelled rows (what `test_model` writes):
    /// the target, `prediction`, then `score` (binary: the probability of the last of
    /// `classes`) or one `probabilities.<class>` per class. `probabilities[r]` holds row r's
    /// probability of each of `classes`, in that order.
    public static func table(
        target: String,
        labels: [String],
        predictions: [String],
        classes: [String],
        probabilities: [[Double]]
    ) -> CSVTable {
        let binary = classes.count == 2
        let header = [target, predictionColumn] + (binary ? [scoreColumn] : classes.map(probabilityColumn))
        var rows: [[String]] = []
        rows.reserveCapacity(labels.count)
        for r in 0..<min(labels.count, predictions.count, probabilities.count) {
            let p = probabilities[r]
            let scores = binary ? [p.count == 2 ? p[1] : .nan] : p
            rows.append([labels[r], predictions[r]] + scores.map { String($0) })
        }
        return CSVTable(header: header, rows: rows, rowLines: Array(2..<(rows.count + 2)))
    }

    /// Reads and checks the outputs of `table` (parsed from `fileName`) against `spec`.
    public static func read(_ table: CSVTable, spec: ModelSpec, fileName: String) -> Result<Found, ReferenceDataError> {
        readColumns(table, spec: spec, fileName: fileName).map { found in
            var found = found
            found.file = fileName
            return found
        }
    }

    static func readColumns(_ table: CSVTable, spec: ModelSpec, fileName: String) -> Result<Found, ReferenceDataError> {
        guard spec.task.isClassification else {
            return .success(
                Found(
                    outputs: nil,
                    labels: nil,
                    note: "a regression model has no class outputs: no output drift and no estimate",
                    columns: .none
                )
            )
        }
        let multiclass = spec.task == .multiclassClassification
        let predictionIndex = table.column(predictionColumn)
        var classes = spec.classes
        if classes == nil, multiclass {
            let prefix = probabilityColumn("")
            let named = table.header.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            if !named.isEmpty { classes = named }
        }
        let scoreNames: [String] =
            multiclass ? (classes ?? []).map(probabilityColumn) : [scoreColumn]
        let scoreIndices = scoreNames.map { table.column($0) }
        let presentScores = scoreIndices.compactMap { $0 }
        if predictionIndex == nil && presentScores.isEmpty {
            let wanted = ([predictionColumn] + (multiclass ? ["probabilities.<class>"] : [scoreColumn]))
                .map { "`\($0)`" }.joined(separator: " and ")
            return .success(
                Found(
                    outputs: nil,
                    labels: nil,
                    note: "\(fileName) has no model outputs (\(wanted)): no output drift and no estimate",
                    columns: .none
                )
            )
        }
        guard let predictionIndex, presentScores.count == scoreNames.count else {
            let missing =
                ([predictionIndex == nil ? predictionColumn : nil]
                + zip(scoreNames, scoreIndices).map {
                    $1 == nil ? $0 : nil
                }).compactMap { $0 }
            return .failure(
                ReferenceDataError(problems: [
                    "\(fileName) has model outputs in part: it lacks "
                        + missing.map { "`\($0)`" }.joined(separator: ", ")
                        + "; give the prediction and "
                        + (multiclass ? "one `probabilities.<class>` column per class" : "the positive class's `score`")
                        + ", or no output column at all"
                ])
            )
        }
        let targetIndex = table.column(spec.target)
        // Binary without declared classes: the sorted values of the target and predictions.
        if classes == nil {
            var seen = Set<String>()
            for row in table.rows {
                if !row[predictionIndex].isEmpty { seen.insert(row[predictionIndex]) }
                if let targetIndex, !row[targetIndex].isEmpty { seen.insert(row[targetIndex]) }
            }
            guard seen.count == 2 else {
                return .failure(
                    ReferenceDataError(problems: [
                        "\(fileName): the model declares no classes and its `\(predictionColumn)`"
                            + (targetIndex == nil ? "" : " and `\(spec.target)`") + " columns hold \(seen.count) "
                            + "values (\(seen.sorted().joined(separator: ", "))), not the two of a binary model; "
                            + "declare `classes` in register-model"
                    ])
                )
            }
            classes = seen.sorted()
        }
        let known = classes ?? []
        let allowed = Set(known)
        var problems: [String] = []
        var extra = 0
        func problem(_ r: Int, _ index: Int, _ column: String, _ what: String) {
            if problems.count < ReferenceData.maxProblems {
                problems.append("\(fileName) line \(table.rowLines[r]), field \(index + 1): `\(column)` \(what)")
            } else {
                extra += 1
            }
        }
        let classList = known.joined(separator: ", ")
        var predictions: [String?] = []
        var scores = [[Double]](repeating: [], count: presentScores.count)
        var labels: [String?] = []
        predictions.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            let predicted = row[predictionIndex]
            if !allowed.contains(predicted) {
                problem(
                    r,
                    predictionIndex,
                    predictionColumn,
                    "is `\(predicted)`, not one of the classes (\(classList))"
                )
            }
            predictions.append(predicted)
            for (c, index) in presentScores.enumerated() {
                let cell = row[index]
                guard let value = Double(cell), value.isFinite else {
                    problem(r, index, scoreNames[c], "is `\(cell)`, not a finite number")
                    scores[c].append(.nan)
                    continue
                }
                if multiclass, !(0...1).contains(value) {
                    problem(r, index, scoreNames[c], "is \(cell), not a probability in [0, 1]")
                }
                scores[c].append(value)
            }
            if let targetIndex {
                let label = row[targetIndex]
                if label.isEmpty {
                    labels.append(nil)
                } else {
                    if !allowed.contains(label) {
                        problem(r, targetIndex, spec.target, "is `\(label)`, not one of the classes (\(classList))")
                    }
                    labels.append(label)
                }
            }
        }
        if extra > 0 { problems.append("and \(extra) more problem\(extra == 1 ? "" : "s") like these") }
        guard problems.isEmpty else { return .failure(ReferenceDataError(problems: problems)) }
        let outputs: ClassifierOutputs
        do {
            outputs = try ClassifierOutputs(classes: known, predictions: predictions, scores: scores)
        } catch {
            return .failure(ReferenceDataError(problems: ["\(fileName): \(error)"]))
        }
        let columns = ModelOutputColumns(
            prediction: predictionColumn,
            scores: scoreNames,
            classes: multiclass ? known : [],
            target: targetIndex == nil ? nil : spec.target,
            positive: multiclass ? nil : known.last
        )
        let hasLabel = labels.contains { $0 != nil }
        var note: String?
        if targetIndex == nil {
            note = "\(fileName) has outputs but no `\(spec.target)` column: output drift, no estimate"
        } else if !hasLabel {
            note = "\(fileName) has outputs but every `\(spec.target)` is empty: output drift, no estimate"
        }
        return .success(
            Found(outputs: outputs, labels: hasLabel ? labels : nil, note: note, columns: columns)
        )
    }
}
