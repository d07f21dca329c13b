import Foundation

/// Platt scaling: P(positive | score) = 1 / (1 + exp(a·score + b)), fitted by maximum
/// likelihood with Platt's smoothed targets, for references too small for isotonic
/// regression (see ``ScoreCalibration``).
///
/// The objective and the targets are scikit-learn's `_sigmoid_calibration` (Platt 2000):
/// positives count as (N₊ + 1)/(N₊ + 2) and negatives as 1/(N₋ + 2), and scores whose largest
/// magnitude is ≥ 30 are divided by it first. scikit-learn minimises with L-BFGS; here a
/// Newton iteration with a backtracking line search (Lin, Lin & Weng 2007, "A note on Platt's
/// probabilistic outputs for support vector machines") runs to a gradient below 1e-12 per
/// row. The objective is convex, so both reach the same optimum, up to L-BFGS's tolerance.
public struct PlattCalibrator: Sendable, Equatable, Codable {
    /// The slope on the (scaled) score; negative when a higher score means more positives.
    public let a: Double
    /// The intercept.
    public let b: Double
    /// The score is divided by this before the sigmoid (1 unless the scores reach 30).
    public let scale: Double

    /// A calibrator from its parameters.
    public init(a: Double, b: Double, scale: Double = 1) {
        self.a = a
        self.b = b
        self.scale = scale
    }

    /// Fits on the scores and whether each row's label is the positive class. Rows whose
    /// score is not finite are left out; nil when no row is left, the arrays differ in length,
    /// or the fit does not converge to finite parameters.
    public init?(scores: [Double], outcomes: [Bool]) {
        guard scores.count == outcomes.count else { return nil }
        var f: [Double] = []
        var positive: [Bool] = []
        for (score, outcome) in zip(scores, outcomes) where score.isFinite {
            f.append(score)
            positive.append(outcome)
        }
        guard !f.isEmpty else { return nil }
        let largest = f.map { abs($0) }.max() ?? 0
        let scale = largest >= 30 ? largest : 1
        if scale != 1 { f = f.map { $0 / scale } }
        let positives = Double(positive.filter { $0 }.count)
        let negatives = Double(positive.count) - positives
        let highTarget = (positives + 1) / (positives + 2)
        let lowTarget = 1 / (negatives + 2)
        let targets = positive.map { $0 ? highTarget : lowTarget }
        guard let (a, b) = Self.newton(f, targets, start: log((negatives + 1) / (positives + 1))) else { return nil }
        self.init(a: a, b: b, scale: scale)
    }

    /// Σ −[t·log p + (1 − t)·log(1 − p)] with p = σ(−(a·f + b)), written without overflow.
    static func objective(_ f: [Double], _ t: [Double], _ a: Double, _ b: Double) -> Double {
        var total = 0.0
        for i in f.indices {
            let z = a * f[i] + b
            // −log p = log(1 + e^z), −log(1 − p) = log(1 + e^−z).
            total += z >= 0 ? t[i] * z + log1p(exp(-z)) : (t[i] - 1) * z + log1p(exp(z))
        }
        return total
    }

    /// Newton's method with backtracking; nil when it does not reach finite parameters.
    static func newton(_ f: [Double], _ t: [Double], start: Double) -> (Double, Double)? {
        var a = 0.0
        var b = start
        var value = objective(f, t, a, b)
        let tolerance = 1e-12 * Double(f.count)
        for _ in 0..<200 {
            var g1 = 0.0
            var g2 = 0.0
            var h11 = 1e-12
            var h22 = 1e-12
            var h21 = 0.0
            for i in f.indices {
                let z = a * f[i] + b
                // p = P(positive) = 1/(1 + e^z); q = 1 − p.
                let p = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z))
                let q = 1 - p
                let d2 = p * q
                h11 += f[i] * f[i] * d2
                h22 += d2
                h21 += f[i] * d2
                let d1 = t[i] - p
                g1 += f[i] * d1
                g2 += d1
            }
            if abs(g1) < tolerance && abs(g2) < tolerance { break }
            let determinant = h11 * h22 - h21 * h21
            guard determinant != 0, determinant.isFinite else { break }
            let dA = -(h22 * g1 - h21 * g2) / determinant
            let dB = -(-h21 * g1 + h11 * g2) / determinant
            let descent = g1 * dA + g2 * dB
            var step = 1.0
            var moved = false
            while step >= 1e-12 {
                let newA = a + step * dA
                let newB = b + step * dB
                let newValue = objective(f, t, newA, newB)
                if newValue < value + 1e-4 * step * descent {
                    a = newA
                    b = newB
                    value = newValue
                    moved = true
                    break
                }
                step /= 2
            }
            if !moved { break }
        }
        return a.isFinite && b.isFinite ? (a, b) : nil
    }

    /// The calibrated probability of `score`. NaN stays NaN.
    public func calibrate(_ score: Double) -> Double {
        let z = a * (score / scale) + b
        return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z))
    }
}
