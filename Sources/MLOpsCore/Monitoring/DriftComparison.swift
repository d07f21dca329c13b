import Dispatch

/// The offline drift comparison of `mlopsctl drift`: every column of a current CSV file
/// against the same column of a reference file, with the daemon's tests and rule
/// (docs/monitoring.md), computed without I/O.
///
/// - Types: a column is categorical when it is named so, or when a non-empty cell of it is
///   not a number in either file (both files then read it as text, and the column's `note`
///   says which cell); otherwise numerical.
/// - Numerical: two-sample Kolmogorov–Smirnov (D and p-value as `scipy.stats.ks_2samp`)
///   and PSI. Categorical: chi-square test of homogeneity (as
///   `scipy.stats.chi2_contingency`), PSI and the Jensen–Shannon distance.
/// - Benjamini–Hochberg over every tested column; then a numerical column drifts when
///   D > `threshold` and the adjusted p < `alpha`, a categorical one when the adjusted
///   p < `alpha` and the JS distance > `threshold` — exactly the daemon's rule. There is no
///   `min_samples` gate here: every row of both files is used.
/// - Empty cells (and, in numerical columns, non-finite numbers) are left out and counted;
///   a column with no values on one side is not tested and never drifts.
/// - The model's columns (``ModelOutputColumns``): the prediction and scores are tested as
///   outputs (type `output`, KS on scores and chi-square on the prediction, in the same
///   correction, apart from the inputs' drift share); the target is not tested. With a
///   target in the reference, ``modelFigures(_:outputs:chunkSize:varianceShare:)`` estimates
///   the current file's performance (CBPE) and the numerical inputs' multivariate drift.
public enum DriftComparison {
    /// The daemon's defaults: `data_drift_threshold` and `drift_alpha`.
    public static let defaultThreshold = 0.1
    /// See ``defaultThreshold``.
    public static let defaultAlpha = 0.01

    /// Reads both files (``ColumnarCSV``) and compares them. `categorical` names columns
    /// to treat as categorical; every name must be a column. A file whose header has more
    /// than `maxColumns` columns is refused before its rows are read.
    public static func compare(
        reference: [UInt8],
        current: [UInt8],
        categorical: Set<String> = [],
        threshold: Double = defaultThreshold,
        alpha: Double = defaultAlpha,
        maxColumns: Int? = nil,
        outputs: ModelOutputColumns = .none
    ) throws(DriftInputError) -> DriftReport {
        let pair = try read(
            reference: reference,
            current: current,
            categorical: categorical,
            maxColumns: maxColumns,
            outputs: outputs
        )
        return compare(pair, threshold: threshold, alpha: alpha, outputs: outputs)
    }

    /// Two files read with the same column types, and why a column became categorical.
    public struct Pair: Sendable {
        /// The reference file's columns.
        public var reference: ColumnarCSV
        /// The current file's columns.
        public var current: ColumnarCSV
        /// Per column read as text because of a cell that is not a number: the file and
        /// the cell.
        public var inferred: [String: (side: DriftInputError.Side, cell: ColumnarCSV.NotANumber)]
    }

    /// Reads both files and agrees on the types: a column that is text in one file is read
    /// as text in the other too (that file is read a second time, which only happens then).
    /// `outputs` names the model's columns: each must be in the reference; the prediction and
    /// the target are read as text, the scores must be numbers; the target may be missing
    /// from the current file.
    public static func read(
        reference: [UInt8],
        current: [UInt8],
        categorical: Set<String>,
        maxColumns: Int? = nil,
        outputs: ModelOutputColumns = .none
    ) throws(DriftInputError) -> Pair {
        let userCategorical = categorical
        let categorical = categorical.union(outputs.textColumns)
        var ref: ColumnarCSV
        var cur: ColumnarCSV
        do {
            ref = try ColumnarCSV.parse(reference, categorical: categorical, maxColumns: maxColumns)
        } catch { throw .csv(.reference, error) }
        do {
            cur = try ColumnarCSV.parse(current, categorical: categorical, maxColumns: maxColumns)
        } catch { throw .csv(.current, error) }
        let currentNames = Set(cur.header)
        let referenceNames = Set(ref.header)
        for (option, names) in [
            ("--prediction", outputs.prediction.map { [$0] } ?? []), ("--score", outputs.scores),
            ("--target", outputs.target.map { [$0] } ?? []),
        ] {
            if let name = names.first(where: { !referenceNames.contains($0) }) {
                throw .unknownOutputColumn(option: option, name: name)
            }
        }
        if let name = ref.header.first(where: { !currentNames.contains($0) && $0 != outputs.target }) {
            throw .columnInOneFileOnly(name: name, presentIn: .reference)
        }
        if let name = cur.header.first(where: { !referenceNames.contains($0) }) {
            throw .columnInOneFileOnly(name: name, presentIn: .current)
        }
        if let name = userCategorical.sorted().first(where: { !referenceNames.contains($0) }) {
            throw .unknownCategorical(name: name)
        }
        for name in outputs.scores {
            if let cell = ref.firstNonNumber[name] { throw .scoreNotANumber(name: name, side: .reference, cell: cell) }
            if let cell = cur.firstNonNumber[name] { throw .scoreNotANumber(name: name, side: .current, cell: cell) }
        }
        var inferred: [String: (side: DriftInputError.Side, cell: ColumnarCSV.NotANumber)] = [:]
        for (name, cell) in cur.firstNonNumber { inferred[name] = (.current, cell) }
        for (name, cell) in ref.firstNonNumber { inferred[name] = (.reference, cell) }
        let text = categorical.union(inferred.keys)
        if text != categorical.union(ref.firstNonNumber.keys) {
            do { ref = try ColumnarCSV.parse(reference, categorical: text) } catch { throw .csv(.reference, error) }
        }
        if text != categorical.union(cur.firstNonNumber.keys) {
            do { cur = try ColumnarCSV.parse(current, categorical: text) } catch { throw .csv(.current, error) }
        }
        return Pair(reference: ref, current: cur, inferred: inferred)
    }

    /// Compares two files read by ``read(reference:current:categorical:maxColumns:outputs:)``.
    /// The columns `outputs` names as outputs are reported with type `output` (their
    /// p-values join the same correction) and counted apart from the inputs' drift share;
    /// the target is not a drift column.
    public static func compare(
        _ pair: Pair,
        threshold: Double = defaultThreshold,
        alpha: Double = defaultAlpha,
        outputs: ModelOutputColumns = .none
    ) -> DriftReport {
        let names = pair.reference.header
        let ref = pair.reference
        let cur = pair.current
        // Each reference column's index in the current file, looked up once (not a scan of
        // the header per column: that is quadratic in the columns).
        var currentIndex: [String: Int] = [:]
        for (j, name) in cur.header.enumerated() where currentIndex[name] == nil { currentIndex[name] = j }
        let matching = names.map { currentIndex[$0] }
        var tests = [MonitoringAnalysis.ColumnTest](repeating: .init(), count: names.count)
        var referenceMissing = [Int](repeating: 0, count: names.count)
        var types = [ColumnKind](repeating: .numerical, count: names.count)
        // One column per iteration: sorting dominates, so both cores sort.
        tests.withParallelBuffer { testsOut in
            referenceMissing.withParallelBuffer { missingOut in
                types.withParallelBuffer { typesOut in
                    let out = Outputs(tests: testsOut, missing: missingOut, types: typesOut)
                    // Iteration i writes only element i of each buffer.
                    DispatchQueue.concurrentPerform(iterations: names.count) { i in
                        guard let j = matching[i] else { return }
                        switch (ref.columns[i], cur.columns[j]) {
                        case (.numerical(let a), .numerical(let b)):
                            let sample = FiniteSample(a)
                            out.missing[i] = sample.dropped
                            out.tests[i] = MonitoringAnalysis.numericTest(sample.sorted, b)
                        case (.categorical(let a), .categorical(let b)):
                            out.types[i] = .categorical
                            out.missing[i] = a.missing
                            out.tests[i] = MonitoringAnalysis.categoricalTest(
                                a.countsByValue,
                                counts: b.countsByValue,
                                missing: b.missing
                            )
                        default:
                            // `read` gives both files the same types; a hand-made pair may not.
                            out.types[i] = .categorical
                            out.tests[i].note = "the column has different types in the two files"
                        }
                    }
                }
            }
        }

        let outputNames = Set(outputs.outputNames)
        let skipped = tests.indices.map { names[$0] == outputs.target }
        let tested = tests.indices.filter { tests[$0].pValue != nil && !skipped[$0] }
        let adjusted = BenjaminiHochberg.adjust(tested.compactMap { tests[$0].pValue }) ?? []
        var pAdjusted = [Double?](repeating: nil, count: names.count)
        for (k, index) in tested.enumerated() where k < adjusted.count { pAdjusted[index] = adjusted[k] }

        var columns: [DriftReport.Column] = []
        var drifted: [String] = []
        var outputsDrifted: [String] = []
        var inputCount = 0
        for (i, name) in names.enumerated() where !skipped[i] {
            let t = tests[i]
            let isOutput = outputNames.contains(name)
            let effect = t.test == .ks ? t.statistic : t.jensenShannon
            var drift = false
            if let effect, let p = pAdjusted[i] { drift = effect > threshold && p < alpha }
            if isOutput {
                if drift { outputsDrifted.append(name) }
            } else {
                inputCount += 1
                if drift { drifted.append(name) }
            }
            var note = t.note
            if let (side, cell) = pair.inferred[name] {
                note =
                    "read as categorical: line \(cell.line) of the \(side.rawValue) file holds '\(cell.text)', not a number"
                    + (t.note.map { "; \($0)" } ?? "")
            }
            columns.append(
                DriftReport.Column(
                    name: name,
                    type: isOutput ? .output : types[i],
                    test: t.test,
                    statistic: t.statistic,
                    pValue: t.pValue,
                    pAdjusted: pAdjusted[i],
                    psi: t.psi,
                    jensenShannon: t.jensenShannon,
                    missingReference: referenceMissing[i],
                    missingCurrent: t.missing,
                    drift: drift,
                    note: note
                )
            )
        }
        return DriftReport(
            columns: columns,
            driftShare: inputCount == 0 ? 0 : Double(drifted.count) / Double(inputCount),
            drifted: drifted,
            outputsDrifted: outputsDrifted,
            rowsReference: ref.rowCount,
            rowsCurrent: cur.rowCount,
            threshold: threshold,
            alpha: alpha
        )
    }

    /// Buffers the iterations of `concurrentPerform` write at their own index.
    private struct Outputs: Sendable {
        let tests: ParallelBuffer<MonitoringAnalysis.ColumnTest>
        let missing: ParallelBuffer<Int>
        let types: ParallelBuffer<ColumnKind>
    }
}
