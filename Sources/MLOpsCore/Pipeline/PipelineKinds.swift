extension Kinds {
    /// `run-pipeline`: runs the CI/CD pipeline for a model (docs/pipelines.md). `pipeline`
    /// picks the definition; every other key must be a parameter that definition declares
    /// (checked by the handler, which has the definitions; the validator only keeps them).
    public enum RunPipeline: JobKindDeclaration {
        public static let kind = JobKind.runPipeline
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "runs the eight-stage pipeline for a model; other keys set the parameters the pipeline declares"
        public static let schema = ObjectSchema(
            [
                Field(
                    "pipeline",
                    .string(.name),
                    doc: "the pipeline definition etc/pipelines/<name>.yaml; default: the model's `pipeline`"
                )
            ],
            additionalValues: .any
        )

        public typealias Parameters = PipelineSelection
        /// The run document: `running` progress while the run goes on, then its end.
        public typealias Result = RunDocument
    }

    /// `cancel-pipeline`: stops a running or queued pipeline run and its children.
    public enum CancelPipeline: JobKindDeclaration {
        public static let kind = JobKind.cancelPipeline
        public static let modelRule = ModelRequirement.optionalAnyModel
        public static let summary = "stops a running or queued pipeline run and its children"
        public static let schema = ObjectSchema([
            Field("run", .string(.name), doc: "the run to cancel; default: the running or queued runs of `model:`")
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The run to cancel; nil: the running or queued runs of the job's model.
            public var run: String?
            /// Parameters naming a run, or none.
            public init(run: String? = nil) { self.run = run }
        }

        /// The run being cancelled.
        public struct Result: Codable, Sendable, Equatable {
            /// The run's id.
            public var runID: String
            /// The run's model.
            public var model: String
            /// The run's state when the job found it (`queued` or `running`).
            public var stateBefore: RunState
            /// The stage running then, if any (written as `null` otherwise).
            public var stage: PipelineStage?
            /// What happens next.
            public var note: String

            /// A result with every field given.
            public init(runID: String, model: String, stateBefore: RunState, stage: PipelineStage?, note: String) {
                self.runID = runID
                self.model = model
                self.stateBefore = stateBefore
                self.stage = stage
                self.note = note
            }

            enum CodingKeys: String, CodingKey {
                case runID = "run_id"
                case model
                case stateBefore = "state_before"
                case stage
                case note
            }

            /// Decodes the result; a `null` stage reads as nil.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                runID = try c.decode(String.self, forKey: .runID)
                model = try c.decode(String.self, forKey: .model)
                stateBefore = try c.decode(RunState.self, forKey: .stateBefore)
                stage = try c.decodeIfPresent(PipelineStage.self, forKey: .stage)
                note = try c.decode(String.self, forKey: .note)
            }

            /// Encodes every key, `stage` as `null` when no stage ran.
            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(runID, forKey: .runID)
                try c.encode(model, forKey: .model)
                try c.encode(stateBefore, forKey: .stateBefore)
                try c.encode(stage, forKey: .stage)
                try c.encode(note, forKey: .note)
            }
        }
    }

    /// `pipeline-history`: past and current pipeline runs with their stages.
    public enum PipelineHistory: JobKindDeclaration {
        public static let kind = JobKind.pipelineHistory
        public static let modelRule = ModelRequirement.optionalAnyModel
        public static let summary =
            "past and current pipeline runs with their stages, durations, outcomes and versions"
        public static let schema = ObjectSchema([
            Field("run", .string(.name), doc: "only this run"),
            Field("state", .oneOf(RunState.allCases.map(\.rawValue)), doc: "only runs in this state"),
            Field("limit", .int(min: 1, max: 10_000), default: 50, doc: "the most runs listed, newest first"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Only this run.
            public var run: String?
            /// Only runs in this state.
            public var state: RunState?
            /// The most runs listed.
            public var limit: Int

            /// Parameters; the defaults are the schema's.
            public init(run: String? = nil, state: RunState? = nil, limit: Int = 50) {
                self.run = run
                self.state = state
                self.limit = limit
            }
        }

        /// The runs listed, and how many runs each state has (of the model, or of all).
        public struct Result: Codable, Sendable, Equatable {
            /// The runs, newest first.
            public var runs: [RunDocument]
            /// How many runs are listed.
            public var count: Int
            /// Runs per state; absent when one run was asked for by id.
            public var byState: [String: Int]?

            /// A result; `count` is the number of `runs`.
            public init(runs: [RunDocument], byState: [String: Int]?) {
                self.runs = runs
                self.count = runs.count
                self.byState = byState
            }

            enum CodingKeys: String, CodingKey {
                case runs
                case count
                case byState = "by_state"
            }
        }
    }
}

/// The parameters of `run-pipeline` and `retraining-trigger`: the pipeline to run and the
/// values of the parameters it declares, written beside `pipeline:` in the job.
public struct PipelineSelection: Codable, Sendable, Equatable {
    /// The pipeline definition; nil: the default of the kind.
    public var pipeline: String?
    /// Every other key of `params:`, to be checked against the pipeline's declarations.
    public var values: [String: JSONValue]

    /// A selection of `pipeline` with `values`.
    public init(pipeline: String? = nil, values: [String: JSONValue] = [:]) {
        self.pipeline = pipeline
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var values: [String: JSONValue] = [:]
        for key in container.allKeys where key.stringValue != "pipeline" {
            values[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.pipeline = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "pipeline"))
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeIfPresent(pipeline, forKey: AnyCodingKey(stringValue: "pipeline"))
        for (key, value) in values where key != "pipeline" {
            try container.encode(value, forKey: AnyCodingKey(stringValue: key))
        }
    }
}
