import Foundation

/// The arithmetic of confidence-based performance estimation, each function as NannyML
/// 0.13.1 computes it (named after its counterpart in `nannyml.performance_estimation.
/// confidence_based.metrics` and `nannyml.sampling_error`).
enum EstimationMath {
    /// ROC AUC of `scores` against `outcomes` (Mann–Whitney, ties half, as
    /// `sklearn.metrics.roc_auc_score`); nil when one class is absent.
    static func rocAUC(scores: [Double], outcomes: [Bool]) -> Double? {
        var positive: [Double] = []
        var negative: [Double] = []
        for (score, outcome) in zip(scores, outcomes) where score.isFinite {
            if outcome { positive.append(score) } else { negative.append(score) }
        }
        guard !positive.isEmpty, !negative.isEmpty else { return nil }
        return ModelMetric.mannWhitneyAUC(positive: positive, negative: negative)
    }

    /// `estimate_roc_auc`: the rows in descending order of the uncalibrated score; the
    /// expected true positives are the running sum of the calibrated probabilities and the
    /// expected false positives the rows so far minus them; both rounded to 5 decimals
    /// (`np.round`: ×10⁵, round half to even, ÷10⁵), divided by their totals into the ROC
    /// curve, whose area is the trapezoid rule. Nil when a total is 0 (every probability 0
    /// or 1) or no row is given.
    static func estimatedROCAUC(calibrated: [Double], scores: [Double]) -> Double? {
        let n = min(calibrated.count, scores.count)
        guard n > 0 else { return nil }
        // Descending score; ties keep a fixed order (equal scores have equal calibrated
        // probabilities, so their order does not change the area).
        let order = (0..<n).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }
        var tps = [Double](repeating: 0, count: n + 1)
        var fps = [Double](repeating: 0, count: n + 1)
        var running = 0.0
        for (k, row) in order.enumerated() {
            running += calibrated[row]
            tps[k + 1] = running
            fps[k + 1] = Double(k + 1) - running
        }
        for k in 0...n {
            tps[k] = round5(tps[k])
            fps[k] = round5(fps[k])
        }
        let tpTotal = tps[n]
        let fpTotal = fps[n]
        guard tpTotal != 0, fpTotal != 0, tpTotal.isFinite, fpTotal.isFinite else { return nil }
        var area = 0.0
        for k in 0..<n {
            let dx = fps[k + 1] / fpTotal - fps[k] / fpTotal
            area += dx * (tps[k + 1] / tpTotal + tps[k] / tpTotal) / 2
        }
        return area
    }

    /// `np.round(x, 5)`.
    @inline(__always) static func round5(_ x: Double) -> Double { (x * 1e5).rounded(.toNearestOrEven) / 1e5 }

    /// The binary estimates from calibrated probabilities of the positive class and whether
    /// each row was predicted positive: `estimate_accuracy`, `estimate_precision`,
    /// `estimate_recall` and `estimate_f1` (a zero denominator gives 0, as NannyML).
    static func expectedConfusion(calibrated: [Double], predictedPositive: [Bool]) -> ExpectedConfusion {
        var tp = 0.0
        var fp = 0.0
        var fn = 0.0
        var tn = 0.0
        for (p, predicted) in zip(calibrated, predictedPositive) {
            if predicted {
                tp += p
                fp += 1 - p
            } else {
                fn += p
                tn += 1 - p
            }
        }
        return ExpectedConfusion(tp: tp, fp: fp, fn: fn, tn: tn, rows: min(calibrated.count, predictedPositive.count))
    }

    /// An expected (or counted) confusion matrix of one class against the rest.
    struct ExpectedConfusion {
        var tp: Double
        var fp: Double
        var fn: Double
        var tn: Double
        var rows: Int

        var accuracy: Double? { rows > 0 ? (tp + tn) / Double(rows) : nil }
        var precision: Double { tp + fp != 0 ? tp / (tp + fp) : 0 }
        var recall: Double { tp + fn != 0 ? tp / (tp + fn) : 0 }
        var f1: Double {
            let denominator = tp + 0.5 * (fp + fn)
            return denominator != 0 ? tp / denominator : 0
        }
    }

    /// `np.std` (population, ddof 0) by two passes, as NumPy; NaN when empty.
    static func standardDeviation(_ values: [Double]) -> Double { variance(values).squareRoot() }

    /// `np.var` (ddof 0); NaN when empty.
    static func variance(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        var sum = 0.0
        for value in values {
            let d = value - mean
            sum += d * d
        }
        return sum / Double(values.count)
    }

    /// The variance of `ones` ones and `zeros` zeros (ddof 0); NaN when there are none.
    static func bernoulliVariance(ones: Int, zeros: Int) -> Double {
        let n = ones + zeros
        guard n > 0 else { return .nan }
        let p = Double(ones) / Double(n)
        return p * (1 - p)
    }

    /// `auroc_sampling_error_components` for one class against the rest: with the minority
    /// made the positive side (labels and scores flipped when more than half are positive),
    /// the rows sorted by score, for each positive at rank r > 0 (the i-th such) the value
    /// (r − i)/N₋; returns their variance (ddof 0) and the positive share. Nil when a side is
    /// empty.
    static func aurocComponents(scores: [Double], outcomes: [Bool]) -> (variance: Double, fraction: Double)? {
        let n = min(scores.count, outcomes.count)
        guard n > 0 else { return nil }
        var positives = outcomes.prefix(n).filter { $0 }.count
        var flip = false
        if Double(positives) / Double(n) > 0.5 {
            flip = true
            positives = n - positives
        }
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return nil }
        let value: (Int) -> Double = { flip ? 1 - scores[$0] : scores[$0] }
        let isPositive: (Int) -> Bool = { flip ? !outcomes[$0] : outcomes[$0] }
        let order = (0..<n).sorted { value($0) < value($1) || (value($0) == value($1) && $0 < $1) }
        var ser: [Double] = []
        ser.reserveCapacity(positives)
        var i = 0
        for (rank, row) in order.enumerated() where rank > 0 && isPositive(row) {
            ser.append(Double(rank - i) / Double(negatives))
            i += 1
        }
        guard !ser.isEmpty else { return (0, Double(positives) / Double(n)) }
        return (variance(ser), Double(positives) / Double(n))
    }
}
