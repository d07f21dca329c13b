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
        var standardized = kept
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
            for r in 0..<rows { column[r] = (column[r] - mean) / scale[a] }
            standardized[a] = column
        }

        // PCA: the covariance of the standardised columns, decomposed.
        let pcaMean = standardized.map { $0.reduce(0, +) / n }
        var centered = standardized
        for a in 0..<d { for r in 0..<rows { centered[a][r] -= pcaMean[a] } }
        let columnsForCovariance = centered
        var covariance = [Double](repeating: 0, count: d * d)
        covariance.withParallelBuffer { out in
            // Row a of the lower triangle per iteration: iteration a writes only row a.
            DispatchQueue.concurrentPerform(iterations: d) { a in
                columnsForCovariance[a].withUnsafeBufferPointer { x in
                    for b in 0...a {
                        let dot = columnsForCovariance[b].withUnsafeBufferPointer { y in
                            var sum = 0.0
                            for r in 0..<rows { sum += x[r] * y[r] }
                            return sum
                        }
                        out[a * d + b] = dot / (n - 1)
                    }
                }
            }
        }
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
        let components = Array(eigen.vectors.prefix(keep))

        var model = ReconstructionDrift(
            columns: keptNames,
            imputation: imputation,
            center: center,
            scale: scale,
            pcaMean: pcaMean,
            components: components,
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
        let errors = model.rowErrors(kept)
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
            components: components,
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

    /// Each row's reconstruction error. `columns` are this model's ``columns``, in order
    /// (NaN is missing and imputed); a missing column or a shorter one counts as missing.
    public func rowErrors(_ columns: [[Double]]) -> [Double] {
        let d = self.columns.count
        let rows = columns.map(\.count).max() ?? 0
        guard rows > 0 else { return [] }
        // z: imputed, standardised and centred, column by column.
        var z = [[Double]](repeating: [], count: d)
        for a in 0..<d {
            let source = a < columns.count ? columns[a] : []
            var column = [Double](repeating: 0, count: rows)
            for r in 0..<rows {
                let value = r < source.count && source[r].isFinite ? source[r] : imputation[a]
                column[r] = (value - center[a]) / scale[a] - pcaMean[a]
            }
            z[a] = column
        }
        // Residual = z − Wᵀ(W z), accumulated over the components column-wise.
        var residual = z
        var projection = [Double](repeating: 0, count: rows)
        for component in components {
            for r in 0..<rows { projection[r] = 0 }
            for a in 0..<d {
                let w = component[a]
                z[a].withUnsafeBufferPointer { x in
                    for r in 0..<rows { projection[r] += w * x[r] }
                }
            }
            for a in 0..<d {
                let w = component[a]
                residual[a].withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows { out[r] -= w * projection[r] }
                }
            }
        }
        var squared = [Double](repeating: 0, count: rows)
        for a in 0..<d {
            residual[a].withUnsafeBufferPointer { x in
                for r in 0..<rows { squared[r] += x[r] * x[r] }
            }
        }
        return squared.map { $0.squareRoot() }
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
            drift: thresholdUpper != nil && !(low < mean && mean < high)
        )
    }
}
