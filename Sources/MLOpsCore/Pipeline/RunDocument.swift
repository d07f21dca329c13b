import Foundation

/// One pipeline run as documents show it: the result (and the `running` progress) of a
/// `run-pipeline` or `retraining-trigger` job, and each entry of `pipeline-history`.
///
/// Fields that are unknown yet (`job`, `stage`, `started_at`, `version`, `error`, …) are
/// written as explicit `null`s, as readers of the JSON expect every key to be present.
public struct RunDocument: Codable, Sendable, Equatable {
    /// The run id, e.g. `20261129T190102-3fa9c1`.
    public var runID: String
    /// The model the run is for.
    public var model: String
    /// The pipeline definition's name.
    public var pipeline: String
    /// Where the run is.
    public var state: RunState
    /// The parameters the run uses, resolved against the pipeline's declarations.
    public var params: JSONValue
    /// What started the run: `run-pipeline`, or a retraining trigger (`manual`, `scheduled`, …).
    public var trigger: String
    /// Who submitted the job that started the run.
    public var submittedBy: String
    /// When the run was queued.
    public var queuedAt: String
    /// How many stages a run has (8).
    public var stagesTotal: Int
    /// The stages, in order.
    public var stages: [StageDocument]
    /// Wall-clock seconds spent in stage children.
    public var childrenSeconds: Double
    /// The job that started the run, if a job did.
    public var job: String?
    /// The stage running or last run.
    public var stage: PipelineStage?
    /// `stage`'s number (1…8).
    public var stageNumber: Int?
    /// When the first stage started.
    public var startedAt: String?
    /// When the run ended.
    public var finishedAt: String?
    /// Seconds from start to finish (or to now while it runs).
    public var durationSeconds: Double?
    /// The version the run created.
    public var version: String?
    /// Why the run failed: an error document (`code`, `message`, `fix`, …).
    public var error: JSONValue?

    /// A run document with every field given.
    public init(
        runID: String,
        model: String,
        pipeline: String,
        state: RunState,
        params: JSONValue,
        trigger: String,
        submittedBy: String,
        queuedAt: String,
        stagesTotal: Int,
        stages: [StageDocument],
        childrenSeconds: Double,
        job: String?,
        stage: PipelineStage?,
        stageNumber: Int?,
        startedAt: String?,
        finishedAt: String?,
        durationSeconds: Double?,
        version: String?,
        error: JSONValue?
    ) {
        self.runID = runID
        self.model = model
        self.pipeline = pipeline
        self.state = state
        self.params = params
        self.trigger = trigger
        self.submittedBy = submittedBy
        self.queuedAt = queuedAt
        self.stagesTotal = stagesTotal
        self.stages = stages
        self.childrenSeconds = childrenSeconds
        self.job = job
        self.stage = stage
        self.stageNumber = stageNumber
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.version = version
        self.error = error
    }

    /// The error's message, when the run failed with one.
    public var errorMessage: String? { error?["message"]?.stringValue }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case model, pipeline, state, params, trigger
        case submittedBy = "submitted_by"
        case queuedAt = "queued_at"
        case stagesTotal = "stages_total"
        case stages
        case childrenSeconds = "children_seconds"
        case job, stage
        case stageNumber = "stage_number"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case version, error
    }

    /// Decodes a run document; `null` and absent optional fields both read as nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runID = try c.decode(String.self, forKey: .runID)
        model = try c.decode(String.self, forKey: .model)
        pipeline = try c.decode(String.self, forKey: .pipeline)
        state = try c.decode(RunState.self, forKey: .state)
        params = try c.decodeIfPresent(JSONValue.self, forKey: .params) ?? .null
        trigger = try c.decode(String.self, forKey: .trigger)
        submittedBy = try c.decode(String.self, forKey: .submittedBy)
        queuedAt = try c.decode(String.self, forKey: .queuedAt)
        stagesTotal = try c.decode(Int.self, forKey: .stagesTotal)
        stages = try c.decode([StageDocument].self, forKey: .stages)
        childrenSeconds = try c.decode(Double.self, forKey: .childrenSeconds)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        stage = try c.decodeIfPresent(PipelineStage.self, forKey: .stage)
        stageNumber = try c.decodeIfPresent(Int.self, forKey: .stageNumber)
        startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        error = try c.decodeIfPresent(JSONValue.self, forKey: .error).flatMap { $0 == .null ? nil : $0 }
    }

    /// Encodes every key; unknown values as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(model, forKey: .model)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(state, forKey: .state)
        try c.encode(params, forKey: .params)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(submittedBy, forKey: .submittedBy)
        try c.encode(queuedAt, forKey: .queuedAt)
        try c.encode(stagesTotal, forKey: .stagesTotal)
        try c.encode(stages, forKey: .stages)
        try c.encode(childrenSeconds, forKey: .childrenSeconds)
        try c.encode(job, forKey: .job)
        try c.encode(stage, forKey: .stage)
        try c.encode(stageNumber, forKey: .stageNumber)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(version, forKey: .version)
        try c.encode(error ?? .null, forKey: .error)
    }
}
