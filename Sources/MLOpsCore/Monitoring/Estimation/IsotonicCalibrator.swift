/// Isotonic regression of outcomes (0/1) on scores: the calibration NannyML's CBPE fits on the
/// reference (`IsotonicCalibrator`, i.e. scikit-learn's
/// `IsotonicRegression(out_of_bounds='clip', increasing=True)`), written out so that the
/// calibrated probabilities are scikit-learn's on the same inputs.
///
/// Fit, as `IsotonicRegression.fit`:
/// 1. the pairs are ordered by score, then outcome (`np.lexsort((y, X))`);
/// 2. scores closer than 1e-15 to the first score of their run are one point whose outcome
///    is the run's mean (`_make_unique`, whose tolerance is `np.finfo(float64).resolution`);
/// 3. pool adjacent violators over those points, each weighted by its row count: the
///    non-decreasing step function closest to the means in weighted least squares. Each
///    pooled value is computed here as (positives in the block) / (rows in the block), one
///    correctly rounded division, where scipy divides running sums: the two agree to an ulp
///    or so;
/// 4. inner points of a run of equal values are dropped (they change nothing in the
///    interpolation).
///
/// Calibrate, as `predict`: the score is clipped to the fitted range, then interpolated
/// linearly between the neighbouring points exactly as `np.interp` does
/// (`slope·(x − xⱼ) + yⱼ` with xⱼ the last point ≤ x; a single point gives a constant).
public struct IsotonicCalibrator: Sendable, Equatable, Codable {
    /// The interpolation points' scores, ascending.
    public let knots: [Double]
    /// The calibrated probability at each knot, non-decreasing.
    public let values: [Double]

    /// The tolerance under which two scores are one point (`np.finfo(np.float64).resolution`).
    static let uniqueTolerance = 1e-15

    /// A calibrator from its points (decoding, tests). Nil when the arrays are empty, differ
    /// in length, are not finite, or are not ascending.
    public init?(knots: [Double], values: [Double]) {
        guard !knots.isEmpty, knots.count == values.count,
            knots.allSatisfy(\.isFinite), values.allSatisfy(\.isFinite),
            zip(knots, knots.dropFirst()).allSatisfy({ $0 < $1 })
        else { return nil }
        self.knots = knots
        self.values = values
    }

    enum CodingKeys: String, CodingKey { case knots, values }

    /// Decodes a calibrator, refusing points ``init(knots:values:)`` would refuse.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let knots = try c.decode([Double].self, forKey: .knots)
        let values = try c.decode([Double].self, forKey: .values)
        guard let valid = IsotonicCalibrator(knots: knots, values: values) else {
            throw DecodingError.dataCorruptedError(
                forKey: .knots,
                in: c,
                debugDescription: "isotonic points must be non-empty, finite, as many values as knots, knots ascending"
            )
        }
        self = valid
    }

    /// Fits on the scores and whether each row's label is the positive class. Rows whose
    /// score is not finite are left out; nil when no row is left or the arrays differ in
    /// length.
    public init?(scores: [Double], outcomes: [Bool]) {
        guard scores.count == outcomes.count else { return nil }
        var pairs: [(score: Double, positive: Bool)] = []
        pairs.reserveCapacity(scores.count)
        for (score, outcome) in zip(scores, outcomes) where score.isFinite { pairs.append((score, outcome)) }
        guard !pairs.isEmpty else { return nil }
        pairs.sort { $0.score < $1.score || ($0.score == $1.score && !$0.positive && $1.positive) }

        // Unique points: (score, positives, rows).
        var xs: [Double] = []
        var positives: [Int] = []
        var rows: [Int] = []
        var current = pairs[0].score
        var groupPositives = 0
        var groupRows = 0
        for pair in pairs {
            if pair.score - current >= Self.uniqueTolerance {
                xs.append(current)
                positives.append(groupPositives)
                rows.append(groupRows)
                current = pair.score
                groupPositives = 0
                groupRows = 0
            }
            groupPositives += pair.positive ? 1 : 0
            groupRows += 1
        }
        xs.append(current)
        positives.append(groupPositives)
        rows.append(groupRows)

        let fitted = Self.poolAdjacentViolators(positives: positives, rows: rows)

        // Keep the ends and every point whose value differs from a neighbour's.
        var knots: [Double] = []
        var values: [Double] = []
        knots.reserveCapacity(xs.count)
        values.reserveCapacity(xs.count)
        for i in xs.indices {
            let inner = i > 0 && i < xs.count - 1
            if inner && fitted[i] == fitted[i - 1] && fitted[i] == fitted[i + 1] { continue }
            knots.append(xs[i])
            values.append(fitted[i])
        }
        self.knots = knots
        self.values = values
    }

    /// The non-decreasing fit of positives/rows per point, weighted by rows: blocks on a
    /// stack, each merged with the one before it while its mean is not above that one's.
    static func poolAdjacentViolators(positives: [Int], rows: [Int]) -> [Double] {
        // Block i covers points start[i]..<start[i + 1] (the last one to the end).
        var blockPositives: [Int] = []
        var blockRows: [Int] = []
        var blockStart: [Int] = []
        blockPositives.reserveCapacity(positives.count)
        blockRows.reserveCapacity(positives.count)
        blockStart.reserveCapacity(positives.count)
        for i in positives.indices {
            var p = positives[i]
            var n = rows[i]
            var start = i
            // Merge while the previous block's mean ≥ this one's: p'/n' ≥ p/n ⇔ p'·n ≥ p·n'.
            while let lastP = blockPositives.last, let lastN = blockRows.last, lastP * n >= p * lastN {
                p += lastP
                n += lastN
                start = blockStart[blockStart.count - 1]
                blockPositives.removeLast()
                blockRows.removeLast()
                blockStart.removeLast()
            }
            blockPositives.append(p)
            blockRows.append(n)
            blockStart.append(start)
        }
        var fitted = [Double](repeating: 0, count: positives.count)
        for b in blockStart.indices {
            let end = b + 1 < blockStart.count ? blockStart[b + 1] : positives.count
            let value = Double(blockPositives[b]) / Double(blockRows[b])
            for i in blockStart[b]..<end { fitted[i] = value }
        }
        return fitted
    }

    /// The calibrated probability of `score`: clipped to the fitted range, then interpolated.
    /// NaN stays NaN.
    public func calibrate(_ score: Double) -> Double {
        guard !score.isNaN else { return .nan }
        let count = knots.count
        guard count > 1 else { return values[0] }
        let x = min(max(score, knots[0]), knots[count - 1])
        if x >= knots[count - 1] { return values[count - 1] }
        // j: the last knot ≤ x (x ≥ knots[0] after the clip).
        var low = 0
        var high = count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if knots[middle] <= x { low = middle } else { high = middle }
        }
        let j = low
        if knots[j] == x { return values[j] }
        let slope = (values[j + 1] - values[j]) / (knots[j + 1] - knots[j])
        return slope * (x - knots[j]) + values[j]
    }

    /// ``calibrate(_:)`` on every score.
    public func calibrate(_ scores: [Double]) -> [Double] { scores.map { calibrate($0) } }
}
