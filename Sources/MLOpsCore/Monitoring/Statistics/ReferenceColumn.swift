/// A numerical reference column prepared once for the many checks that test windows
/// against it (docs/design.md §8: the monitor keeps the reference between checks).
///
/// It holds what every check would otherwise recompute from the sorted reference:
/// - its distinct values (as order-preserving integer keys, see `RadixSort.key`) and how
///   many values lie below each, i.e. the reference ECDF at its steps, validated once
///   (finite, ascending) instead of on every test;
/// - the PSI bin edges (10 reference-quantile bins) and the reference's share per bin.
///
/// A window column is then filtered, keyed and radix-sorted in one go (`RadixSort.keys`),
/// merged once against the distinct reference keys for D, and binary-searched for the PSI
/// edges. The result is bit-identical to `KolmogorovSmirnov.twoSample(sortedA: reference,
/// sortedB: window's finite values sorted)` and
/// `PopulationStabilityIndex.compute(reference:current:)`: the same integer numerator of D
/// (the supremum of |F_ref − F_window| is taken at valid points only, ties included), the
/// same p-value code, the same bin counts.
public struct ReferenceColumn: Sendable, Equatable {
    /// Number of reference values (the reference side's sample size).
    public let count: Int
    /// The distinct values as keys, ascending.
    let distinct: [UInt64]
    /// `below[k]`: how many reference values are < the k-th distinct value; one more entry,
    /// `count`, at the end.
    let below: [Int]
    /// PSI: the distinct quantile edges as keys, and the reference's share of each bin.
    let psiEdges: [UInt64]
    let psiShares: [Double]

    /// The number of PSI bins the monitor uses.
    static let psiBins = 10

    /// Prepares `sorted`, the reference's finite values in ascending order. Nil when it is
    /// empty, holds a non-finite value or is not ascending (the plain tests give no answer
    /// for such a reference either).
    public init?(sorted values: [Double]) {
        guard !values.isEmpty, KolmogorovSmirnov.isAscendingFinite(values) else { return nil }
        count = values.count
        var distinct: [UInt64] = []
        var below: [Int] = []
        var previous = Double.nan
        for (index, value) in values.enumerated() where value != previous {
            distinct.append(RadixSort.key(value))
            below.append(index)
            previous = value
        }
        below.append(values.count)
        self.distinct = distinct
        self.below = below
        let edges = PopulationStabilityIndex.binEdges(sortedReference: values, bins: Self.psiBins)
        psiEdges = edges.map(RadixSort.key)
        psiShares = PopulationStabilityIndex.shares(of: values, edges: edges)
    }

    /// What ``compare(_:)`` found for one window column.
    public struct Comparison: Sendable, Equatable {
        /// KS of the reference (first sample) against the window's finite values; nil when
        /// none is finite.
        public var ks: KSResult?
        /// PSI of the window's finite values against the reference's bins; nil when none
        /// is finite.
        public var psi: Double?
        /// How many window values were NaN or infinite and left out.
        public var dropped: Int
    }

    /// KS and PSI of a window column against this reference, non-finite values left out
    /// and counted. Equal, bit for bit, to `twoSample(sortedA:sortedB:)` and
    /// `PopulationStabilityIndex.compute(reference:current:)` on `FiniteSample(values)`.
    public func compare(_ values: [Double]) -> Comparison {
        compare(values, psi: true)
    }

    /// The KS test alone (the per-segment tests need no PSI).
    public func ksTest(_ values: [Double]) -> KSResult? {
        compare(values, psi: false).ks
    }

    func compare(_ values: [Double], psi wantPSI: Bool) -> Comparison {
        RadixSort.withSortedKeys(values) { keys in
            var result = Comparison(ks: nil, psi: nil, dropped: values.count - keys.count)
            guard !keys.isEmpty else { return result }
            let n = count
            let m = keys.count
            let best = distinct.withUnsafeBufferPointer { d in
                below.withUnsafeBufferPointer { below in
                    Self.statisticNumerator(distinct: d, below: below, n: n, window: keys)
                }
            }
            let lcm = (n / KolmogorovSmirnov.gcd(n, m)) * m
            let d = Double(best) / Double(lcm)
            let (p, method) = KolmogorovSmirnov.pValue(numerator: best, statistic: d, n: n, m: m)
            result.ks = KSResult(statistic: d, pValue: p, method: method, n: n, m: m)
            if wantPSI {
                // Bin b holds the values with exactly b edges ≤ them: the counts between
                // the positions of consecutive edges in the sorted window.
                var shares: [Double] = []
                shares.reserveCapacity(psiEdges.count + 1)
                var previous = 0
                for edge in psiEdges {
                    let position = Self.countBelow(edge, in: keys)
                    shares.append(Double(position - previous) / Double(m))
                    previous = position
                }
                shares.append(Double(m - previous) / Double(m))
                result.psi = PopulationStabilityIndex.index(
                    reference: psiShares,
                    current: shares,
                    epsilon: PopulationStabilityIndex.defaultEpsilon
                )
            }
            return result
        }
    }

    /// How many of the ascending `keys` are < `key`.
    static func countBelow(_ key: UInt64, in keys: UnsafeBufferPointer<UInt64>) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// D·lcm(n, m) as an integer, from one merge of the distinct reference keys with the
    /// window's sorted keys: |i·(m/g) − j·(n/g)| with i reference and j window values at or
    /// below a point, maximised over the points where both counts are right: after a
    /// reference step (all window values ≤ it are taken before it), and after a window value
    /// strictly below the next reference step. A window value equal to a reference step is
    /// taken before the step, and the state in between is not a point of either ECDF, so it
    /// is not counted. Each step takes one value from one side without a branch.
    /// (Walking the two halves side by side, to overlap the steps' dependent loads, gained
    /// only 10% here: the loop is bound by its instructions more than by latency.)
    static func statisticNumerator(
        distinct: UnsafeBufferPointer<UInt64>,
        below: UnsafeBufferPointer<Int>,
        n: Int,
        window: UnsafeBufferPointer<UInt64>
    ) -> Int {
        let m = window.count
        let k = distinct.count
        let g = KolmogorovSmirnov.gcd(n, m)
        let stepReference = m / g
        let stepWindow = n / g
        var i = 0
        var j = 0
        var best = 0
        while i < k && j < m {
            let x = distinct[i]
            let y = window[j]
            let takeWindow = y <= x ? 1 : 0
            j &+= takeWindow
            i &+= 1 &- takeWindow
            let difference = below[i] &* stepReference &- j &* stepWindow
            let magnitude = y == x ? 0 : (difference < 0 ? 0 &- difference : difference)
            best = Swift.max(best, magnitude)
        }
        // Window used up: the next reference step is a point (the last window value may
        // have tied with it); later ones only bring the difference back towards 0. Reference
        // used up: the remaining window values only shrink the difference.
        if i < k {
            let difference = below[i &+ 1] &* stepReference &- j &* stepWindow
            best = Swift.max(best, difference < 0 ? 0 &- difference : difference)
        }
        return best
    }
}
