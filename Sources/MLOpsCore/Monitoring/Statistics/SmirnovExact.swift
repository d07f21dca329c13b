import Foundation

/// The exact null distribution of the two-sided two-sample Kolmogorov–Smirnov statistic,
/// the two recursions scipy's `ks_2samp` uses for its exact method, and a cheap bound that
/// lets the costly one be skipped when the p-value is provably negligible.
///
/// Under H0 the merged order of the two samples is a uniformly random lattice path from
/// (0, 0) to (m, n); D ≥ h/lcm(m, n) exactly when the path leaves the band
/// |i·(n/g) − j·(m/g)| < h. With equal sizes the count has a closed alternating sum
/// (`outsideSquare`, O(n)); otherwise the probability of leaving the band is carried
/// through the band cell by cell (`outsideBand`, Viehmann's recursion for the exit
/// probability itself, which needs no subtraction at the end and so stays accurate for tiny
/// p-values), O(number of band cells) ≈ 2·D·n·m. That is up to 10⁸ cells at 10,000 ×
/// 9,999 with strong drift, so `negligibleExitBound` first tries to prove p < 1e-10 in
/// O(n + m) (see there).
enum SmirnovExact {
    /// P(D ≥ h/lcm(n, m)) for samples of sizes n and m; nil if the recursion produced
    /// something that is not a probability (scipy then falls back to the asymptotic method).
    static func twoSidedPValue(n: Int, m: Int, h: Int) -> Double? {
        guard n > 0, m > 0, h >= 0 else { return nil }
        if h == 0 { return 1 }
        let p = n == m ? outsideSquare(n: n, h: h) : outsideBand(n: n, m: m, h: h)
        guard p.isFinite, p >= -1e-12, p <= 1 + 1e-12 else { return nil }
        return min(max(p, 0), 1)
    }

    /// Equal sizes: P(D ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n − k·h) / C(2n, n), evaluated as
    /// scipy does, Horner-like from the smallest term: P = 2·A1·(1 − A2·(1 − A3·(…))).
    ///
    /// The terms are independent chains of h multiply-divides each (about n in all), so
    /// they are computed four at a time, which overlaps the divisions' latencies; each term
    /// still sees the same operations in the same order, so the sum is bit for bit the one
    /// of the term-by-term loop.
    static func outsideSquare(n: Int, h: Int) -> Double {
        let last = n / h
        let terms = UnsafeMutablePointer<Double>.allocate(capacity: last + 1)
        defer { terms.deallocate() }
        // Each ratio C(2n, n − k·h) / C(2n, n − (k−1)·h) has h factors.
        var k = 0
        while k + 4 <= last + 1 {
            let (a0, a1, a2, a3) = (n - k * h, n - (k + 1) * h, n - (k + 2) * h, n - (k + 3) * h)
            let (b0, b1, b2, b3) = (n + k * h + 1, n + (k + 1) * h + 1, n + (k + 2) * h + 1, n + (k + 3) * h + 1)
            var (t0, t1, t2, t3) = (1.0, 1.0, 1.0, 1.0)
            for j in 0..<h {
                t0 = Double(a0 - j) * t0 / Double(b0 + j)
                t1 = Double(a1 - j) * t1 / Double(b1 + j)
                t2 = Double(a2 - j) * t2 / Double(b2 + j)
                t3 = Double(a3 - j) * t3 / Double(b3 + j)
            }
            (terms[k], terms[k + 1], terms[k + 2], terms[k + 3]) = (t0, t1, t2, t3)
            k += 4
        }
        while k <= last {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            terms[k] = term
            k += 1
        }
        var p = 0.0
        for k in stride(from: last, through: 0, by: -1) {
            p = terms[k] * (1 - p)
        }
        return 2 * p
    }

    /// The term-by-term form of `outsideSquare` (one chain after the other), kept to pin
    /// that the interleaved one gives the same bits.
    static func outsideSquareSequential(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h {
                term = Double(n - k * h - j) * term / Double(n + k * h + j + 1)
            }
            p = term * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// Unequal sizes: the probability that a random path leaves the open band
    /// |ng·i − mg·j| < h (g = gcd(m, n), mg = m/g, ng = n/g). Each cell keeps the probability
    /// that a path through (i, j) has already left the band; cells outside count as 1, and a
    /// path reaches (i, j) from (i−1, j) with probability i/(i+j). scipy walks the band
    /// column by column, a chain of dependent operations; here it is walked by
    /// anti-diagonals i + j = k, whose cells depend only on the previous diagonal, so the
    /// inner loop has no carried dependency and vectorises. Same recursion, same cells.
    static func outsideBand(n: Int, m: Int, h: Int) -> Double {
        // Diagonal buffers indexed by i + 1 (slot 0 stands for i = −1, whose weight is 0).
        let width = m + 2
        let previous = UnsafeMutablePointer<Double>.allocate(capacity: width)
        let current = UnsafeMutablePointer<Double>.allocate(capacity: width)
        let index = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer {
            previous.deallocate()
            current.deallocate()
            index.deallocate()
        }
        previous.initialize(repeating: 1, count: width)
        current.initialize(repeating: 1, count: width)
        for slot in 0..<width { index[slot] = Double(slot - 1) }
        var before = previous
        var after = current
        // Diagonal 0 is the single cell (0, 0), inside the band: nobody has left yet.
        before[1] = 0
        // i-ranges of diagonals k − 1 (in `before`) and k − 2 (in `after`); empty when low > high.
        var rangeBefore = (low: 0, high: 0)
        var rangeAfter = (low: 1, high: 0)
        var diagonals = BandDiagonals(n: n, m: m, h: h)
        for k in 1...(m + n) {
            let (low, high) = diagonals.next()
            if high < low { return 1 }
            let kd = Double(k)
            let rk = 1 / kd
            // after[i] = (i·before[i−1] + (k − i)·before[i]) / k, all shifted by one slot.
            var slot = low + 1
            let end = high + 1
            let kVector = SIMD4<Double>(repeating: kd)
            let rVector = SIMD4<Double>(repeating: rk)
            while slot + 3 <= end {
                let i = UnsafeRawPointer(index + slot).loadUnaligned(as: SIMD4<Double>.self)
                let left = UnsafeRawPointer(before + slot - 1).loadUnaligned(as: SIMD4<Double>.self)
                let here = UnsafeRawPointer(before + slot).loadUnaligned(as: SIMD4<Double>.self)
                let value = (i * left + (kVector - i) * here) * rVector
                UnsafeMutableRawPointer(after + slot).storeBytes(of: value, as: SIMD4<Double>.self)
                slot += 4
            }
            while slot <= end {
                let i = index[slot]
                after[slot] = (i * before[slot - 1] + (kd - i) * before[slot]) * rk
                slot += 1
            }
            // Cells of diagonal k − 2 that diagonal k did not overwrite are outside its
            // band: they must read as 1 when diagonal k + 1 is computed.
            if rangeAfter.low <= rangeAfter.high {
                var i = rangeAfter.low
                while i <= min(rangeAfter.high, low - 1) {
                    after[i + 1] = 1
                    i += 1
                }
                i = max(rangeAfter.low, high + 1)
                while i <= rangeAfter.high {
                    after[i + 1] = 1
                    i += 1
                }
            }
            swap(&before, &after)
            rangeAfter = rangeBefore
            rangeBefore = (low, high)
        }
        return before[m + 1]
    }

    /// An upper bound on P(D ≥ h/lcm(m, n)) for unequal sizes, when the exact recursion
    /// would be costly and the p-value is far below any level of interest; nil otherwise
    /// (then compute exactly).
    ///
    /// Union bound: a path that leaves the band does so for the first time at some diagonal
    /// k, stepping from an inside cell of diagonal k − 1 into an outside cell of diagonal k.
    /// Those entry cells are few per diagonal (the band moves by at most one cell), and a
    /// random path visits (i, j) with the hypergeometric probability
    /// C(i+j, i)·C(N−i−j, m−i)/C(N, m). So P(leave) ≤ the sum of these over all entry
    /// cells: O(m + n) terms instead of O(D·m·n) recursion cells. Returned only when below
    /// `negligible` (1e-10, after a 1e-6 relative allowance for rounding in lgamma); the
    /// caller then reports a p-value in [0, bound], within 1e-10 of the exact one.
    static func negligibleExitBound(n: Int, m: Int, h: Int, statistic d: Double) -> Double? {
        guard n != m, n > 0, m > 0, h > 0 else { return nil }
        let total = Double(m + n)
        let g = KolmogorovSmirnov.gcd(m, n)
        // Only worth it when the recursion is costly (over a million cells, about half a
        // millisecond) and has far more cells than the bound has terms, and the limiting
        // distribution says the p-value is astronomically small. Below that the exact value
        // is cheap and keeps its relative accuracy.
        let cells = 2 * Double(h) * Double(g)
        let effective = Double(m) * Double(n) / total
        guard cells > max(20 * total, 1e6), -2 * effective * d * d < log(1e-16 / 2) else { return nil }
        return exitBound(n: n, m: m, h: h, giveUpAbove: negligible)
    }

    /// The union bound itself (see `negligibleExitBound`), nil as soon as it exceeds
    /// `giveUpAbove` or the band is empty somewhere (then p = 1).
    static func exitBound(n: Int, m: Int, h: Int, giveUpAbove limit: Double) -> Double? {
        // log k! for every k on the lattice, so each term is one exp.
        var logFactorial = [Double](repeating: 0, count: m + n + 1)
        for k in 0...(m + n) { logFactorial[k] = lgamma(Double(k) + 1) }
        let logAll = logFactorial[m + n] - logFactorial[m] - logFactorial[n]
        var bound = 0.0
        var diagonals = BandDiagonals(n: n, m: m, h: h)
        var previous = (low: 0, high: 0)
        for k in 1...(m + n) {
            let current = diagonals.next()
            if current.high < current.low { return nil }
            let gridLow = max(0, k - n)
            let gridHigh = min(m, k)
            // Entry cells: reachable from the previous diagonal's band, outside this one's,
            // below it and above it. C(k, i)·C(N − k, m − i)/C(N, m) is the chance that a
            // path visits (i, k − i).
            let rest = m + n - k
            let common = logFactorial[k] + logFactorial[rest] - logAll
            var i = max(previous.low, gridLow)
            while i <= min(current.low - 1, gridHigh) {
                bound += exp(
                    common - logFactorial[i] - logFactorial[k - i] - logFactorial[m - i] - logFactorial[rest - m + i]
                )
                i += 1
            }
            i = max(current.high + 1, gridLow)
            while i <= min(previous.high + 1, gridHigh) {
                bound += exp(
                    common - logFactorial[i] - logFactorial[k - i] - logFactorial[m - i] - logFactorial[rest - m + i]
                )
                i += 1
            }
            if bound * (1 + 1e-6) >= limit { return nil }
            previous = current
        }
        return bound * (1 + 1e-6)
    }

    /// The level below which a p-value may be bounded instead of computed.
    static let negligible = 1e-10

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

}

/// The band cells |i·ng − j·mg| < h of the (m, n) lattice, diagonal by diagonal
/// (k = i + j = 1, 2, …): each `next()` gives the i-range of the next diagonal's cells
/// inside both band and grid (empty when low > high). On diagonal k the band is
/// ⌊(mg·k − h)/s⌋ < i ≤ ⌊(mg·k + h − 1)/s⌋ with s = mg + ng; both numerators grow by
/// mg < s per diagonal, so the quotients are kept incrementally, without a division.
struct BandDiagonals {
    let m: Int
    let n: Int
    let mg: Int
    let s: Int
    private(set) var k = 0
    private var lowQuotient: Int
    private var lowRemainder: Int
    private var highQuotient: Int
    private var highRemainder: Int

    init(n: Int, m: Int, h: Int) {
        self.m = m
        self.n = n
        let g = KolmogorovSmirnov.gcd(m, n)
        mg = m / g
        s = mg + n / g
        lowQuotient = SmirnovExact.floorDiv(-h, s)
        lowRemainder = -h - lowQuotient * s
        highQuotient = SmirnovExact.floorDiv(h - 1, s)
        highRemainder = (h - 1) - highQuotient * s
    }

    mutating func next() -> (low: Int, high: Int) {
        k += 1
        lowRemainder += mg
        if lowRemainder >= s {
            lowRemainder -= s
            lowQuotient += 1
        }
        highRemainder += mg
        if highRemainder >= s {
            highRemainder -= s
            highQuotient += 1
        }
        return (max(lowQuotient + 1, max(0, k - n)), min(highQuotient, min(m, k)))
    }
}
