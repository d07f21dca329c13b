import Foundation

/// The decision logic of the pipeline's `ab_test` stage (docs/design.md §11, docs/ab-testing.md):
/// given the labelled predictions of the champion and the challenger so far, promote the
/// challenger, keep the champion, or wait.
///
/// **Fixed horizon** (`sequential: false`): ``ABDecision/undecided`` until both arms have
/// `min_samples` labelled predictions; then one one-sided pooled two-proportion z-test at
/// `alpha` ("is the challenger better?"): significant → promote, otherwise keep the
/// champion. At the deadline with fewer samples it tests what there is and promotes only
/// if that is significant.
///
/// **Sequential** (`sequential: true`): at every look the mixture SPRT's always-valid
/// p-value (``MixtureSPRT``). Once both arms have ``sequentialMinimumPerArm`` labelled
/// predictions, p < `alpha` with the challenger ahead promotes and p < `alpha` with the
/// challenger behind keeps the champion (a worse challenger stops getting traffic early);
/// otherwise undecided until the deadline. `min_samples` plays no part: looking early
/// costs nothing with always-valid p-values.
///
/// **Deadline:** once it has passed, the decision is never ``ABDecision/undecided``: what
/// has not been shown to be better by then keeps the champion.
public enum ABTest {
    /// ``ABVerdict/method`` of the fixed-horizon test.
    public static let fixedHorizonMethod = "two_proportion_z"
    /// ``ABVerdict/method`` of the sequential test.
    public static let sequentialMethod = "msprt"
    /// The sequential test never decides on fewer labelled predictions per arm than this:
    /// below about 30 the normal approximation of a proportion is poor (the mixture's own
    /// threshold is then |z| above 5 anyway).
    public static let sequentialMinimumPerArm = 30

    /// The decision after one look at the arms' counts. `deadlinePassed`: the maximum
    /// duration is over.
    ///
    /// Defined at the edges: an arm with no labelled prediction gives no statistic, no
    /// p-value and no lift (undecided before the deadline, keep the champion at it); arms
    /// that are all right (or all wrong) on both sides, or identical, give z = 0 — a
    /// one-sided p of 0.5 (fixed horizon) or an always-valid p of 1 (sequential) — and so
    /// never promote; counts that are not ``ABArm/isValid`` decide nothing (undecided, or
    /// keep the champion at the deadline).
    ///
    /// The verdict's ``ABVerdict/document`` has the keys `decision`, `method`, `statistic`,
    /// `p_value`, `alpha`, `lift`, `reason`, `champion` and `challenger` (each `n`,
    /// `successes`, `rate`), `min_samples`, `sequential`, `deadline_passed`, and for the
    /// sequential test `log_likelihood_ratio`, `mixing_variance` and `minimum_per_arm`;
    /// values that are undefined are null.
    public static func decide(
        champion: ABArm,
        challenger: ABArm,
        settings: ABTestSettings,
        deadlinePassed: Bool
    ) -> ABVerdict {
        settings.sequential
            ? sequential(champion: champion, challenger: challenger, settings: settings, deadlinePassed: deadlinePassed)
            : fixedHorizon(
                champion: champion,
                challenger: challenger,
                settings: settings,
                deadlinePassed: deadlinePassed
            )
    }

    /// The one-sided pooled two-proportion z-test of "the challenger's rate is higher": z
    /// positive when the challenger is ahead and p = 1 − Φ(z) (the survival function, so
    /// small p-values keep their digits). Nil when an arm has no labelled prediction or
    /// invalid counts. z = 0 and p = 0.5 when the pooled rate is 0 or 1.
    public static func oneSidedZTest(champion: ABArm, challenger: ABArm) -> (z: Double, pValue: Double)? {
        guard
            let test = TwoProportionZTest.compute(
                successesA: challenger.successes,
                trialsA: challenger.n,
                successesB: champion.successes,
                trialsB: champion.n
            )
        else { return nil }
        return (test.z, NormalDistribution.survival(test.z))
    }

    // MARK: - The two methods

    static func fixedHorizon(
        champion: ABArm,
        challenger: ABArm,
        settings: ABTestSettings,
        deadlinePassed: Bool
    ) -> ABVerdict {
        let minSamples = max(settings.minSamples, 1)
        let test = oneSidedZTest(champion: champion, challenger: challenger)
        let lift = self.lift(champion, challenger)
        let enough = champion.n >= minSamples && challenger.n >= minSamples
        let decision: ABDecision
        let reason: String
        if let invalid = invalidCounts(champion, challenger) {
            decision = deadlinePassed ? .keepChampion : .undecided
            reason =
                invalid
                + (deadlinePassed ? "; the deadline has passed, so the champion stays" : "; waiting for valid counts")
        } else if !enough && !deadlinePassed {
            decision = .undecided
            reason =
                "Waiting for \(minSamples) labelled predictions per arm (champion \(champion.n), challenger \(challenger.n))."
        } else if let test, let lift {
            let significant = test.pValue < settings.alpha && lift > 0
            decision = significant ? .promote : .keepChampion
            let stats = "one-sided p = \(format(test.pValue)) (z = \(format(test.z)), lift \(points(lift)))"
            let early = enough ? "" : " at the deadline with fewer than \(minSamples) per arm"
            reason =
                significant
                ? "The challenger is significantly better\(early): \(stats) < alpha \(format(settings.alpha))."
                : "The challenger is not significantly better\(early): \(stats) ≥ alpha \(format(settings.alpha)), so the champion stays."
        } else {
            decision = .keepChampion
            reason =
                "The deadline has passed with no labelled prediction in \(emptyArms(champion, challenger)), so the champion stays."
        }
        return verdict(
            decision,
            method: fixedHorizonMethod,
            z: test?.z,
            p: test?.pValue,
            champion,
            challenger,
            lift,
            reason,
            settings,
            deadlinePassed,
            extra: [:]
        )
    }

    static func sequential(
        champion: ABArm,
        challenger: ABArm,
        settings: ABTestSettings,
        deadlinePassed: Bool
    ) -> ABVerdict {
        let evidence = MixtureSPRT.compute(
            successesA: champion.successes,
            trialsA: champion.n,
            successesB: challenger.successes,
            trialsB: challenger.n
        )
        let lift = self.lift(champion, challenger)
        let floor = sequentialMinimumPerArm
        let enough = champion.n >= floor && challenger.n >= floor
        let decision: ABDecision
        let reason: String
        let waitOrStop = deadlinePassed ? "the deadline has passed, so the champion stays" : "keep looking"
        if let invalid = invalidCounts(champion, challenger) {
            decision = deadlinePassed ? .keepChampion : .undecided
            reason =
                invalid
                + (deadlinePassed ? "; the deadline has passed, so the champion stays" : "; waiting for valid counts")
        } else if let evidence, let lift {
            let stats = "always-valid p = \(format(evidence.pValue)) (z = \(format(evidence.z)), lift \(points(lift)))"
            let significant = evidence.pValue < settings.alpha
            if enough && significant && lift > 0 {
                decision = .promote
                reason = "The challenger is significantly better: \(stats) < alpha \(format(settings.alpha))."
            } else if enough && significant && lift < 0 {
                decision = .keepChampion
                reason =
                    "The challenger is significantly worse: \(stats) < alpha \(format(settings.alpha)), so the champion stays."
            } else if !enough {
                decision = deadlinePassed ? .keepChampion : .undecided
                reason =
                    "Fewer than \(floor) labelled predictions per arm (champion \(champion.n), challenger \(challenger.n)): "
                    + "\(waitOrStop)."
            } else {
                decision = deadlinePassed ? .keepChampion : .undecided
                reason = "No significant difference yet: \(stats) ≥ alpha \(format(settings.alpha)); \(waitOrStop)."
            }
        } else {
            decision = deadlinePassed ? .keepChampion : .undecided
            reason =
                deadlinePassed
                ? "The deadline has passed with no labelled prediction in \(emptyArms(champion, challenger)), so the champion stays."
                : "Waiting for labelled predictions in \(emptyArms(champion, challenger))."
        }
        let extra: [String: JSONValue] = [
            "log_likelihood_ratio": evidence.map { .double($0.logLikelihoodRatio) } ?? .null,
            "mixing_variance": .double(MixtureSPRT.mixingVariance),
            "minimum_per_arm": .int(floor),
        ]
        return verdict(
            decision,
            method: sequentialMethod,
            z: evidence?.z,
            p: evidence?.pValue,
            champion,
            challenger,
            lift,
            reason,
            settings,
            deadlinePassed,
            extra: extra
        )
    }

    // MARK: - Helpers

    static func lift(_ champion: ABArm, _ challenger: ABArm) -> Double? {
        guard let a = champion.rate, let b = challenger.rate else { return nil }
        return b - a
    }

    /// A sentence fragment naming the invalid arms, or nil when both are valid.
    static func invalidCounts(_ champion: ABArm, _ challenger: ABArm) -> String? {
        let bad = [("champion", champion), ("challenger", challenger)].filter { !$0.1.isValid }
        guard !bad.isEmpty else { return nil }
        let list = bad.map { "\($0.0) (n \($0.1.n), successes \($0.1.successes))" }.joined(separator: " and ")
        return "The counts of the \(list) are not valid (successes must be within 0…n)"
    }

    static func emptyArms(_ champion: ABArm, _ challenger: ABArm) -> String {
        switch (champion.n == 0, challenger.n == 0) {
        case (true, true): return "either arm"
        case (true, false): return "the champion's arm"
        default: return "the challenger's arm"
        }
    }

    static func verdict(
        _ decision: ABDecision,
        method: String,
        z: Double?,
        p: Double?,
        _ champion: ABArm,
        _ challenger: ABArm,
        _ lift: Double?,
        _ reason: String,
        _ settings: ABTestSettings,
        _ deadlinePassed: Bool,
        extra: [String: JSONValue]
    ) -> ABVerdict {
        var fields: [String: JSONValue] = [
            "decision": .string(decision.rawValue), "method": .string(method),
            "statistic": number(z), "p_value": number(p), "alpha": .double(settings.alpha), "lift": number(lift),
            "reason": .string(reason), "champion": champion.document, "challenger": challenger.document,
            "min_samples": .int(settings.minSamples), "sequential": .bool(settings.sequential),
            "deadline_passed": .bool(deadlinePassed),
        ]
        fields.merge(extra) { _, new in new }
        return ABVerdict(
            decision: decision,
            method: method,
            statistic: z,
            pValue: p,
            champion: champion,
            challenger: challenger,
            lift: lift,
            reason: reason,
            document: .object(fields)
        )
    }

    /// A finite number, or null (JSON has no inf or nan).
    static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .double(value)
    }

    /// Four significant digits for the reason sentence ("0.01234", "3.2e-07").
    static func format(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    /// A lift as signed percentage points ("+2.4 points").
    static func points(_ lift: Double) -> String {
        String(format: "%+.1f points", lift * 100)
    }
}
