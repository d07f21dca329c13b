import Foundation

/// One stage of a pipeline run as documents show it (inside ``RunDocument``).
///
/// `started_at`, `finished_at` and `duration_seconds` are written as `null` until known;
/// `exit_code` and `signal` only for a stage whose child ended that way. The `report` is
/// the stage's own (free-form per stage); ``notes`` reads the fields a terminal shows.
public struct StageDocument: Codable, Sendable, Equatable {
    /// The stage.
    public var stage: PipelineStage
    /// 1 for `collect_data` … 8 for `monitor`.
    public var number: Int
    /// How the stage ended, or that it has not.
    public var outcome: StageOutcome
    /// What the stage reported; `null` for a stage that did not run.
    public var report: JSONValue
    /// When the stage started.
    public var startedAt: String?
    /// When the stage ended.
    public var finishedAt: String?
    /// Seconds from start to finish.
    public var durationSeconds: Double?
    /// The child's exit status, when it exited.
    public var exitCode: Int?
    /// The signal that ended the child, when one did.
    public var signal: Int?

    /// A stage document with every field given.
    public init(
        stage: PipelineStage,
        number: Int,
        outcome: StageOutcome,
        report: JSONValue,
        startedAt: String?,
        finishedAt: String?,
        durationSeconds: Double?,
        exitCode: Int?,
        signal: Int?
    ) {
        self.stage = stage
        self.number = number
        self.outcome = outcome
        self.report = report
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.exitCode = exitCode
        self.signal = signal
    }

    /// The report fields a terminal shows for a stage.
    public var notes: Notes { Notes(report) }

    /// The few report fields `mlopsctl` shows, read leniently from the free-form report:
    /// a field of another type reads as nil, as it did when they were looked up by hand.
    public struct Notes: Sendable, Equatable {
        /// `slurm` for a stage run as a Slurm job.
        public var executor: String?
        /// The Slurm job id.
        public var slurmJobID: String?
        /// The nodes the Slurm job ran on.
        public var nodes: String?
        /// The Slurm job's state.
        public var slurmState: String?
        /// The version the stage created or promoted.
        public var version: String?
        /// The metric a gate or an evaluation judged.
        public var metric: String?
        /// The candidate's value of ``metric`` (validate_model).
        public var candidate: Double?
        /// The value of ``metric`` (test_model).
        public var value: Double?
        /// Why the stage failed.
        public var error: String?
        /// Why the stage was skipped or decided as it did.
        public var reason: String?

        /// The notes of `report`.
        public init(_ report: JSONValue) {
            executor = report["executor"]?.stringValue
            slurmJobID = report["slurm_job_id"]?.stringValue
            nodes = report["nodes"]?.stringValue
            slurmState = report["slurm_state"]?.stringValue
            version = report["version"]?.stringValue
            metric = report["metric"]?.stringValue
            candidate = report["candidate"]?.doubleValue
            value = report["value"]?.doubleValue
            error = report["error"]?.stringValue
            reason = report["reason"]?.stringValue
        }
    }

    /// The A/B test's figures, when this is an `ab_test` stage whose report has them (a test
    /// was started: the report names the champion's version); nil otherwise.
    public var abTest: ABTestNotes? {
        guard stage == .abTest, report["champion_version"] != nil else { return nil }
        return ABTestNotes(report)
    }

    /// The fields of an `ab_test` stage's report that `mlopsctl ab` shows, read leniently
    /// like ``Notes``.
    public struct ABTestNotes: Sendable, Equatable {
        /// One arm's labelled predictions and correct ones.
        public struct Arm: Sendable, Equatable {
            /// Labelled predictions.
            public var n: Int
            /// Correct ones among them.
            public var successes: Int
        }

        /// The production version under test.
        public var championVersion: String?
        /// The candidate version under test.
        public var challengerVersion: String?
        /// The champion's arm.
        public var champion: Arm
        /// The challenger's arm.
        public var challenger: Arm
        /// The decision, once taken.
        public var decision: String?
        /// When the test started.
        public var startedAt: String?
        /// When the test ends at the latest.
        public var deadline: String?
        /// The statistical method.
        public var method: String?
        /// The test statistic (z).
        public var statistic: Double?
        /// The p-value.
        public var pValue: Double?
        /// The challenger's rate minus the champion's.
        public var lift: Double?
        /// Why the test decided as it did (or has not yet).
        public var reason: String?

        /// The notes of an `ab_test` report.
        public init(_ report: JSONValue) {
            func arm(_ name: String) -> Arm {
                Arm(n: report[name]?["n"]?.intValue ?? 0, successes: report[name]?["successes"]?.intValue ?? 0)
            }
            championVersion = report["champion_version"]?.stringValue
            challengerVersion = report["challenger_version"]?.stringValue
            champion = arm("champion")
            challenger = arm("challenger")
            decision = report["decision"]?.stringValue
            startedAt = report["started_at"]?.stringValue
            deadline = report["deadline"]?.stringValue
            method = report["method"]?.stringValue
            statistic = report["statistic"]?.doubleValue
            pValue = report["p_value"]?.doubleValue
            lift = report["lift"]?.doubleValue
            reason = report["reason"]?.stringValue
        }
    }

    enum CodingKeys: String, CodingKey {
        case stage, number, outcome, report
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case exitCode = "exit_code"
        case signal
    }

    /// Decodes a stage document; `null` and absent optional fields both read as nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stage = try c.decode(PipelineStage.self, forKey: .stage)
        number = try c.decode(Int.self, forKey: .number)
        outcome = try c.decode(StageOutcome.self, forKey: .outcome)
        report = try c.decodeIfPresent(JSONValue.self, forKey: .report) ?? .null
        startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode)
        signal = try c.decodeIfPresent(Int.self, forKey: .signal)
    }

    /// Encodes the times as `null` until known; `exit_code` and `signal` only when set.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stage, forKey: .stage)
        try c.encode(number, forKey: .number)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(report, forKey: .report)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encodeIfPresent(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(signal, forKey: .signal)
    }
}
