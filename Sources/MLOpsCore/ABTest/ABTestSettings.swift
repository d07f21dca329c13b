/// The `ab_test:` section of a pipeline definition (docs/design.md §11, docs/ab-testing.md).
///
/// Validated by ``schema`` (unknown keys, wrong types and values out of range are refused
/// with their line and column) and read with ``init(validated:)``. Every key has a default:
///
/// | key | default | meaning |
/// |---|---|---|
/// | `enabled` | false | run the `ab_test` stage |
/// | `challenger_share` | 0.1 | share of the traffic routed to the challenger, strictly between 0 and 1 |
/// | `min_samples` | 200 | labelled predictions per arm before the fixed-horizon test decides (30 to 10,000,000) |
/// | `alpha` | 0.05 | significance level, in (0, 0.5] |
/// | `max_duration_hours` | 168 | the deadline, in hours after the test starts, in (0, 8760] |
/// | `sequential` | false | decide with always-valid p-values (mixture SPRT) at every look instead of once at `min_samples` |
/// | `check_interval` | 60 | seconds between looks at the labelled predictions, 1 to 86,400 |
public struct ABTestSettings: Sendable, Equatable {
    /// Default of ``challengerShare``: one prediction in ten goes to the challenger, so a
    /// bad challenger reaches few users.
    public static let defaultChallengerShare = 0.1
    /// Default of ``minSamples``: with 200 per arm a one-sided z-test at 0.05 detects a
    /// difference of about 9 points of accuracy around 85% with 80% power.
    public static let defaultMinSamples = 200
    /// The smallest ``minSamples`` the schema accepts: below about 30 per arm the normal
    /// approximation behind both tests is unreliable (``ABTest/sequentialMinimumPerArm``).
    public static let smallestMinSamples = 30
    /// Default of ``alpha``.
    public static let defaultAlpha = 0.05
    /// Default of ``maxDurationHours``: one week, so weekly patterns are seen once.
    public static let defaultMaxDurationHours = 168.0
    /// Default of ``checkInterval``, in seconds.
    public static let defaultCheckInterval = 60.0

    /// Whether the pipeline runs the `ab_test` stage.
    public var enabled: Bool
    /// Share of the traffic routed to the challenger, strictly between 0 and 1.
    public var challengerShare: Double
    /// Labelled predictions each arm needs before the fixed-horizon test decides.
    public var minSamples: Int
    /// Significance level of the test.
    public var alpha: Double
    /// The deadline, in hours after the test starts: then the test decides with what it
    /// has, and an undecided test keeps the champion.
    public var maxDurationHours: Double
    /// Decide with always-valid p-values at every look (mixture SPRT) rather than once, at
    /// ``minSamples``, with the z-test.
    public var sequential: Bool
    /// Seconds between looks at the labelled predictions.
    public var checkInterval: Double

    /// Settings with the documented defaults for whatever is not given.
    public init(
        enabled: Bool = false,
        challengerShare: Double = ABTestSettings.defaultChallengerShare,
        minSamples: Int = ABTestSettings.defaultMinSamples,
        alpha: Double = ABTestSettings.defaultAlpha,
        maxDurationHours: Double = ABTestSettings.defaultMaxDurationHours,
        sequential: Bool = false,
        checkInterval: Double = ABTestSettings.defaultCheckInterval
    ) {
        self.enabled = enabled
        self.challengerShare = challengerShare
        self.minSamples = minSamples
        self.alpha = alpha
        self.maxDurationHours = maxDurationHours
        self.sequential = sequential
        self.checkInterval = checkInterval
    }

    /// Reads the value ``SchemaValidator`` produced from an `ab_test:` section checked
    /// against ``schema``. A key that is absent (or not of the schema's type, which the
    /// validator would have refused) takes its default, so `.null` or `.object([:])` give
    /// the default settings.
    public init(validated value: JSONValue) {
        self.init(
            enabled: value["enabled"]?.boolValue ?? false,
            challengerShare: value["challenger_share"]?.doubleValue ?? Self.defaultChallengerShare,
            minSamples: value["min_samples"]?.intValue ?? Self.defaultMinSamples,
            alpha: value["alpha"]?.doubleValue ?? Self.defaultAlpha,
            maxDurationHours: value["max_duration_hours"]?.doubleValue ?? Self.defaultMaxDurationHours,
            sequential: value["sequential"]?.boolValue ?? false,
            checkInterval: value["check_interval"]?.doubleValue ?? Self.defaultCheckInterval
        )
    }

    /// The deadline in seconds (``maxDurationHours`` × 3600).
    public var maxDurationSeconds: Double { maxDurationHours * 3600 }

    /// The settings as the validated section would hold them (snake_case keys).
    public var document: JSONValue {
        .object([
            "enabled": .bool(enabled), "challenger_share": .double(challengerShare), "min_samples": .int(minSamples),
            "alpha": .double(alpha), "max_duration_hours": .double(maxDurationHours), "sequential": .bool(sequential),
            "check_interval": .double(checkInterval),
        ])
    }

    /// The keys whose lower bound is exclusive (the schema's bounds are inclusive), with
    /// the open lower bound, the inclusive upper bound and an example for the fix.
    private static let openLowerBounds: [(key: String, above: Double, atMost: Double, example: String)] = [
        ("challenger_share", 0, 1, "0.1 sends one prediction in ten to the challenger"),
        ("alpha", 0, 0.5, "0.05"),
        ("max_duration_hours", 0, 8_760, "168 (one week)"),
    ]

    /// The schema of the `ab_test:` section of a pipeline definition. The bounds that the
    /// field types cannot express (an open lower bound; `challenger_share` below 1) are
    /// checked across the section, with the key's line and column.
    public static let schema = ObjectSchema(
        [
            Field("enabled", .bool, default: .bool(false), doc: "run the A/B test stage"),
            Field(
                "challenger_share",
                .double(),
                default: .double(defaultChallengerShare),
                doc: "share of the traffic routed to the challenger, strictly between 0 and 1"
            ),
            Field(
                "min_samples",
                .int(min: smallestMinSamples, max: 10_000_000),
                default: .int(defaultMinSamples),
                doc: "labelled predictions per arm before the fixed-horizon test decides"
            ),
            Field(
                "alpha",
                .double(),
                default: .double(defaultAlpha),
                doc: "significance level, above 0 and at most 0.5"
            ),
            Field(
                "max_duration_hours",
                .double(),
                default: .double(defaultMaxDurationHours),
                doc: "the deadline in hours (above 0, at most 8760): undecided then keeps the champion"
            ),
            Field(
                "sequential",
                .bool,
                default: .bool(false),
                doc: "always-valid p-values (mixture SPRT) at every look instead of one z-test at min_samples"
            ),
            Field(
                "check_interval",
                .double(min: 1, max: 86_400),
                default: .double(defaultCheckInterval),
                doc: "seconds between looks at the labelled predictions"
            ),
        ],
        check: { value, node in
            var errors: [JobError] = []
            for bound in openLowerBounds {
                guard let v = value[bound.key]?.doubleValue else { continue }
                let upperOpen = bound.key == "challenger_share"
                let outside = v <= bound.above || (upperOpen ? v >= bound.atMost : v > bound.atMost)
                guard outside else { continue }
                let range =
                    upperOpen
                    ? "greater than \(format(bound.above)) and less than \(format(bound.atMost))"
                    : "greater than \(format(bound.above)) and at most \(format(bound.atMost))"
                let mark = node.pair(bound.key)?.value.mark ?? node.mark
                errors.append(
                    JobError(
                        .invalidValue,
                        "ab_test.\(bound.key) must be \(range), not \(format(v))",
                        at: mark,
                        fix: "for example \(bound.example)"
                    )
                )
            }
            return errors
        }
    )

    private static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }
}

extension PipelineDefinition {
    /// The pipeline's `ab_test:` section as settings (defaults for what it leaves out).
    public var abTestSettings: ABTestSettings { ABTestSettings(validated: abTest) }
}
