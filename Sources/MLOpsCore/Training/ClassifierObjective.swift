import Foundation

/// The training objective of the embedded trainer and its gradient:
/// `(1/n)·Σ logloss_i + (λ/2)·‖W‖²` over the training rows, the intercepts not penalised.
///
/// Binary (one output, the positive class's logit `z = b + w·x`): `logloss = softplus(z) − y·z`.
/// Multiclass (one output per class, softmax): `logloss = logsumexp(z) − z_y`.
/// Parameters are laid out output by output, each as its `columns` weights then its
/// intercept. The same objective is written out in numpy in scripts/training_reference.py.
struct ClassifierObjective: Sendable {
    let design: DesignMatrix
    /// Class index of each row.
    let labels: [Int]
    /// Outputs: 1 for logistic regression, the number of classes for softmax.
    let outputs: Int
    /// λ.
    let l2: Double

    /// Parameters per output: weights and intercept.
    var stride: Int { design.columns + 1 }

    /// The value at `theta`, writing the gradient into `gradient`.
    func evaluate(_ theta: [Double], _ gradient: inout [Double]) -> Double {
        let n = design.rows
        let d = design.columns
        let k = outputs
        let stride = self.stride
        for i in 0..<gradient.count { gradient[i] = 0 }
        var loss = 0.0
        design.values.withUnsafeBufferPointer { x in
            theta.withUnsafeBufferPointer { t in
                labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        var z = [Double](repeating: 0, count: k)
                        for r in 0..<n {
                            let row = r * d
                            for o in 0..<k {
                                let w = o * stride
                                var s = t[w + d]
                                for j in 0..<d { s += t[w + j] * x[row + j] }
                                z[o] = s
                            }
                            if k == 1 {
                                let target = Double(y[r])
                                loss += Self.softplus(z[0]) - target * z[0]
                                let residual = Self.sigmoid(z[0]) - target
                                for j in 0..<d { g[j] += residual * x[row + j] }
                                g[d] += residual
                            } else {
                                var m = z[0]
                                for o in 1..<k { m = Swift.max(m, z[o]) }
                                var sum = 0.0
                                for o in 0..<k { sum += exp(z[o] - m) }
                                let lse = m + log(sum)
                                loss += lse - z[y[r]]
                                for o in 0..<k {
                                    let residual = exp(z[o] - lse) - (o == y[r] ? 1 : 0)
                                    let w = o * stride
                                    for j in 0..<d { g[w + j] += residual * x[row + j] }
                                    g[w + d] += residual
                                }
                            }
                        }
                        let scale = 1 / Double(Swift.max(n, 1))
                        var penalty = 0.0
                        for o in 0..<k {
                            let w = o * stride
                            for j in 0..<d {
                                penalty += t[w + j] * t[w + j]
                                g[w + j] = g[w + j] * scale + l2 * t[w + j]
                            }
                            g[w + d] *= scale
                        }
                        loss = loss * scale + 0.5 * l2 * penalty
                    }
                }
            }
        }
        return loss
    }

    /// log(1 + eᶻ) without overflow or loss of precision.
    static func softplus(_ z: Double) -> Double {
        Swift.max(z, 0) + log1p(exp(-abs(z)))
    }

    /// 1 / (1 + e⁻ᶻ), computed from the side where the exponential cannot overflow.
    static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }
}
