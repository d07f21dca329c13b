/// The parameter schemas of the retraining job kinds (DESIGN §4, §9). They live in the
/// core so `mlopsctl validate` and the docs see the same rules as the daemon.
public enum RetrainingKinds {
    /// `check-retrain`.
    public static let checkRetrain = KindSpec(
        kind: .checkRetrain, params: ObjectSchema([]),
        summary: "says whether a model should be retrained now: the triggers that hold, with their figures, and what holds retraining back")

    /// `retraining-start`: the pipeline and its parameters automatic runs use, checked
    /// against the pipeline's declarations when the switch goes on.
    public static let retrainingStart = KindSpec(
        kind: .retrainingStart,
        params: ObjectSchema([
            Field("pipeline", .string(.name), doc: "the pipeline automatic retrainings run; default: the one set before, else the model's `pipeline`"),
            Field("params", .map(keys: .name, values: .any),
                  doc: "the parameters automatic runs pass to the pipeline (as run-pipeline's); default: the ones set before, else none"),
        ]),
        summary: "switches automated retraining on (one model or all), with the pipeline and parameters automatic runs use (persisted)")

    /// `retraining-stop`.
    public static let retrainingStop = KindSpec(
        kind: .retrainingStop, params: ObjectSchema([]),
        summary: "switches automated retraining off (one model or all; persisted); a run already started goes on")

    /// `retraining-trigger`: like run-pipeline, with trigger `manual`.
    public static let retrainingTrigger = KindSpec(
        kind: .retrainingTrigger,
        params: ObjectSchema([
            Field("pipeline", .string(.name), doc: "the pipeline definition; default: the retraining setting's, else the model's `pipeline`"),
        ], additionalValues: .any),
        summary: "retrains a model now (trigger manual): runs its pipeline like run-pipeline; without parameters, the retraining settings' are used")

    /// `retraining-history`.
    public static let retrainingHistory = KindSpec(
        kind: .retrainingHistory,
        params: ObjectSchema([
            Field("trigger", .oneOf(RetrainingTrigger.allCases.map(\.rawValue)), doc: "only this trigger"),
            Field("include_suppressed", .bool, default: true, doc: "list triggers that were held back too"),
            Field("limit", .int(min: 1, max: 10_000), default: 50, doc: "the most entries listed, newest first"),
        ]),
        summary: "retrainings and held-back triggers, newest first: trigger, evidence, run, outcome, duration, version")

    /// `retraining-stats`.
    public static let retrainingStats = KindSpec(
        kind: .retrainingStats,
        params: ObjectSchema([
            Field("days", .double(min: 0), doc: "only the last this many days; default: all"),
        ]),
        summary: "statistics of retraining: by trigger and outcome, success rate, durations, time from detection to deployment")
}
