import Dispatch
import Foundation

/// Multivariate drift by PCA data reconstruction, as NannyML 0.13.1's
/// `DataReconstructionDriftCalculator` on numerical features (docs/monitoring.md,
/// "Multivariate drift").
///
/// Fitted on the reference (``fit(columns:names:varianceShare:chunkSize:)``):
/// 1. missing values (NaN) are replaced by the column's reference mean (`SimpleImputer`);
/// 2. each column is standardised by its reference mean and standard deviation (ddof 0;
///    a constant column keeps scale 1, as `StandardScaler`);
/// 3. PCA of the standardised reference: the eigenvectors of its covariance matrix
///    (``SymmetricEigen``), the largest first, as many as it takes for their cumulative share
///    of the variance to exceed `varianceShare` (0.65: scikit-learn's
///    `searchsorted(cumsum, 0.65, side='right') + 1`).
///
/// A row's reconstruction error is the Euclidean distance between its standardised values
/// and their projection back from the kept components. A chunk's value is the mean error of
/// its rows; its sampling error the rows' standard deviation (ddof 1) over √rows; the band
/// mean ± 3 × that (the lower end floored at 0).
///
/// The thresholds are the reference's own chunks of `chunkSize` rows: mean ± 3 σ (ddof 0) of
/// their errors; a lower threshold ≤ 0 is dropped (NannyML sets it to None). A chunk drifts
/// when its error is not strictly between them. When the correlations between features
/// change, rows stop lying near the reference's principal plane and the error rises, even
/// when every column's own distribution is unchanged (which no per-column test can see).
///
/// The error does not depend on the signs of the eigenvectors, which any decomposition may
/// flip; they are fixed anyway so that fitted models compare bit for bit.
public struct ReconstructionDrift: Sendable, Equatable, Codable {
    /// The columns used, in order.
    public let columns: [String]
    /// Each column's reference mean over its present values: what a missing value becomes.
    public let imputation: [Double]
    /// The standardisation: subtract `center`, divide by `scale`.
    public let center: [Double]
    /// See ``center``.
    public let scale: [Double]
    /// The mean of the standardised reference (PCA centres on it; ≈ 0).
    public let pcaMean: [Double]
    /// The kept principal components, each a unit vector over the columns.
    public let components: [[Double]]
    /// Every component's share of the total variance, descending.
    public let explainedVarianceRatio: [Double]

    /// Whether fewer components than columns were kept: with all of them the reconstruction
    /// is exact and its error is rounding noise (about 1e-16), so it never says drift.
    public var reconstructsAnything: Bool { components.count < columns.count }
    /// The cumulative share the components had to exceed.
    public let varianceShare: Double
    /// Reference rows fitted on.
    public let referenceRows: Int
    /// The chunk size the thresholds come from (nil: no thresholds).
    public let chunkSize: Int?
    /// The reference chunks' errors.
    public let referenceChunkErrors: [Double]
    /// Reference chunk errors' mean − 3 σ; nil when ≤ 0 or without thresholds.
    public let thresholdLower: Double?
    /// Reference chunk errors' mean + 3 σ; nil without thresholds.
    public let thresholdUpper: Double?

    /// NannyML's default share of variance the components must explain.
    public static let defaultVarianceShare = 0.65

    /// Fits on the reference's numerical `columns` (one array per column, all the same
    /// length; NaN is missing). Columns without any present value are left out. `chunkSize`
    /// sets the reference chunks for the thresholds (nil or fewer than two full chunks: no
    /// thresholds).
    public static func fit(
        columns: [[Double]],
        names: [String],
        varianceShare: Double = defaultVarianceShare,
        chunkSize: Int?
    ) throws(MultivariateError) -> ReconstructionDrift {
        guard columns.count == names.count else { throw .namesMismatch(columns: columns.count, names: names.count) }
        guard varianceShare > 0, varianceShare < 1 else { throw .varianceShare(varianceShare) }
        let rows = columns.first?.count ?? 0
        for (name, column) in zip(names, columns) where column.count != rows {
            throw .lengthMismatch(column: name, count: column.count, rows: rows)
        }
        // Keep columns with a present value.
        var keptNames: [String] = []
        var kept: [[Double]] = []
        var imputation: [Double] = []
        for (name, column) in zip(names, columns) {
            var sum = 0.0
            var count = 0
            for value in column where value.isFinite {
                sum += value
                count += 1
            }
            guard count > 0 else { continue }
            keptNames.append(name)
            kept.append(column)
            imputation.append(sum / Double(count))
        }
        guard !kept.isEmpty else { throw .noColumns }
        guard rows >= 2 else { throw .tooFewRows(rows) }
        let d = kept.count

        // Impute, then standardise (StandardScaler: mean, variance with its correction term).
        var center = [Double](repeating: 0, count: d)
        var scale = [Double](repeating: 1, count: d)
        var pcaMean = [Double](repeating: 0, count: d)
        let n = Double(rows)
        for a in 0..<d {
            var column = kept[a]
            for r in 0..<rows where !column[r].isFinite { column[r] = imputation[a] }
            let mean = column.reduce(0, +) / n
            var squares = 0.0
            var correction = 0.0
            for value in column {
                let diff = value - mean
                squares += diff * diff
                correction += diff
            }
            let variance = (squares - correction * correction / n) / n
            let eps = Double.ulpOfOne
            let constant = variance <= n * eps * variance + (n * mean * eps) * (n * mean * eps)
            center[a] = mean
            scale[a] = constant ? 1 : variance.squareRoot()
            // PCA centres on the standardised columns' own mean (≈ 0).
            var sum = 0.0
            for r in 0..<rows { sum += (column[r] - mean) / scale[a] }
            pcaMean[a] = sum / n
        }

        // PCA: the covariance of the standardised, centred rows, decomposed.
        var model = ReconstructionDrift(
            columns: keptNames,
            imputation: imputation,
            center: center,
            scale: scale,
            pcaMean: pcaMean,
            components: [],
            explainedVarianceRatio: [],
            varianceShare: varianceShare,
            referenceRows: rows,
            chunkSize: nil,
            referenceChunkErrors: [],
            thresholdLower: nil,
            thresholdUpper: nil
        )
        var flat = model.centred(kept, rows: rows)
        let covariance = Self.covariance(&flat, rows: rows, columns: d)
        guard let eigen = SymmetricEigen(matrix: covariance, size: d) else { throw .decompositionFailed }
        let variances = eigen.values.map { max($0, 0) }
        let total = variances.reduce(0, +)
        let ratios = total > 0 ? variances.map { $0 / total } : variances.map { _ in 1 / Double(d) }
        var cumulative = 0.0
        var keep = 0
        for ratio in ratios {
            cumulative += ratio
            keep += 1
            if cumulative > varianceShare { break }
        }
        model = ReconstructionDrift(
            columns: keptNames,
            imputation: imputation,
            center: center,
            scale: scale,
            pcaMean: pcaMean,
            components: Array(eigen.vectors.prefix(keep)),
            explainedVarianceRatio: ratios,
            varianceShare: varianceShare,
            referenceRows: rows,
            chunkSize: nil,
            referenceChunkErrors: [],
            thresholdLower: nil,
            thresholdUpper: nil
        )
        guard let chunkSize else { return model }
        let chunks = PerformanceEstimator.chunks(rows: rows, size: chunkSize, keepIncomplete: false)
        guard chunks.count >= 2 else { return model }
        let errors = model.errors(&flat, rows: rows)
        let chunkErrors = chunks.map { range in errors[range].reduce(0, +) / Double(range.count) }
        let mean = chunkErrors.reduce(0, +) / Double(chunkErrors.count)
        let sd = EstimationMath.standardDeviation(chunkErrors)
        let lower = mean - 3 * sd
        model = ReconstructionDrift(
            columns: keptNames,
            imputation: imputation,
            center: center,
            scale: scale,
            pcaMean: pcaMean,
            components: model.components,
            explainedVarianceRatio: ratios,
            varianceShare: varianceShare,
            referenceRows: rows,
            chunkSize: chunkSize,
            referenceChunkErrors: chunkErrors,
            thresholdLower: lower <= 0 ? nil : lower,
            thresholdUpper: mean + 3 * sd
        )
        return model
    }

    /// Memberwise (decoding and ``fit(columns:names:varianceShare:chunkSize:)``).
    public init(
        columns: [String],
        imputation: [Double],
        center: [Double],
        scale: [Double],
        pcaMean: [Double],
        components: [[Double]],
        explainedVarianceRatio: [Double],
        varianceShare: Double,
        referenceRows: Int,
        chunkSize: Int?,
        referenceChunkErrors: [Double],
        thresholdLower: Double?,
        thresholdUpper: Double?
    ) {
        self.columns = columns
        self.imputation = imputation
        self.center = center
        self.scale = scale
        self.pcaMean = pcaMean
        self.components = components
        self.explainedVarianceRatio = explainedVarianceRatio
        self.varianceShare = varianceShare
        self.referenceRows = referenceRows
        self.chunkSize = chunkSize
        self.referenceChunkErrors = referenceChunkErrors
        self.thresholdLower = thresholdLower
        self.thresholdUpper = thresholdUpper
    }

    /// Rows per block of the parallel passes: a block's rows and the d × d or k × d matrices
    /// they meet stay in cache.
    static let rowBlock = 2_048

    /// The rows of `columns` (this model's, in order; NaN or a short column imputed),
    /// standardised and centred for the PCA, row-major: row r at `[r·d ..< (r + 1)·d]`.
    func centred(_ columns: [[Double]], rows: Int) -> [Double] {
        let d = self.columns.count
        var flat = [Double](repeating: 0, count: rows * d)
        flat.withUnsafeMutableBufferPointer { out in
            for a in 0..<d {
                let source = a < columns.count ? columns[a] : []
                source.withUnsafeBufferPointer { x in
                    let (c, s, m, fill) = (center[a], scale[a], pcaMean[a], imputation[a])
                    for r in 0..<rows {
                        let value = r < x.count && x[r].isFinite ? x[r] : fill
                        out[r * d + a] = (value - c) / s - m
                    }
                }
            }
        }
        return flat
    }

    /// The lower triangle (and diagonal) of the covariance of centred rows (row-major, as
    /// ``centred(_:rows:)`` lays them out), divided by rows − 1, row-major d × d: each block of
    /// rows sums its outer products into its own matrix, in parallel; the blocks' matrices are
    /// then added in block order (so the result does not depend on scheduling).
    static func covariance(_ flat: inout [Double], rows: Int, columns d: Int) -> [Double] {
        let blocks = (rows + rowBlock - 1) / rowBlock
        var partial = [Double](repeating: 0, count: blocks * d * d)
        flat.withParallelBuffer { z in
            partial.withParallelBuffer { out in
                // Block b reads its rows and writes only its own matrix, out[b·d² ..< (b + 1)·d²].
                DispatchQueue.concurrentPerform(iterations: blocks) { b in
                    guard let zBase = z.baseAddress, let outBase = out.baseAddress else { return }
                    let matrix = outBase + b * d * d
                    for r in (b * rowBlock)..<min(rows, (b + 1) * rowBlock) {
                        let row = zBase + r * d
                        for a in 0..<d {
                            let za = row[a]
                            let target = matrix + a * d
                            for c in 0...a { target[c] += za * row[c] }
                        }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: d * d)
        for b in 0..<blocks {
            for i in 0..<(d * d) { total[i] += partial[b * d * d + i] }
        }
        let divisor = Double(max(rows - 1, 1))
        return total.map { $0 / divisor }
    }

    enum CodingKeys: String, CodingKey {
        case columns, imputation, center, scale, pcaMean, components, explainedVarianceRatio, varianceShare
        case referenceRows, chunkSize, referenceChunkErrors, thresholdLower, thresholdUpper
    }

    /// Decodes a model, refusing one whose parts do not fit together (a vector per column,
    /// components over the columns): its arithmetic would read outside them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let columns = try c.decode([String].self, forKey: .columns)
        let d = columns.count
        let perColumn = try [CodingKeys.imputation, .center, .scale, .pcaMean].map {
            try c.decode([Double].self, forKey: $0)
        }
        let components = try c.decode([[Double]].self, forKey: .components)
        guard perColumn.allSatisfy({ $0.count == d }), components.allSatisfy({ $0.count == d }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .components,
                in: c,
                debugDescription: "every per-column vector and component must have one entry per column (\(d))"
            )
        }
        self.init(
            columns: columns,
            imputation: perColumn[0],
            center: perColumn[1],
            scale: perColumn[2],
            pcaMean: perColumn[3],
            components: components,
            explainedVarianceRatio: try c.decode([Double].self, forKey: .explainedVarianceRatio),
            varianceShare: try c.decode(Double.self, forKey: .varianceShare),
            referenceRows: try c.decode(Int.self, forKey: .referenceRows),
            chunkSize: try c.decodeIfPresent(Int.self, forKey: .chunkSize),
            referenceChunkErrors: try c.decode([Double].self, forKey: .referenceChunkErrors),
            thresholdLower: try c.decodeIfPresent(Double.self, forKey: .thresholdLower),
            thresholdUpper: try c.decodeIfPresent(Double.self, forKey: .thresholdUpper)
        )
    }

    /// Each row's reconstruction error. `columns` are this model's ``columns``, in order
    /// (NaN is missing and imputed); a missing column or a shorter one counts as missing.
    public func rowErrors(_ columns: [[Double]]) -> [Double] {
        let rows = columns.map(\.count).max() ?? 0
        guard rows > 0 else { return [] }
        var flat = centred(columns, rows: rows)
        return errors(&flat, rows: rows)
    }

    /// The errors of centred rows (``centred(_:rows:)``): blocks of rows in parallel, each
    /// row projected on the kept components and reconstructed; the residual's length.
    func errors(_ flat: inout [Double], rows: Int) -> [Double] {
        let d = columns.count
        let k = components.count
        var weights = components.flatMap { $0 }
        let blocks = (rows + Self.rowBlock - 1) / Self.rowBlock
        var errors = [Double](repeating: 0, count: rows)
        flat.withParallelBuffer { z in
            weights.withParallelBuffer { w in
                errors.withParallelBuffer { out in
                    // Block b reads its rows and the weights, and writes only its rows' errors.
                    DispatchQueue.concurrentPerform(iterations: blocks) { b in
                        guard let zBase = z.baseAddress else { return }
                        let wBase = w.baseAddress
                        var scratch = [Double](repeating: 0, count: k + d)
                        scratch.withUnsafeMutableBufferPointer { buffer in
                            guard let p = buffer.baseAddress, let wBase else { return }
                            let reconstructed = p + k
                            for r in (b * Self.rowBlock)..<min(rows, (b + 1) * Self.rowBlock) {
                                let row = zBase + r * d
                                // Projections: dot products, four partial sums at a time.
                                for j in 0..<k {
                                    let component = wBase + j * d
                                    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
                                    var a = 0
                                    while a + 4 <= d {
                                        s0 += component[a] * row[a]
                                        s1 += component[a + 1] * row[a + 1]
                                        s2 += component[a + 2] * row[a + 2]
                                        s3 += component[a + 3] * row[a + 3]
                                        a += 4
                                    }
                                    while a < d {
                                        s0 += component[a] * row[a]
                                        a += 1
                                    }
                                    p[j] = (s0 + s1) + (s2 + s3)
                                }
                                // Reconstruction: Σ pⱼ·componentⱼ, component by component.
                                for a in 0..<d { reconstructed[a] = 0 }
                                for j in 0..<k {
                                    let pj = p[j]
                                    let component = wBase + j * d
                                    for a in 0..<d { reconstructed[a] += pj * component[a] }
                                }
                                var squared = 0.0
                                for a in 0..<d {
                                    let residual = row[a] - reconstructed[a]
                                    squared += residual * residual
                                }
                                out[r] = squared.squareRoot()
                            }
                        }
                    }
                }
            }
        }
        return errors
    }

    /// The chunk's (window's) reconstruction error with its band and verdict.
    public func evaluate(_ columns: [[Double]]) -> ReconstructionResult {
        let errors = rowErrors(columns)
        let n = errors.count
        guard n > 0 else {
            return ReconstructionResult(
                rows: 0,
                error: nil,
                samplingError: nil,
                lower: nil,
                upper: nil,
                thresholdLower: thresholdLower,
                thresholdUpper: thresholdUpper,
                drift: false
            )
        }
        let mean = errors.reduce(0, +) / Double(n)
        var samplingError: Double?
        if n > 1 {
            var sum = 0.0
            for e in errors { sum += (e - mean) * (e - mean) }
            samplingError = (sum / Double(n - 1)).squareRoot() / Double(n).squareRoot()
        }
        let low = thresholdLower ?? -.infinity
        let high = thresholdUpper ?? .infinity
        return ReconstructionResult(
            rows: n,
            error: mean,
            samplingError: samplingError,
            lower: samplingError.map { max(mean - 3 * $0, 0) },
            upper: samplingError.map { mean + 3 * $0 },
            thresholdLower: thresholdLower,
            thresholdUpper: thresholdUpper,
            drift: reconstructsAnything && thresholdUpper != nil && !(low < mean && mean < high)
        )
    }
}
