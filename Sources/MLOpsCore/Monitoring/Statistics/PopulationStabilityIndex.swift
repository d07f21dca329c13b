import Foundation

/// Population Stability Index: how far the current distribution of a feature has moved
/// from its reference, as one number (docs/design.md §8 reports it beside KS and chi-square).
///
///     PSI = Σ_bins (c_i − r_i) · ln(c_i / r_i)
///
/// where r_i and c_i are the shares of the reference and current values in bin i, each
/// floored at `epsilon` (default 1e-4) so an empty bin gives a large but finite term rather
/// than an infinite one. The floor is applied without renormalising. Common reading:
/// < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
///
/// Numerical bins come from the reference's quantiles at 1/bins, 2/bins, …, (bins−1)/bins,
/// computed as `numpy.quantile`'s default ('linear', the (n−1)·q interpolation, with numpy's
/// two-sided lerp so edges are bit-identical). Equal edges (a reference with many ties) are
/// collapsed, so fewer bins may remain. Outer bins are open: (−∞, e1), [e1, e2), …,
/// [e_last, +∞) — a value equal to an edge goes to the bin above, as
/// `numpy.searchsorted(edges, x, side='right')` places it. A constant reference gives
/// two bins, below it and from it up.
///
/// Values must be finite: a NaN or infinite value gives nil (filter with `FiniteSample`).
public enum PopulationStabilityIndex {
    /// The default floor for a bin's share.
    public static let defaultEpsilon = 1e-4

    /// PSI of `current` against `reference` (sorted ascending) over reference quantile bins.
    /// Nil when either is empty, a value is not finite, the reference is not sorted,
    /// `bins` < 1 or `epsilon` is not positive.
    public static func compute(
        reference: [Double],
        current: [Double],
        bins: Int = 10,
        epsilon: Double = defaultEpsilon
    ) -> Double? {
        guard bins >= 1, epsilon > 0, !reference.isEmpty, !current.isEmpty,
            KolmogorovSmirnov.isAscendingFinite(reference),
            current.allSatisfy(\.isFinite)
        else { return nil }
        let edges = binEdges(sortedReference: reference, bins: bins)
        let referenceShares = shares(of: reference, edges: edges)
        let currentShares = shares(of: current, edges: edges)
        return index(reference: referenceShares, current: currentShares, epsilon: epsilon)
    }

    /// PSI between two categorical count tables, one bin per category seen in either
    /// (a category missing on one side counts 0 there). Nil when either side has no
    /// positive total, a count is negative, or `epsilon` is not positive.
    public static func compute(
        referenceCounts: [String: Int],
        currentCounts: [String: Int],
        epsilon: Double = defaultEpsilon
    ) -> Double? {
        guard epsilon > 0,
            referenceCounts.values.allSatisfy({ $0 >= 0 }), currentCounts.values.allSatisfy({ $0 >= 0 })
        else { return nil }
        // Summed as Doubles: no overflow trap on absurd counts.
        let referenceTotal = referenceCounts.values.reduce(0.0) { $0 + Double($1) }
        let currentTotal = currentCounts.values.reduce(0.0) { $0 + Double($1) }
        guard referenceTotal > 0, currentTotal > 0 else { return nil }
        let categories = Set(referenceCounts.keys).union(currentCounts.keys).sorted()
        let r = categories.map { Double(referenceCounts[$0] ?? 0) / referenceTotal }
        let c = categories.map { Double(currentCounts[$0] ?? 0) / currentTotal }
        return index(reference: r, current: c, epsilon: epsilon)
    }

    /// The distinct quantile edges of a sorted, non-empty reference.
    static func binEdges(sortedReference x: [Double], bins: Int) -> [Double] {
        let n = x.count
        var edges: [Double] = []
        for k in 1..<max(bins, 1) {
            let q = Double(k) / Double(bins)
            let virtualIndex = Double(n - 1) * q
            let edge: Double
            if virtualIndex >= Double(n - 1) {
                edge = x[n - 1]
            } else {
                let previous = virtualIndex.rounded(.down)
                let gamma = virtualIndex - previous
                let a = x[Int(previous)]
                let b = x[Int(previous) + 1]
                let difference = b - a
                // numpy's _lerp: from the nearer end, so gamma = 1 gives b exactly.
                edge = gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
            }
            edges.append(edge)
        }
        // np.unique: sorted, equal edges once.
        edges.sort()
        var distinct: [Double] = []
        for edge in edges where distinct.last != edge { distinct.append(edge) }
        return distinct
    }

    /// The share of `values` in each bin (edges.count + 1 bins). Sorted values (the usual
    /// case: the tests sort both samples) are counted in one merge walk, others by binary
    /// search; both place a value equal to an edge in the bin above.
    static func shares(of values: [Double], edges: [Double]) -> [Double] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        if KolmogorovSmirnov.isAscending(values) {
            var bin = 0
            for value in values {
                while bin < edges.count && edges[bin] <= value { bin += 1 }
                counts[bin] += 1
            }
            let total = Double(values.count)
            return counts.map { Double($0) / total }
        }
        for value in values {
            // Number of edges ≤ value.
            var low = 0
            var high = edges.count
            while low < high {
                let mid = (low + high) / 2
                if edges[mid] <= value { low = mid + 1 } else { high = mid }
            }
            counts[low] += 1
        }
        let total = Double(values.count)
        return counts.map { Double($0) / total }
    }

    static func index(reference: [Double], current: [Double], epsilon: Double) -> Double {
        var sum = 0.0
        for (r, c) in zip(reference, current) {
            let rf = max(r, epsilon)
            let cf = max(c, epsilon)
            sum += (cf - rf) * log(cf / rf)
        }
        return sum
    }
}
