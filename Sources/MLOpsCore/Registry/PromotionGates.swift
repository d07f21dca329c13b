import Foundation

/// The verdict of one promotion gate, with the numbers behind it, so a refusal says why.
public struct GateVerdict: Sendable, Equatable, Codable {
    /// `min_metric`, `max_metric_drop` or `ab_test`.
    public var gate: String
    public var passed: Bool
    /// One sentence: what was compared with what.
    public var explanation: String

    public init(gate: String, passed: Bool, explanation: String) {
        self.gate = gate
        self.passed = passed
        self.explanation = explanation
    }
}

/// Evaluates a model policy's promotion gates (docs/design.md §10) for a candidate version.
public enum PromotionGates {
    /// Metrics where a smaller value is better; all others are "higher is better".
    public static let lowerIsBetter: Set<String> = ["rmse", "mae"]

    /// The verdict of every gate the policy sets. `candidate` and `production` are the
    /// model metric's values for the candidate and the current production version (nil
    /// when the candidate has no value or there is no production version). `abTestWon`
    /// is nil when no A/B test has run.
    public static func evaluate(
        metric: String,
        candidate: Double?,
        production: Double?,
        policy: ModelSpec.Promotion,
        abTestWon: Bool?
    ) -> [GateVerdict] {
        let lower = lowerIsBetter.contains(metric)
        var verdicts: [GateVerdict] = []
        if let minimum = policy.minMetric {
            if let candidate {
                let passed = lower ? candidate <= minimum : candidate >= minimum
                verdicts.append(
                    GateVerdict(
                        gate: "min_metric",
                        passed: passed,
                        explanation:
                            "\(metric) \(format(candidate)) \(passed ? "meets" : "misses") the \(lower ? "maximum" : "minimum") \(format(minimum))"
                    )
                )
            } else {
                verdicts.append(
                    GateVerdict(
                        gate: "min_metric",
                        passed: false,
                        explanation: "the version has no \(metric) in its metrics.json"
                    )
                )
            }
        }
        if let maxDrop = policy.maxMetricDrop {
            switch (candidate, production) {
            case (_, nil):
                verdicts.append(
                    GateVerdict(
                        gate: "max_metric_drop",
                        passed: true,
                        explanation: "no production version to compare with"
                    )
                )
            case (nil, _?):
                verdicts.append(
                    GateVerdict(
                        gate: "max_metric_drop",
                        passed: false,
                        explanation: "the version has no \(metric) in its metrics.json"
                    )
                )
            case (let c?, let p?):
                // A drop is "worse than production", in the metric's own direction.
                let drop = lower ? c - p : p - c
                let passed = drop <= maxDrop + 1e-12
                verdicts.append(
                    GateVerdict(
                        gate: "max_metric_drop",
                        passed: passed,
                        explanation: "\(metric) \(format(c)) against production \(format(p)): "
                            + (drop > 0 ? "worse by \(format(drop))" : "not worse")
                            + ", the limit is \(format(maxDrop))"
                    )
                )
            }
        }
        if policy.requireABTest {
            let passed = abTestWon == true
            let explanation: String
            switch abTestWon {
            case true?: explanation = "the version won its A/B test against production"
            case false?: explanation = "the version did not win its A/B test against production"
            case nil: explanation = "the policy requires an A/B test win and none has run"
            }
            verdicts.append(GateVerdict(gate: "ab_test", passed: passed, explanation: explanation))
        }
        return verdicts
    }

    /// Compact number text for explanations (up to 4 decimals, no trailing zeros).
    static func format(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }
}
