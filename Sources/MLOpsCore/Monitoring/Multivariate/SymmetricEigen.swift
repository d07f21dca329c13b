import Foundation

/// Eigenvalues and eigenvectors of a real symmetric matrix: Householder reduction to
/// tridiagonal form, then the implicit QL algorithm (the EISPACK routines `tred2` and `tql2`,
/// as JAMA's public-domain `EigenvalueDecomposition` writes them).
///
/// Deterministic: the same matrix gives the same bits on every run (no randomness, a fixed
/// order of operations). An eigenvector's sign is arbitrary in any eigen-decomposition; it is
/// fixed here so that the entry of largest magnitude is positive (the first such entry on a
/// tie), which is what scikit-learn's `svd_flip(u_based_decision=False)` does to PCA's
/// components. Cost: about (4/3)·n³ for the reduction and 3·n³ per accumulated QL pass; 50 ×
/// 50 takes well under a millisecond.
public struct SymmetricEigen: Sendable, Equatable {
    /// The eigenvalues, descending.
    public let values: [Double]
    /// The eigenvectors, `vectors[j]` for `values[j]`, each of unit length.
    public let vectors: [[Double]]

    /// The decomposition of the n × n `matrix` (row-major, `matrix[i * n + j]`), whose upper
    /// and lower triangles must agree (only the lower one is read). Nil when the matrix is
    /// empty, not square, not finite, or QL does not converge in 30·n iterations per
    /// eigenvalue.
    public init?(matrix: [Double], size n: Int) {
        guard n > 0, matrix.count == n * n, matrix.allSatisfy(\.isFinite) else { return nil }
        // V[i][j] = v[i * n + j], symmetric from the lower triangle.
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                v[i * n + j] = matrix[i * n + j]
                v[j * n + i] = matrix[i * n + j]
            }
        }
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        Self.tridiagonalize(&v, &d, &e, n)
        guard Self.ql(&v, &d, &e, n) else { return nil }
        // Descending values; vectors are the columns of V.
        let order = (0..<n).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        values = order.map { d[$0] }
        vectors = order.map { column in
            var vector = (0..<n).map { v[$0 * n + column] }
            var largest = 0
            for i in 1..<max(n, 1) where abs(vector[i]) > abs(vector[largest]) { largest = i }
            if vector[largest] < 0 { vector = vector.map { -$0 } }
            return vector
        }
    }

    /// `tred2`: V becomes the orthogonal transformation, d the diagonal and e the
    /// sub-diagonal (in e[1...]) of the tridiagonal form.
    static func tridiagonalize(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
        for j in 0..<n { d[j] = v[(n - 1) * n + j] }
        var i = n - 1
        while i > 0 {
            var scale = 0.0
            var h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = v[(i - 1) * n + j]
                    v[i * n + j] = 0
                    v[j * n + i] = 0
                }
            } else {
                for k in 0..<i {
                    d[k] /= scale
                    h += d[k] * d[k]
                }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    v[j * n + i] = f
                    g = e[j] + v[j * n + j] * f
                    if j + 1 <= i - 1 {
                        for k in (j + 1)...(i - 1) {
                            g += v[k * n + j] * d[k]
                            e[k] += v[k * n + j] * f
                        }
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i {
                    e[j] /= h
                    f += e[j] * d[j]
                }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    for k in j...(i - 1) { v[k * n + j] -= f * e[k] + g * d[k] }
                    d[j] = v[(i - 1) * n + j]
                    v[i * n + j] = 0
                }
            }
            d[i] = h
            i -= 1
        }
        // Accumulate the transformations.
        if n > 1 {
            for i in 0..<(n - 1) {
                v[(n - 1) * n + i] = v[i * n + i]
                v[i * n + i] = 1
                let h = d[i + 1]
                if h != 0 {
                    for k in 0...i { d[k] = v[k * n + i + 1] / h }
                    for j in 0...i {
                        var g = 0.0
                        for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
                        for k in 0...i { v[k * n + j] -= g * d[k] }
                    }
                }
                for k in 0...i { v[k * n + i + 1] = 0 }
            }
        }
        for j in 0..<n {
            d[j] = v[(n - 1) * n + j]
            v[(n - 1) * n + j] = 0
        }
        v[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    /// `tql2`: the eigenvalues into d and the eigenvectors into V's columns. False when an
    /// eigenvalue does not converge.
    static func ql(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) -> Bool {
        for i in 1..<max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0
        var tst1 = 0.0
        let eps = Double.ulpOfOne
        for l in 0..<n {
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n {
                if abs(e[m]) <= eps * tst1 { break }
                m += 1
            }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    if iterations > 30 * n { return false }
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    if l + 2 < n { for i in (l + 2)..<n { d[i] -= h } }
                    f += h
                    p = d[m]
                    var c = 1.0
                    var c2 = c
                    var c3 = c
                    let el1 = e[l + 1]
                    var s = 0.0
                    var s2 = 0.0
                    var i = m - 1
                    while i >= l {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        for k in 0..<n {
                            h = v[k * n + i + 1]
                            v[k * n + i + 1] = s * v[k * n + i] + c * h
                            v[k * n + i] = c * v[k * n + i] - s * h
                        }
                        i -= 1
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                    guard d[l].isFinite, e[l].isFinite else { return false }
                } while abs(e[l]) > eps * tst1
            }
            d[l] += f
            e[l] = 0
        }
        return true
    }
}
