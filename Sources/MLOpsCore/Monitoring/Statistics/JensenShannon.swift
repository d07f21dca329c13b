import Foundation

/// Jensen–Shannon distance between two distributions, base 2, as
/// `scipy.spatial.distance.jensenshannon(p, q, base=2)` computes it.
///
/// docs/design.md §8 reports it for categorical features and segment fields: unlike KL divergence
/// it is symmetric, finite when a category is missing on one side, and bounded — in [0, 1]
/// with base 2 (0 for identical distributions, 1 for disjoint supports). Both vectors are
/// normalised to sum 1 (so raw counts are fine), m = (p + q)/2, and
///
///     JSD = √( (KL(p‖m) + KL(q‖m)) / (2·ln 2) ).
///
/// One deliberate difference: rounding can make the sum under the root a tiny negative
/// number for nearly equal inputs, where scipy returns NaN; here it is clamped to 0.
public enum JensenShannon {
    /// The distance between two aligned non-negative vectors (counts or probabilities).
    /// Nil when the lengths differ, they are empty, a value is negative or not finite, or a
    /// side sums to 0.
    public static func distance(_ p: [Double], _ q: [Double]) -> Double? {
        guard p.count == q.count, !p.isEmpty,
            p.allSatisfy({ $0 >= 0 && $0.isFinite }), q.allSatisfy({ $0 >= 0 && $0.isFinite })
        else { return nil }
        let pSum = p.reduce(0, +)
        let qSum = q.reduce(0, +)
        guard pSum > 0, qSum > 0 else { return nil }
        var left = 0.0
        var right = 0.0
        for (pi, qi) in zip(p, q) {
            let a = pi / pSum
            let b = qi / qSum
            let m = (a + b) / 2
            if a > 0 { left += a * log(a / m) }
            if b > 0 { right += b * log(b / m) }
        }
        let js = (left + right) / log(2.0)
        return max(js / 2, 0).squareRoot()
    }

    /// The distance between two categorical count tables, over the union of their
    /// categories (a category missing on one side counts 0 there). Nil when a count is
    /// negative or a side has no counts.
    public static func distance(reference: [String: Int], current: [String: Int]) -> Double? {
        let categories = Set(reference.keys).union(current.keys).sorted()
        return distance(
            categories.map { Double(reference[$0] ?? 0) },
            categories.map { Double(current[$0] ?? 0) }
        )
    }
}
