/// Chi-square test of homogeneity between a reference and a current sample of one
/// categorical feature or segment field (docs/design.md §8: categorical drift, equipment mix,
/// population mix), as `scipy.stats.chi2_contingency` computes it on the 2×k table
/// (reference row, current row) with its default `correction=True`.
///
/// Categories absent from both samples are dropped before the table is built (they would
/// give a zero expected count, which scipy refuses). Expected counts come from the margins,
/// E = row total · column total / N; the statistic is Σ (O − E)²/E over both rows, with
/// k − 1 degrees of freedom; the p-value is the chi-square survival function,
/// Q((k−1)/2, s/2) (`IncompleteGamma`). Like scipy, Yates' continuity correction is applied
/// only when there is one degree of freedom (two categories): every observed count moves
/// towards its expected count by min(0.5, |O − E|). One category left gives the degenerate
/// table scipy answers with statistic 0, dof 0, p = 1. An empty side (no counts at all) has
/// no defined test: nil.
public enum ChiSquare {
    /// The test on count tables keyed by category value. Nil when a count is negative or
    /// either side has no counts.
    public static func homogeneity(reference: [String: Int], current: [String: Int]) -> ChiSquareResult? {
        let categories = Set(reference.keys).union(current.keys).sorted()
        return homogeneity(
            reference: categories.map { reference[$0] ?? 0 },
            current: categories.map { current[$0] ?? 0 }
        )
    }

    /// The same test on aligned count arrays (category i counted at index i in both), for
    /// callers that code categories as integers while parsing. Nil when the arrays differ in
    /// length, a count is negative, or either side has no counts.
    public static func homogeneity(reference: [Int], current: [Int]) -> ChiSquareResult? {
        guard reference.count == current.count,
            reference.allSatisfy({ $0 >= 0 }), current.allSatisfy({ $0 >= 0 })
        else { return nil }
        var observed: [(Double, Double)] = []
        for (r, c) in zip(reference, current) where r > 0 || c > 0 {
            observed.append((Double(r), Double(c)))
        }
        let referenceTotal = observed.reduce(0) { $0 + $1.0 }
        let currentTotal = observed.reduce(0) { $0 + $1.1 }
        guard referenceTotal > 0, currentTotal > 0 else { return nil }
        let dof = observed.count - 1
        if dof == 0 { return ChiSquareResult(statistic: 0, degreesOfFreedom: 0, pValue: 1) }
        let total = referenceTotal + currentTotal
        var referenceTerms = 0.0
        var currentTerms = 0.0
        for (r, c) in observed {
            let column = r + c
            let expectedR = referenceTotal * column / total
            let expectedC = currentTotal * column / total
            referenceTerms += term(observed: r, expected: expectedR, yates: dof == 1)
            currentTerms += term(observed: c, expected: expectedC, yates: dof == 1)
        }
        let statistic = referenceTerms + currentTerms
        let p = IncompleteGamma.chiSquareSurvival(statistic, degreesOfFreedom: Double(dof))
        return ChiSquareResult(statistic: statistic, degreesOfFreedom: dof, pValue: p)
    }

    /// (O − E)²/E, with O first moved towards E by min(0.5, |O − E|) under Yates.
    static func term(observed: Double, expected: Double, yates: Bool) -> Double {
        var o = observed
        if yates {
            let difference = expected - o
            let magnitude = min(0.5, abs(difference))
            o += difference > 0 ? magnitude : (difference < 0 ? -magnitude : 0)
        }
        let d = o - expected
        return d * d / expected
    }
}

/// The outcome of a chi-square homogeneity test.
public struct ChiSquareResult: Sendable, Equatable, Codable {
    /// Pearson's statistic Σ (O − E)²/E (Yates-corrected when `degreesOfFreedom` is 1).
    public var statistic: Double
    /// Number of categories kept, minus one.
    public var degreesOfFreedom: Int
    /// P(χ²_dof ≥ statistic) under H0 (same category mix in both samples).
    public var pValue: Double

    /// Memberwise.
    public init(statistic: Double, degreesOfFreedom: Int, pValue: Double) {
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
    }
}
