extension Kinds {
    /// `check-retrain`: says whether a model should be retrained now, and why.
    public enum CheckRetrain: JobKindDeclaration {
        public static let kind = JobKind.checkRetrain
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "says whether a model should be retrained now: the triggers that hold, with their figures, and what holds retraining back"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        /// The answer: whether to retrain, the conditions, what holds retraining back.
        public struct Result: Codable, Sendable, Equatable {
            /// The daily cap on automatic retrainings and how much of it is used.
            public struct Cap: Codable, Sendable, Equatable {
                /// Automatic retrainings (all models) started in the last 24 hours.
                public var countLast24h: Int
                /// `max_retrains_per_day`.
                public var limit: Int

                /// A cap with every field given.
                public init(countLast24h: Int, limit: Int) {
                    self.countLast24h = countLast24h
                    self.limit = limit
                }

                enum CodingKeys: String, CodingKey {
                    case countLast24h = "count_last_24h"
                    case limit
                }
            }

            /// One rule that holds retraining back, with the figures behind it (only the keys
            /// its kind of rule has are written).
            public struct HeldBack: Codable, Sendable, Equatable {
                /// `disabled`, `run_active`, `cooldown` or `cap_reached`.
                public var code: String
                /// One sentence for a person.
                public var message: String
                /// `run_active`: the run.
                public var runID: String?
                /// `cooldown`: the latest retraining.
                public var lastRetrainingAt: String?
                /// `cooldown`: when it ends.
                public var until: String?
                /// `cap_reached`: automatic retrainings in the last 24 hours.
                public var countLast24h: Int?
                /// `cap_reached`: the cap.
                public var limit: Int?

                /// The rule `reason` with its figures.
                public init(_ reason: RetrainingSuppression) {
                    code = reason.code
                    message = reason.message
                    switch reason {
                    case .disabled: break
                    case .runActive(let run): runID = run
                    case .cooldown(let last, let end):
                        lastRetrainingAt = Timestamp.string(last)
                        until = Timestamp.string(end)
                    case .capReached(let count, let cap):
                        countLast24h = count
                        limit = cap
                    }
                }

                enum CodingKeys: String, CodingKey {
                    case code
                    case message
                    case runID = "run_id"
                    case lastRetrainingAt = "last_retraining_at"
                    case until
                    case countLast24h = "count_last_24h"
                    case limit
                }
            }

            /// The model.
            public var model: String
            /// Whether a trigger condition holds.
            public var shouldRetrain: Bool
            /// Whether automation would start a retraining now.
            public var wouldStart: Bool
            /// The trigger that would fire or is held back.
            public var trigger: String?
            /// One sentence: what automation would do.
            public var whatWouldHappen: String
            /// The conditions, in priority order.
            public var conditions: [RetrainingDecision.Condition]
            /// Every rule that holds retraining back now.
            public var heldBackBy: [HeldBack]
            /// Whether automated retraining is on.
            public var enabled: Bool
            /// The retraining settings, if any were ever set.
            public var settings: RetrainingSettingsDocument?
            /// The daily cap.
            public var cap: Cap
            /// The model's cooldown after a retraining.
            public var cooldownHours: Double
            /// The model's queued or running run.
            public var activeRun: String?
            /// When the model was last retrained.
            public var lastRetrainingAt: String?
            /// When the cooldown after that ends.
            public var cooldownUntil: String?
            /// When the next schedule slot falls.
            public var nextScheduledAt: String?

            /// A result with every field given.
            public init(
                model: String,
                shouldRetrain: Bool,
                wouldStart: Bool,
                trigger: String?,
                whatWouldHappen: String,
                conditions: [RetrainingDecision.Condition],
                heldBackBy: [HeldBack],
                enabled: Bool,
                settings: RetrainingSettingsDocument?,
                cap: Cap,
                cooldownHours: Double,
                activeRun: String?,
                lastRetrainingAt: String?,
                cooldownUntil: String?,
                nextScheduledAt: String?
            ) {
                self.model = model
                self.shouldRetrain = shouldRetrain
                self.wouldStart = wouldStart
                self.trigger = trigger
                self.whatWouldHappen = whatWouldHappen
                self.conditions = conditions
                self.heldBackBy = heldBackBy
                self.enabled = enabled
                self.settings = settings
                self.cap = cap
                self.cooldownHours = cooldownHours
                self.activeRun = activeRun
                self.lastRetrainingAt = lastRetrainingAt
                self.cooldownUntil = cooldownUntil
                self.nextScheduledAt = nextScheduledAt
            }

            enum CodingKeys: String, CodingKey {
                case model
                case shouldRetrain = "should_retrain"
                case wouldStart = "would_start"
                case trigger
                case whatWouldHappen = "what_would_happen"
                case conditions
                case heldBackBy = "held_back_by"
                case enabled
                case settings
                case cap
                case cooldownHours = "cooldown_hours"
                case activeRun = "active_run"
                case lastRetrainingAt = "last_retraining_at"
                case cooldownUntil = "cooldown_until"
                case nextScheduledAt = "next_scheduled_at"
            }

            /// Decodes the answer; `null` optional fields read as nil.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                model = try c.decode(String.self, forKey: .model)
                shouldRetrain = try c.decode(Bool.self, forKey: .shouldRetrain)
                wouldStart = try c.decode(Bool.self, forKey: .wouldStart)
                trigger = try c.decodeIfPresent(String.self, forKey: .trigger)
                whatWouldHappen = try c.decode(String.self, forKey: .whatWouldHappen)
                conditions = try c.decode([RetrainingDecision.Condition].self, forKey: .conditions)
                heldBackBy = try c.decode([HeldBack].self, forKey: .heldBackBy)
                enabled = try c.decode(Bool.self, forKey: .enabled)
                settings = try c.decodeIfPresent(RetrainingSettingsDocument.self, forKey: .settings)
                cap = try c.decode(Cap.self, forKey: .cap)
                cooldownHours = try c.decode(Double.self, forKey: .cooldownHours)
                activeRun = try c.decodeIfPresent(String.self, forKey: .activeRun)
                lastRetrainingAt = try c.decodeIfPresent(String.self, forKey: .lastRetrainingAt)
                cooldownUntil = try c.decodeIfPresent(String.self, forKey: .cooldownUntil)
                nextScheduledAt = try c.decodeIfPresent(String.self, forKey: .nextScheduledAt)
            }

            /// Encodes every key; unknown values as `null`.
            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(model, forKey: .model)
                try c.encode(shouldRetrain, forKey: .shouldRetrain)
                try c.encode(wouldStart, forKey: .wouldStart)
                try c.encode(trigger, forKey: .trigger)
                try c.encode(whatWouldHappen, forKey: .whatWouldHappen)
                try c.encode(conditions, forKey: .conditions)
                try c.encode(heldBackBy, forKey: .heldBackBy)
                try c.encode(enabled, forKey: .enabled)
                try c.encode(settings, forKey: .settings)
                try c.encode(cap, forKey: .cap)
                try c.encode(cooldownHours, forKey: .cooldownHours)
                try c.encode(activeRun, forKey: .activeRun)
                try c.encode(lastRetrainingAt, forKey: .lastRetrainingAt)
                try c.encode(cooldownUntil, forKey: .cooldownUntil)
                try c.encode(nextScheduledAt, forKey: .nextScheduledAt)
            }
        }
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
            Field(
                "pipeline",
                .string(.name),
                doc: "the pipeline automatic retrainings run; default: the one set before, else the model's `pipeline`"
            ),
            Field(
                "params",
                .map(keys: .name, values: .any),
                doc:
                    "the parameters automatic runs pass to the pipeline (as run-pipeline's); default: the ones set before, else none"
            ),
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

        /// The models switched, with their settings as saved.
        public typealias Result = RetrainingSwitchResult
    }

    /// `retraining-stop`: switches automated retraining off.
    public enum RetrainingStop: JobKindDeclaration {
        public static let kind = JobKind.retrainingStop
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "switches automated retraining off (one model or all; persisted); a run already started goes on"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        /// The models switched, with their settings as saved.
        public typealias Result = RetrainingSwitchResult
    }

    /// `retraining-trigger`: retrains now (trigger `manual`), like run-pipeline.
    public enum RetrainingTrigger: JobKindDeclaration {
        public static let kind = JobKind.retrainingTrigger
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "retrains a model now (trigger manual): runs its pipeline like run-pipeline; without parameters, the retraining settings' are used"
        public static let schema = ObjectSchema(
            [
                Field(
                    "pipeline",
                    .string(.name),
                    doc: "the pipeline definition; default: the retraining setting's, else the model's `pipeline`"
                )
            ],
            additionalValues: .any
        )

        public typealias Parameters = PipelineSelection
        /// The run document, as run-pipeline's.
        public typealias Result = RunDocument
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

        /// The entries, newest first.
        public struct Result: Codable, Sendable, Equatable {
            /// The entries, newest first.
            public var entries: [RetrainingHistoryEntry]
            /// How many entries are listed.
            public var count: Int

            /// A result with every field given.
            public init(entries: [RetrainingHistoryEntry]) {
                self.entries = entries
                self.count = entries.count
            }
        }
    }

    /// `retraining-stats`: statistics of retrainings.
    public enum RetrainingStats: JobKindDeclaration {
        public static let kind = JobKind.retrainingStats
        public static let modelRule = ModelRequirement.optional
        public static let summary =
            "statistics of retraining: by trigger and outcome, success rate, durations, time from detection to deployment"
        public static let schema = ObjectSchema([
            Field("days", .double(min: 0), doc: "only the last this many days; default: all")
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Only the last this many days; nil: all.
            public var days: Double?
            /// Parameters; nil covers all time.
            public init(days: Double? = nil) { self.days = days }
        }

        /// The statistics, with the model and time they cover.
        public struct Result: Codable, Sendable, Equatable {
            /// The statistics (written at the top level of the result).
            public var statistics: RetrainingStatistics
            /// The model covered; nil: all.
            public var model: String?
            /// The start of the period covered; nil: all time.
            public var since: String?

            /// A result with every field given.
            public init(statistics: RetrainingStatistics, model: String?, since: String?) {
                self.statistics = statistics
                self.model = model
                self.since = since
            }

            enum CodingKeys: String, CodingKey {
                case model, since
            }

            /// Decodes the statistics and, beside them, `model` and `since`.
            public init(from decoder: any Decoder) throws {
                statistics = try RetrainingStatistics(from: decoder)
                let c = try decoder.container(keyedBy: CodingKeys.self)
                model = try c.decodeIfPresent(String.self, forKey: .model)
                since = try c.decodeIfPresent(String.self, forKey: .since)
            }

            /// Encodes the statistics' keys and, beside them, `model` and `since` (`null` when nil).
            public func encode(to encoder: any Encoder) throws {
                try statistics.encode(to: encoder)
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(model, forKey: .model)
                try c.encode(since, forKey: .since)
            }
        }
    }
}
