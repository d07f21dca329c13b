/// Limited-memory BFGS for smooth, unconstrained minimisation, as the trainer uses it on
/// the (convex) regularised log loss.
///
/// Each iteration takes the quasi-Newton direction of the last `memory` steps (two-loop
/// recursion) and a backtracking line search that accepts a step under the Armijo
/// condition or, once the objective's decrease drowns in rounding, under Hager and Zhang's
/// approximate Wolfe conditions; that lets the gradient go far below what comparing
/// objective values could resolve, which is what a tight `tolerance` asks for. Converged
/// means every gradient component is at most `tolerance`.
public struct LBFGS: Sendable {
    /// Pairs of steps and gradient changes kept.
    public var memory: Int
    /// The most iterations (each one line search).
    public var maxIterations: Int
    /// Converged when the gradient's largest absolute component is at most this.
    public var tolerance: Double

    /// The outcome of a minimisation.
    public struct Result: Sendable, Equatable {
        /// The point reached.
        public var x: [Double]
        /// The objective there.
        public var value: Double
        /// The gradient's largest absolute component there.
        public var gradientNorm: Double
        /// Iterations taken.
        public var iterations: Int
        /// Whether ``gradientNorm`` reached the tolerance.
        public var converged: Bool
    }

    /// An optimiser; `memory` 10 is the usual choice.
    public init(memory: Int = 10, maxIterations: Int, tolerance: Double) {
        self.memory = Swift.max(1, memory)
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// Minimises `objective` from `start`. The objective returns its value and writes its
    /// gradient into the second argument (as long as `x`). Throws ``TrainingError/diverged(iteration:)``
    /// when the value at the start is not finite.
    public func minimize(
        from start: [Double],
        _ objective: (_ x: [Double], _ gradient: inout [Double]) -> Double
    ) throws(TrainingError) -> Result {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        guard f.isFinite else { throw .diverged(iteration: 0) }
        var sHistory: [[Double]] = []
        var yHistory: [[Double]] = []
        var rhoHistory: [Double] = []
        var iterations = 0
        var xNew = x
        var gNew = g
        var direction = [Double](repeating: 0, count: n)
        var alphas = [Double](repeating: 0, count: memory)

        while iterations < maxIterations {
            if Self.maxAbs(g) <= tolerance { break }
            // Two-loop recursion: direction = −H·g.
            for i in 0..<n { direction[i] = -g[i] }
            let m = sHistory.count
            if m > 0 {
                for k in stride(from: m - 1, through: 0, by: -1) {
                    let a = rhoHistory[k] * Self.dot(sHistory[k], direction)
                    alphas[k] = a
                    Self.axpy(-a, yHistory[k], &direction)
                }
                let last = m - 1
                let gamma = Self.dot(sHistory[last], yHistory[last]) / Self.dot(yHistory[last], yHistory[last])
                for i in 0..<n { direction[i] *= gamma }
                for k in 0..<m {
                    let b = rhoHistory[k] * Self.dot(yHistory[k], direction)
                    Self.axpy(alphas[k] - b, sHistory[k], &direction)
                }
            }
            var slope = Self.dot(g, direction)
            if !(slope < 0) {
                // Not a descent direction (rounding): forget the curvature and go downhill.
                sHistory.removeAll()
                yHistory.removeAll()
                rhoHistory.removeAll()
                for i in 0..<n { direction[i] = -g[i] }
                slope = Self.dot(g, direction)
            }
            // First step: a unit move; afterwards the quasi-Newton step itself.
            var step = sHistory.isEmpty ? Swift.min(1, 1 / Self.dot(g, g).squareRoot()) : 1
            var accepted = false
            var fNew = f
            for _ in 0..<60 {
                for i in 0..<n { xNew[i] = x[i] + step * direction[i] }
                fNew = objective(xNew, &gNew)
                if fNew.isFinite {
                    if fNew <= f + 1e-4 * step * slope {
                        accepted = true
                        break
                    }
                    // Approximate Wolfe (Hager–Zhang): the value has not risen beyond
                    // rounding and the slope along the direction has flattened.
                    let newSlope = Self.dot(gNew, direction)
                    if fNew <= f + 1e-10 * abs(f), newSlope >= 0.9 * slope, newSlope <= -0.8 * slope {
                        accepted = true
                        break
                    }
                }
                step *= 0.5
            }
            iterations += 1
            guard accepted else {
                if sHistory.isEmpty { break }
                // Retry once from steepest descent before giving up.
                sHistory.removeAll()
                yHistory.removeAll()
                rhoHistory.removeAll()
                continue
            }
            var s = [Double](repeating: 0, count: n)
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                s[i] = xNew[i] - x[i]
                y[i] = gNew[i] - g[i]
            }
            let sy = Self.dot(s, y)
            if sy > 1e-12 * Self.dot(y, y) && sy > 0 {
                if sHistory.count == memory {
                    sHistory.removeFirst()
                    yHistory.removeFirst()
                    rhoHistory.removeFirst()
                }
                sHistory.append(s)
                yHistory.append(y)
                rhoHistory.append(1 / sy)
            }
            swap(&x, &xNew)
            swap(&g, &gNew)
            f = fNew
        }
        let norm = Self.maxAbs(g)
        return Result(x: x, value: f, gradientNorm: norm, iterations: iterations, converged: norm <= tolerance)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var s = 0.0
                for i in 0..<Swift.min(pa.count, pb.count) { s += pa[i] * pb[i] }
                return s
            }
        }
    }

    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in 0..<Swift.min(x.count, y.count) { y[i] += a * x[i] }
    }

    static func maxAbs(_ a: [Double]) -> Double {
        var m = 0.0
        for v in a { m = Swift.max(m, abs(v)) }
        return m
    }
}
