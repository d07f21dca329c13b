extension Kinds {
    /// `check-retrain`: says whether a model should be retrained now, and why.
    public enum CheckRetrain: JobKindDeclaration {
        public static let kind = JobKind.checkRetrain
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "says whether a model should be retrained now: the triggers that hold, with their figures, and what holds retraining back"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        public typealias Result = JSONValue
    }

    /// `retraining-start`: switches automated retraining on, with the pipeline and
    /// parameters automatic runs use, checked against the pipeline's declarations when the
    /// switch goes on.
    public enum RetrainingStart: JobKindDeclaration {
        public static let kind = JobKind.retrainingStart
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "switches automated retraining on (one model or all), with the pipeline and parameters automatic runs use (persisted)"
        public static let schema = ObjectSchema([
            Field("pipeline", .string(.name), doc: "the pipeline automatic retrainings run; default: the one set before, else the model's `pipeline`"),
            Field("params", .map(keys: .name, values: .any),
                  doc: "the parameters automatic runs pass to the pipeline (as run-pipeline's); default: the ones set before, else none"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The pipeline automatic retrainings run; nil: the one set before.
            public var pipeline: String?
            /// The parameters automatic runs pass to the pipeline; nil: the ones set before.
            public var params: [String: JSONValue]?

            /// Parameters; nil keeps what was set before.
            public init(pipeline: String? = nil, params: [String: JSONValue]? = nil) {
                self.pipeline = pipeline
                self.params = params
            }
        }

        public typealias Result = JSONValue
    }

    /// `retraining-stop`: switches automated retraining off.
    public enum RetrainingStop: JobKindDeclaration {
        public static let kind = JobKind.retrainingStop
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "switches automated retraining off (one model or all; persisted); a run already started goes on"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        public typealias Result = JSONValue
    }

    /// `retraining-trigger`: retrains now (trigger `manual`), like run-pipeline.
    public enum RetrainingTrigger: JobKindDeclaration {
        public static let kind = JobKind.retrainingTrigger
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "retrains a model now (trigger manual): runs its pipeline like run-pipeline; without parameters, the retraining settings' are used"
        public static let schema = ObjectSchema([
            Field("pipeline", .string(.name), doc: "the pipeline definition; default: the retraining setting's, else the model's `pipeline`"),
        ], additionalValues: .any)

        public typealias Parameters = PipelineSelection
        public typealias Result = JSONValue
    }

    /// `retraining-history`: retrainings and held-back triggers, newest first.
    public enum RetrainingHistory: JobKindDeclaration {
        public static let kind = JobKind.retrainingHistory
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "retrainings and held-back triggers, newest first: trigger, evidence, run, outcome, duration, version"
        public static let schema = ObjectSchema([
            Field("trigger", .oneOf(MLOpsCore.RetrainingTrigger.allCases.map(\.rawValue)), doc: "only this trigger"),
            Field("include_suppressed", .bool, default: true, doc: "list triggers that were held back too"),
            Field("limit", .int(min: 1, max: 10_000), default: 50, doc: "the most entries listed, newest first"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Only this trigger.
            public var trigger: MLOpsCore.RetrainingTrigger?
            /// List triggers that were held back too.
            public var includeSuppressed: Bool
            /// The most entries listed.
            public var limit: Int

            /// Parameters; the defaults are the schema's.
            public init(trigger: MLOpsCore.RetrainingTrigger? = nil, includeSuppressed: Bool = true, limit: Int = 50) {
                self.trigger = trigger
                self.includeSuppressed = includeSuppressed
                self.limit = limit
            }

            enum CodingKeys: String, CodingKey {
                case trigger, limit
                case includeSuppressed = "include_suppressed"
            }
        }

        public typealias Result = JSONValue
    }

    /// `retraining-stats`: statistics of retrainings.
    public enum RetrainingStats: JobKindDeclaration {
        public static let kind = JobKind.retrainingStats
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "statistics of retraining: by trigger and outcome, success rate, durations, time from detection to deployment"
        public static let schema = ObjectSchema([
            Field("days", .double(min: 0), doc: "only the last this many days; default: all"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Only the last this many days; nil: all.
            public var days: Double?
            /// Parameters; nil covers all time.
            public init(days: Double? = nil) { self.days = days }
        }

        public typealias Result = JSONValue
    }
}
