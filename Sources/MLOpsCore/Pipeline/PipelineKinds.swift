/// The parameter schemas of the pipeline job kinds (DESIGN §4, §7). They live in the core
/// so `mlopsctl validate` and the docs see the same rules as the daemon.
public enum PipelineKinds {
    /// `run-pipeline`: `pipeline` picks the definition; every other key must be a
    /// parameter that definition declares (checked by the handler, which has the
    /// definitions; the validator only keeps the keys).
    public static let runPipeline = KindSpec(
        kind: .runPipeline,
        params: ObjectSchema([
            Field("pipeline", .string(.name), doc: "the pipeline definition etc/pipelines/<name>.yaml; default: the model's `pipeline`"),
        ], additionalValues: .any),
        summary: "runs the eight-stage pipeline for a model; other keys set the parameters the pipeline declares")

    /// `cancel-pipeline`.
    public static let cancelPipeline = KindSpec(
        kind: .cancelPipeline,
        params: ObjectSchema([
            Field("run", .string(.name), doc: "the run to cancel; default: the running or queued runs of `model:`"),
        ]),
        summary: "stops a running or queued pipeline run and its children")

    /// `pipeline-history`.
    public static let pipelineHistory = KindSpec(
        kind: .pipelineHistory,
        params: ObjectSchema([
            Field("run", .string(.name), doc: "only this run"),
            Field("state", .oneOf(RunState.allCases.map(\.rawValue)), doc: "only runs in this state"),
            Field("limit", .int(min: 1, max: 10_000), default: 50, doc: "the most runs listed, newest first"),
        ]),
        summary: "past and current pipeline runs with their stages, durations, outcomes and versions")
}
