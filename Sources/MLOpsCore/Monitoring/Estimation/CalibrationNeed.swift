/// Whether a class's scores gain from calibration, decided as NannyML 0.13.1's
/// `needs_calibration` decides it, and the expected calibration error it compares.
///
/// - One class only, or ROC AUC > 0.999: no.
/// - Otherwise 10 stratified shuffle splits, each holding out ⌈10%⌉ of the rows: the
///   calibrator is fitted on the rest, and the held-out scores, calibrated and not, are
///   pooled over the splits. Calibration is needed when the pooled expected calibration
///   error (10 equal-count bins of the sorted scores, |mean score − share of positives|
///   weighted by the bin's size) is lower after calibration than before.
///
/// NannyML draws the splits with scikit-learn's `StratifiedShuffleSplit(random_state=42)`
/// (NumPy's Mersenne Twister). Here they come from ``SplitMix64`` seeded with 42 and the split
/// number, with each class's rows divided between fit and held-out in proportion (largest
/// remainders, ties to the first class). So the held-out rows differ; the decision agrees
/// whenever the scores are clearly calibrated or clearly not, and can differ only when the
/// two errors are within sampling noise of each other — where calibrating or not changes the
/// estimate little. Sorting for the bins is stable here (NumPy's quicksort is not, which makes
/// its bins at tied scores arbitrary).
public enum CalibrationNeed {
    /// Splits, held-out share and bins, as NannyML.
    public static let splits = 10
    /// The share of rows each split holds out.
    public static let heldOutShare = 0.1
    /// Bins of the expected calibration error.
    public static let bins = 10

    /// The decision for `scores` against `outcomes` (true: the row's label is the class),
    /// with a calibrator of `method`. False when there are too few rows of a class to split
    /// (fewer than 2), as there is nothing to learn from.
    public static func needsCalibration(
        scores: [Double],
        outcomes: [Bool],
        method: ScoreCalibration.Method
    ) -> Bool {
        let n = min(scores.count, outcomes.count)
        let positives = outcomes.prefix(n).filter { $0 }.count
        guard positives > 0, positives < n else { return false }
        if let auc = EstimationMath.rocAUC(scores: Array(scores.prefix(n)), outcomes: Array(outcomes.prefix(n))),
            auc > 0.999
        {
            return false
        }
        let classRows: [[Int]] = [
            (0..<n).filter { !outcomes[$0] },
            (0..<n).filter { outcomes[$0] },
        ]
        guard classRows.allSatisfy({ $0.count >= 2 }) else { return false }
        let heldOut = Int((heldOutShare * Double(n)).rounded(.up))
        let fit = n - heldOut
        guard fit >= 2, heldOut >= 2 else { return false }
        let fitPerClass = allocate(fit, counts: classRows.map(\.count))

        var pooledOutcomes: [Bool] = []
        var pooledScores: [Double] = []
        var pooledCalibrated: [Double] = []
        for split in 0..<splits {
            var rng = SplitMix64(seed: 42 &+ UInt64(split) &* 0x9E37_79B9)
            var fitRows: [Int] = []
            var testRows: [Int] = []
            for (c, rows) in classRows.enumerated() {
                var shuffled = rows
                rng.shuffle(&shuffled)
                fitRows += shuffled[0..<fitPerClass[c]]
                testRows += shuffled[fitPerClass[c]...]
            }
            fitRows.sort()
            testRows.sort()
            guard
                let calibration = ScoreCalibration.fitted(
                    method,
                    scores: fitRows.map { scores[$0] },
                    outcomes: fitRows.map { outcomes[$0] }
                )
            else { return false }
            for row in testRows {
                pooledOutcomes.append(outcomes[row])
                pooledScores.append(scores[row])
                pooledCalibrated.append(calibration.calibrate(scores[row]))
            }
        }
        let before = expectedCalibrationError(scores: pooledScores, outcomes: pooledOutcomes)
        let after = expectedCalibrationError(scores: pooledCalibrated, outcomes: pooledOutcomes)
        return before > after
    }

    /// `total` divided in proportion to `counts`: floors, then one more to the largest
    /// remainders (ties to the lower index).
    static func allocate(_ total: Int, counts: [Int]) -> [Int] {
        let sum = counts.reduce(0, +)
        guard sum > 0 else { return counts.map { _ in 0 } }
        var shares = counts.map { $0 * total / sum }
        var left = total - shares.reduce(0, +)
        let order = counts.indices.sorted { a, b in
            let ra = counts[a] * total % sum
            let rb = counts[b] * total % sum
            return ra != rb ? ra > rb : a < b
        }
        for c in order where left > 0 && shares[c] < counts[c] {
            shares[c] += 1
            left -= 1
        }
        return shares
    }

    /// The bins NannyML's `_get_bin_index_edges(length, bins)` makes: edges every
    /// ⌊length / bins⌋ rows from 0, the last edge moved to `length` (so a remainder can make
    /// more bins than asked); with fewer than 2·bins rows, ⌊length / 2⌋ bins. Empty when fewer
    /// than 2 bins would result.
    static func binEdges(length: Int, bins: Int) -> [(Int, Int)] {
        var count = bins
        if length <= 2 * count {
            count = length / 2
            guard count >= 2 else { return [] }
        }
        let width = length / count
        var edges = Array(stride(from: 0, through: length, by: width))
        edges[edges.count - 1] = length
        return zip(edges, edges.dropFirst()).map { ($0, $1) }
    }

    /// Σ over equal-count bins of the sorted scores: (bin rows / rows) · |mean score − share
    /// of positives|. Zero when there are too few rows for 2 bins.
    public static func expectedCalibrationError(scores: [Double], outcomes: [Bool], bins: Int = bins) -> Double {
        let n = min(scores.count, outcomes.count)
        let order = (0..<n).sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var total = 0.0
        for (left, right) in binEdges(length: n, bins: bins) where right > left {
            var scoreSum = 0.0
            var positives = 0
            for k in left..<right {
                scoreSum += scores[order[k]]
                positives += outcomes[order[k]] ? 1 : 0
            }
            let size = Double(right - left)
            total += size / Double(n) * abs(scoreSum / size - Double(positives) / size)
        }
        return total
    }
}
