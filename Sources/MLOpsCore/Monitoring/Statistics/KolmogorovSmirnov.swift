/// Two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` computes it by default
/// (`method='auto'`, `alternative='two-sided'`).
///
/// The drift check of docs/design.md §8 compares every numerical feature of a window of recent
/// predictions with the reference data, so this is the hot path of monitoring: D comes
/// from one merge walk over two sorted arrays (ties advance both sides together, so a value
/// present in both samples is counted at once, as scipy's `searchsorted(side='right')`
/// does), and the statistic is kept as an exact integer `|i·m − j·n| / gcd` before one
/// division, so ties and equal ECDF steps give exactly scipy's D.
///
/// p-value, following scipy's 'auto' rule:
/// - both samples ≤ 10,000: the exact distribution of D under H0 — the lattice-path
///   recursions of scipy (`_compute_prob_outside_square` for equal sizes, O(n); the
///   Hodges/Viehmann recursion otherwise, over a band of about 2·D·n·m cells). When sizes
///   differ and D is so large that the p-value is provably below 1e-10, the band is not
///   walked (method `.bounded`, see `SmirnovExact.negligibleExitBound`);
/// - otherwise: `kstwo.sf(D, round(n·m/(n+m)))`, the one-sample Kolmogorov distribution at
///   the effective size (see `KolmogorovDistribution`); the plain limiting distribution
///   would be up to several percent off.
///
/// Inputs must be finite numbers: NaN has no place in an ordering and ±infinity is no
/// measurement, so a sample holding either gives nil; filter first with `FiniteSample`,
/// which also reports how many values were dropped. An empty sample gives nil (scipy
/// raises). The other edge cases have scipy's answers: n = 1 works (D is then a step of
/// the other ECDF); identical constant columns give D = 0 and p = 1; two different
/// constants give D = 1 and the smallest p-value for those sizes. Deciding whether a window
/// is large enough to test (docs/design.md §8's `min_samples`) is the caller's job.
///
/// Cost (release build, one core): the walk is about 5 ns per value; the exact p-value is
/// O(n) for equal sizes and about 0.5 ns per band cell otherwise (≈ 1–2 ms at 10,000 ×
/// 9,999 without drift, ≤ 1 ms when bounded); the asymptotic p-value is ≤ 0.3 ms.
public enum KolmogorovSmirnov {
    /// Largest sample size for which the exact p-value is used (scipy's `MAX_AUTO_N`).
    public static let exactLimit = 10_000

    /// The test on two unsorted samples (sorted here). Nil when one is empty or holds a
    /// non-finite value.
    public static func twoSample(_ a: [Double], _ b: [Double]) -> KSResult? {
        guard !a.isEmpty, !b.isEmpty, a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { return nil }
        return twoSample(sortedA: RadixSort.sorted(a), sortedB: RadixSort.sorted(b))
    }

    /// The test on two samples already sorted ascending, for callers that keep the reference
    /// sorted between checks. Nil when one is empty, holds a non-finite value or is not
    /// sorted (checked in one pass, so a wrong caller gets no answer rather than a wrong one).
    public static func twoSample(sortedA: [Double], sortedB: [Double]) -> KSResult? {
        guard let h = statisticNumerator(sortedA, sortedB) else { return nil }
        let n = sortedA.count
        let m = sortedB.count
        let lcm = (n / gcd(n, m)) * m
        let d = Double(h) / Double(lcm)
        let (p, method) = pValue(numerator: h, statistic: d, n: n, m: m)
        return KSResult(statistic: d, pValue: p, method: method, n: n, m: m)
    }

    /// The p-value alone, for a statistic computed elsewhere (e.g. a D kept from an earlier
    /// check). Same rule as `twoSample`; nil for non-positive sizes or a D outside [0, 1].
    public static func pValue(statistic d: Double, n: Int, m: Int) -> (pValue: Double, method: KSMethod)? {
        guard n > 0, m > 0, d >= 0, d <= 1 else { return nil }
        let lcm = (n / gcd(n, m)) * m
        // As scipy: the exact methods work with h = round(D·lcm).
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        return pValue(numerator: h, statistic: d, n: n, m: m)
    }

    /// scipy's 'auto' rule, with the provably negligible case short-cut.
    static func pValue(numerator h: Int, statistic d: Double, n: Int, m: Int) -> (Double, KSMethod) {
        if max(n, m) <= exactLimit {
            if let bound = SmirnovExact.negligibleExitBound(n: n, m: m, h: h, statistic: d) {
                return (min(asymptoticPValue(d, n: n, m: m), bound), .bounded)
            }
            if let p = SmirnovExact.twoSidedPValue(n: n, m: m, h: h) { return (p, .exact) }
        }
        return (asymptoticPValue(d, n: n, m: m), .asymptotic)
    }

    /// kstwo.sf(D, round(n·m/(n+m))), as scipy computes the effective size (floats, larger
    /// size first, rounded half to even).
    static func asymptoticPValue(_ d: Double, n: Int, m: Int) -> Double {
        let effective = (Double(max(n, m)) * Double(min(n, m)) / (Double(n) + Double(m))).rounded(.toNearestOrEven)
        return min(max(KolmogorovDistribution.survival(d, n: Int(effective)), 0), 1)
    }

    /// D as an integer multiple of 1/lcm(n, m): max over the merged values of
    /// |i·(m/g) − j·(n/g)|, where i and j count the values ≤ the current one in each sample.
    /// Nil when a sample is empty, holds a non-finite value or is not ascending.
    static func statisticNumerator(_ a: [Double], _ b: [Double]) -> Int? {
        let n = a.count
        let m = b.count
        guard n > 0, m > 0, isAscendingFinite(a), isAscendingFinite(b) else { return nil }
        let g = gcd(n, m)
        let stepA = m / g
        let stepB = n / g
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                // One value per step, from either side (both when equal); the difference
                // counts only once the next value on both sides is larger, i.e. after a
                // whole group of ties, as scipy's searchsorted(side='right') evaluates it.
                var i = 0
                var j = 0
                var best = 0
                var value = -Double.infinity
                while i < n && j < m {
                    let x = a[i]
                    let y = b[j]
                    value = x <= y ? x : y
                    i += x <= y ? 1 : 0
                    j += y <= x ? 1 : 0
                    let nextA = i < n ? a[i] : Double.infinity
                    let nextB = j < m ? b[j] : Double.infinity
                    let diff = i * stepA - j * stepB
                    let magnitude = diff < 0 ? -diff : diff
                    best = (nextA > value && nextB > value && magnitude > best) ? magnitude : best
                }
                // One side is used up: finish its last group of ties. After it the
                // difference only shrinks towards 0.
                while i < n && a[i] <= value { i += 1 }
                while j < m && b[j] <= value { j += 1 }
                let diff = i * stepA - j * stepB
                return Swift.max(best, diff < 0 ? -diff : diff)
            }
        }
    }

    /// True when `values` is empty or finite and never decreasing (sorted, so only the
    /// ends can be infinite).
    static func isAscendingFinite(_ values: [Double]) -> Bool {
        guard let first = values.first, let last = values.last else { return true }
        return first.isFinite && last.isFinite && isAscending(values)
    }

    /// True when `values` holds no NaN and never decreases.
    static func isAscending(_ values: [Double]) -> Bool {
        values.withUnsafeBufferPointer { v in
            guard let first = v.first, !first.isNaN else { return v.isEmpty }
            var previous = first
            for value in v.dropFirst() {
                // `!(value >= previous)` is also true for NaN.
                if !(value >= previous) { return false }
                previous = value
            }
            return true
        }
    }

    /// Greatest common divisor (Euclid).
    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

/// Which distribution gave a Kolmogorov–Smirnov p-value.
public enum KSMethod: String, Sendable, Codable, Equatable {
    /// The exact distribution of D for these two sample sizes (both ≤ 10,000).
    case exact
    /// Both ≤ 10,000, unequal, and D so large that a union bound proves the exact p-value
    /// below 1e-10: the exact recursion (up to 10⁸ cells) is skipped and the p-value is the
    /// asymptotic one capped at that bound — within 1e-10 of the exact value.
    case bounded
    /// `kstwo.sf(D, round(n·m/(n+m)))`: the one-sample Kolmogorov distribution at the
    /// effective sample size, as scipy uses above 10,000.
    case asymptotic
}

/// The outcome of a two-sample Kolmogorov–Smirnov test.
public struct KSResult: Sendable, Equatable, Codable {
    /// D: the largest distance between the two empirical CDFs, in [0, 1].
    public var statistic: Double
    /// Probability under H0 (same distribution) of a D at least this large, two-sided.
    public var pValue: Double
    /// Which distribution gave `pValue`.
    public var method: KSMethod
    /// Size of the first sample.
    public var n: Int
    /// Size of the second sample.
    public var m: Int

    /// Memberwise.
    public init(statistic: Double, pValue: Double, method: KSMethod, n: Int, m: Int) {
        self.statistic = statistic
        self.pValue = pValue
        self.method = method
        self.n = n
        self.m = m
    }
}
