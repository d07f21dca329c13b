import Foundation

/// Statistics of retraining over a set of history entries (`retraining-stats`): by
/// trigger and outcome, reasons held back, success rate, durations, time from detection
/// to deployment. Means and the rate are `null` when there is nothing to average.
public struct RetrainingStatistics: Codable, Sendable, Equatable {
    /// One trigger's counts.
    public struct TriggerCounts: Codable, Sendable, Equatable {
        /// Retrainings started.
        public var retrainings: Int
        /// Times held back.
        public var suppressed: Int
        /// Retrainings that succeeded.
        public var succeeded: Int
        /// Retrainings that failed, were cancelled or interrupted.
        public var failed: Int

        /// Counts with every field given.
        public init(retrainings: Int, suppressed: Int, succeeded: Int, failed: Int) {
            self.retrainings = retrainings
            self.suppressed = suppressed
            self.succeeded = succeeded
            self.failed = failed
        }
    }

    /// Retrainings started.
    public var retrainings: Int
    /// Times a trigger was held back.
    public var suppressed: Int
    /// Retrainings whose run ended.
    public var finished: Int
    /// Counts per trigger (every trigger listed).
    public var byTrigger: [String: TriggerCounts]
    /// Retrainings per run outcome.
    public var byOutcome: [String: Int]
    /// Times held back per reason.
    public var suppressedByReason: [String: Int]
    /// Succeeded among finished, 0…1.
    public var successRate: Double?
    /// Mean seconds of the finished runs.
    public var meanDurationSeconds: Double?
    /// Retrainings that put a version into production.
    public var deployments: Int
    /// Mean seconds from detection to deployment.
    public var meanDetectionToDeploymentSeconds: Double?
    /// The versions the succeeded retrainings produced, newest first.
    public var versionsProduced: [String]

    /// Statistics with every field given.
    public init(
        retrainings: Int,
        suppressed: Int,
        finished: Int,
        byTrigger: [String: TriggerCounts],
        byOutcome: [String: Int],
        suppressedByReason: [String: Int],
        successRate: Double?,
        meanDurationSeconds: Double?,
        deployments: Int,
        meanDetectionToDeploymentSeconds: Double?,
        versionsProduced: [String]
    ) {
        self.retrainings = retrainings
        self.suppressed = suppressed
        self.finished = finished
        self.byTrigger = byTrigger
        self.byOutcome = byOutcome
        self.suppressedByReason = suppressedByReason
        self.successRate = successRate
        self.meanDurationSeconds = meanDurationSeconds
        self.deployments = deployments
        self.meanDetectionToDeploymentSeconds = meanDetectionToDeploymentSeconds
        self.versionsProduced = versionsProduced
    }

    enum CodingKeys: String, CodingKey {
        case retrainings, suppressed, finished
        case byTrigger = "by_trigger"
        case byOutcome = "by_outcome"
        case suppressedByReason = "suppressed_by_reason"
        case successRate = "success_rate"
        case meanDurationSeconds = "mean_duration_seconds"
        case deployments
        case meanDetectionToDeploymentSeconds = "mean_detection_to_deployment_seconds"
        case versionsProduced = "versions_produced"
    }

    /// Decodes statistics; `null` means read as nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        retrainings = try c.decode(Int.self, forKey: .retrainings)
        suppressed = try c.decode(Int.self, forKey: .suppressed)
        finished = try c.decode(Int.self, forKey: .finished)
        byTrigger = try c.decode([String: TriggerCounts].self, forKey: .byTrigger)
        byOutcome = try c.decode([String: Int].self, forKey: .byOutcome)
        suppressedByReason = try c.decode([String: Int].self, forKey: .suppressedByReason)
        successRate = try c.decodeIfPresent(Double.self, forKey: .successRate)
        meanDurationSeconds = try c.decodeIfPresent(Double.self, forKey: .meanDurationSeconds)
        deployments = try c.decode(Int.self, forKey: .deployments)
        meanDetectionToDeploymentSeconds = try c.decodeIfPresent(Double.self, forKey: .meanDetectionToDeploymentSeconds)
        versionsProduced = try c.decode([String].self, forKey: .versionsProduced)
    }

    /// Encodes every key; means and the rate as `null` when there is nothing to average.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(retrainings, forKey: .retrainings)
        try c.encode(suppressed, forKey: .suppressed)
        try c.encode(finished, forKey: .finished)
        try c.encode(byTrigger, forKey: .byTrigger)
        try c.encode(byOutcome, forKey: .byOutcome)
        try c.encode(suppressedByReason, forKey: .suppressedByReason)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(meanDurationSeconds, forKey: .meanDurationSeconds)
        try c.encode(deployments, forKey: .deployments)
        try c.encode(meanDetectionToDeploymentSeconds, forKey: .meanDetectionToDeploymentSeconds)
        try c.encode(versionsProduced, forKey: .versionsProduced)
    }
}
