/// A model's metric over labelled predictions, the quantity decay is judged on (docs/design.md §8).
public enum ModelMetric {
    /// The value of `metric` over the pairs, with a 95% Wilson interval for the metrics
    /// that are proportions (accuracy, precision, recall). Nil when it cannot be computed
    /// (no pairs, a regression metric over text, roc_auc without scores or with one class).
    /// `positive` is the positive class for precision, recall, f1 and roc_auc.
    public static func value(
        _ metric: String,
        predictions: [String],
        labels: [String],
        scores: [Double?] = [],
        positive: String?
    ) -> (value: Double, interval: WilsonInterval?)? {
        let n = min(predictions.count, labels.count)
        guard n > 0 else { return nil }
        switch metric {
        case "accuracy":
            var hits = 0
            for i in 0..<n where predictions[i] == labels[i] { hits += 1 }
            return (Double(hits) / Double(n), WilsonInterval.compute(successes: hits, trials: n))
        case "precision", "recall", "f1":
            guard let positive else { return nil }
            var tp = 0
            var fp = 0
            var fn = 0
            for i in 0..<n {
                let p = predictions[i] == positive
                let l = labels[i] == positive
                if p && l { tp += 1 } else if p { fp += 1 } else if l { fn += 1 }
            }
            switch metric {
            case "precision":
                guard tp + fp > 0 else { return nil }
                return (Double(tp) / Double(tp + fp), WilsonInterval.compute(successes: tp, trials: tp + fp))
            case "recall":
                guard tp + fn > 0 else { return nil }
                return (Double(tp) / Double(tp + fn), WilsonInterval.compute(successes: tp, trials: tp + fn))
            default:
                guard 2 * tp + fp + fn > 0 else { return nil }
                return (2 * Double(tp) / Double(2 * tp + fp + fn), nil)
            }
        case "roc_auc":
            guard let positive, scores.count >= n else { return nil }
            var pos: [Double] = []
            var neg: [Double] = []
            for i in 0..<n {
                guard let s = scores[i], s.isFinite else { continue }
                if labels[i] == positive { pos.append(s) } else { neg.append(s) }
            }
            guard !pos.isEmpty, !neg.isEmpty else { return nil }
            return (mannWhitneyAUC(positive: pos, negative: neg), nil)
        case "rmse", "mae", "r2":
            var p: [Double] = []
            var l: [Double] = []
            for i in 0..<n {
                guard let a = Double(predictions[i]), let b = Double(labels[i]) else { return nil }
                p.append(a)
                l.append(b)
            }
            if metric == "mae" { return (zip(p, l).map { abs($0 - $1) }.reduce(0, +) / Double(n), nil) }
            let sse = zip(p, l).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            if metric == "rmse" { return ((sse / Double(n)).squareRoot(), nil) }
            let mean = l.reduce(0, +) / Double(n)
            let sst = l.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
            guard sst > 0 else { return nil }
            return (1 - sse / sst, nil)
        default:
            return nil
        }
    }

    /// Whether a smaller value is better (errors) rather than a larger one.
    public static func lowerIsBetter(_ metric: String) -> Bool { PromotionGates.lowerIsBetter.contains(metric) }

    /// The relative drop of `current` against `baseline`, in the metric's direction:
    /// positive when worse. Nil when the baseline is 0.
    public static func relativeDrop(metric: String, baseline: Double, current: Double) -> Double? {
        guard baseline != 0 else { return nil }
        return lowerIsBetter(metric) ? (current - baseline) / abs(baseline) : (baseline - current) / abs(baseline)
    }

    /// ROC AUC as the Mann–Whitney probability that a positive outscores a negative (ties half).
    static func mannWhitneyAUC(positive: [Double], negative: [Double]) -> Double {
        let all = (positive.map { ($0, true) } + negative.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j where all[k].1 { rankSum += rank }
            i = j + 1
        }
        let np = Double(positive.count)
        let nn = Double(negative.count)
        return (rankSum - np * (np + 1) / 2) / (np * nn)
    }
}
