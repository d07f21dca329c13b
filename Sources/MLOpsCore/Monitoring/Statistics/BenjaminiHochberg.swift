/// Benjamini–Hochberg adjusted p-values (false discovery rate), as
/// `scipy.stats.false_discovery_control(ps, method='bh')` computes them.
///
/// A model has tens of features and each check tests all of them: at α = 0.01 without
/// correction, one of fifty stable features would be flagged every other check. docs/design.md §8
/// therefore compares each feature's adjusted p-value with `drift_alpha`. With the
/// p-values sorted ascending, p_(i) becomes p_(i)·(m/i); then, from the largest down, each
/// is replaced by the smallest value at or after it (so adjusted values keep the order of
/// the raw ones), and the results are returned in the input's order.
public enum BenjaminiHochberg {
    /// Adjusted p-values in the order of `pValues`. Nil when a value is NaN or outside
    /// [0, 1]; zero or one value is returned unchanged.
    public static func adjust(_ pValues: [Double]) -> [Double]? {
        guard pValues.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return nil }
        let m = pValues.count
        if m <= 1 { return pValues }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: m)
        var running = Double.infinity
        for rank in stride(from: m, through: 1, by: -1) {
            let index = order[rank - 1]
            running = min(running, pValues[index] * (Double(m) / Double(rank)))
            adjusted[index] = running
        }
        return adjusted
    }
}
