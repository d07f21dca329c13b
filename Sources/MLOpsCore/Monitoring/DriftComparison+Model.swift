extension DriftComparison {
    /// The model figures of `mlopsctl drift` on two files read with `outputs`
    /// (``read(reference:current:categorical:maxColumns:outputs:)``):
    /// - the CBPE estimate (``PerformanceEstimator``), when a target, a prediction and scores
    ///   are named: fitted on the reference's labelled rows, applied to each chunk of the
    ///   current file (with the realized metrics beside it when the current file has the
    ///   target column too);
    /// - the multivariate drift (``ReconstructionDrift``) of the numerical input columns (not
    ///   outputs, not the target), when there are at least two.
    ///
    /// Chunks: `chunkSize` rows of the current file each (the last may be shorter); nil makes
    /// the whole file one chunk. The reference is cut into full chunks of the same size for the
    /// thresholds (of the current file's size when `chunkSize` is nil). `multivariate: false`
    /// skips the PCA test.
    public static func modelFigures(
        _ pair: Pair,
        outputs: ModelOutputColumns,
        chunkSize: Int? = nil,
        varianceShare: Double = ReconstructionDrift.defaultVarianceShare,
        multivariate includeMultivariate: Bool = true
    ) throws(DriftInputError) -> DriftModelFigures {
        let rows = pair.current.rowCount
        let size = chunkSize ?? max(rows, 1)
        let chunks = PerformanceEstimator.chunks(rows: rows, size: size, keepIncomplete: true)
        return DriftModelFigures(
            estimate: try estimate(pair, outputs: outputs, size: size, chunks: chunks),
            multivariate: includeMultivariate
                ? multivariate(pair, outputs: outputs, size: size, chunks: chunks, share: varianceShare) : nil
        )
    }

    /// The numerical column `name` of `csv`, or nil.
    static func numbers(_ csv: ColumnarCSV, _ name: String) -> [Double]? {
        guard let index = csv.column(name), case .numerical(let values) = csv.columns[index] else { return nil }
        return values
    }

    /// The text column `name` of `csv` (empty cells nil), or nil when there is none.
    static func texts(_ csv: ColumnarCSV, _ name: String) -> [String?]? {
        guard let index = csv.column(name) else { return nil }
        switch csv.columns[index] {
        case .categorical(let categories): return (0..<csv.rowCount).map { categories.value(at: $0) }
        case .numerical(let values): return values.map { $0.isNaN ? nil : "\($0)" }
        }
    }

    static func estimate(
        _ pair: Pair,
        outputs: ModelOutputColumns,
        size: Int,
        chunks: [Range<Int>]
    ) throws(DriftInputError) -> DriftModelFigures.Estimate? {
        guard outputs.canEstimate, let target = outputs.target, let prediction = outputs.prediction,
            let labels = texts(pair.reference, target),
            let referencePredictions = texts(pair.reference, prediction),
            let currentPredictions = texts(pair.current, prediction)
        else { return nil }
        var referenceScores: [[Double]] = []
        var currentScores: [[Double]] = []
        for name in outputs.scores {
            guard let a = numbers(pair.reference, name), let b = numbers(pair.current, name) else { return nil }
            referenceScores.append(a)
            currentScores.append(b)
        }
        var classes = outputs.classes
        if outputs.scores.count == 1 && classes.count != 2 {
            // Binary: the values seen, sorted; the positive class last.
            var seen = Set(labels.compactMap { $0 })
            seen.formUnion(referencePredictions.compactMap { $0 })
            seen.formUnion(currentPredictions.compactMap { $0 })
            if let positive = outputs.positive { seen.insert(positive) }
            guard seen.count <= 2 else { throw .tooManyClassesForOneScore(seen.sorted()) }
            classes = seen.sorted()
            if let positive = outputs.positive {
                classes = classes.filter { $0 != positive } + [positive]
            }
        }
        let estimator: PerformanceEstimator
        let current: ClassifierOutputs
        do {
            let reference = try ClassifierOutputs(
                classes: classes,
                predictions: referencePredictions,
                scores: referenceScores
            )
            current = try ClassifierOutputs(classes: classes, predictions: currentPredictions, scores: currentScores)
            estimator = try PerformanceEstimator.fit(reference: reference, labels: labels, chunkSize: size)
        } catch { throw .estimation(error) }
        let currentLabels = texts(pair.current, target)
        var results: [DriftModelFigures.Chunk<PerformanceEstimate>] = []
        for range in chunks {
            let part = try? ClassifierOutputs(
                classes: classes,
                predictions: Array(current.predictions[range]),
                scores: current.scores.map { Array($0[range]) }
            )
            guard let part else { continue }
            let estimate = estimator.estimate(part, labels: currentLabels.map { Array($0[range]) })
            results.append(.init(start: range.lowerBound, end: range.upperBound, value: estimate))
        }
        return DriftModelFigures.Estimate(
            classes: classes,
            calibration: estimator.calibrations.map(\.method),
            referenceRows: estimator.referenceRows,
            thresholdChunkSize: estimator.chunkSize,
            baseline: estimator.references.map { .init(metric: $0.metric, value: $0.realized) },
            chunks: results
        )
    }

    static func multivariate(
        _ pair: Pair,
        outputs: ModelOutputColumns,
        size: Int,
        chunks: [Range<Int>],
        share: Double
    ) -> DriftModelFigures.Multivariate? {
        let excluded = Set(outputs.outputNames + (outputs.target.map { [$0] } ?? []))
        var names: [String] = []
        var reference: [[Double]] = []
        var current: [[Double]] = []
        for name in pair.reference.header where !excluded.contains(name) {
            guard let a = numbers(pair.reference, name), let b = numbers(pair.current, name) else { continue }
            names.append(name)
            reference.append(a)
            current.append(b)
        }
        guard names.count >= 2,
            let model = try? ReconstructionDrift.fit(
                columns: reference,
                names: names,
                varianceShare: share,
                chunkSize: size
            )
        else { return nil }
        let used = model.columns.compactMap { names.firstIndex(of: $0) }
        let results = chunks.map { range in
            DriftModelFigures.Chunk(
                start: range.lowerBound,
                end: range.upperBound,
                value: model.evaluate(used.map { Array(current[$0][range]) })
            )
        }
        return DriftModelFigures.Multivariate(
            columns: model.columns,
            components: model.components.count,
            varianceShare: share,
            explainedVariance: model.explainedVarianceRatio.prefix(model.components.count).reduce(0, +),
            thresholdChunkSize: model.chunkSize,
            thresholdLower: model.thresholdLower,
            thresholdUpper: model.thresholdUpper,
            chunks: results
        )
    }
}
