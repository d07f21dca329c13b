import Foundation

/// One entry of `retraining-history`: a retraining started (`action` `fired`) with its
/// run's outcome, or a trigger held back (`suppressed`) with how often in a row.
///
/// Every entry writes the common keys (unset ones as `null`); a fired entry also writes
/// the run's outcome, duration, version and deployment (`null` until known), a held-back
/// one its `occurrences` and `last_at`.
public struct RetrainingHistoryEntry: Codable, Sendable, Equatable {
    /// The event's sequence number.
    public var seq: Int
    /// The model.
    public var model: String
    /// When the retraining started or the trigger was first held back.
    public var at: String
    /// The trigger (`scheduled`, `drift`, `decay`, `manual`).
    public var trigger: String
    /// `fired` or `suppressed`.
    public var action: String
    /// The figures the trigger fired (or was held back) on.
    public var evidence: JSONValue
    /// Who (or what) caused the event.
    public var submittedBy: String
    /// The suppression code (`run_active`, `cooldown`, …); nil when fired.
    public var reason: String?
    /// A sentence on why the trigger was held back.
    public var message: String?
    /// The monitoring check behind the trigger.
    public var check: Int?
    /// When the first sign was detected.
    public var detectedAt: String?
    /// The run started.
    public var runID: String?
    /// The job that caused the event.
    public var job: String?
    /// Held back: how many times in a row, for the same reason.
    public var occurrences: Int?
    /// Held back: the latest time.
    public var lastAt: String?
    /// Fired: the run's state.
    public var outcome: String?
    /// Fired: the run's seconds from start to finish (or to now).
    public var durationSeconds: Double?
    /// Fired: the version the run created.
    public var version: String?
    /// Fired: when the new version went into production.
    public var deployedAt: String?
    /// Fired: seconds from detection to deployment.
    public var detectionToDeploymentSeconds: Double?

    /// Whether the entry is a retraining started (else a trigger held back).
    public var fired: Bool { action == "fired" }

    /// An entry with every field given; the fired-only and held-back-only fields are
    /// written according to `action`.
    public init(
        seq: Int,
        model: String,
        at: String,
        trigger: String,
        action: String,
        evidence: JSONValue,
        submittedBy: String,
        reason: String?,
        message: String?,
        check: Int?,
        detectedAt: String?,
        runID: String?,
        job: String?,
        occurrences: Int?,
        lastAt: String?,
        outcome: String?,
        durationSeconds: Double?,
        version: String?,
        deployedAt: String?,
        detectionToDeploymentSeconds: Double?
    ) {
        self.seq = seq
        self.model = model
        self.at = at
        self.trigger = trigger
        self.action = action
        self.evidence = evidence
        self.submittedBy = submittedBy
        self.reason = reason
        self.message = message
        self.check = check
        self.detectedAt = detectedAt
        self.runID = runID
        self.job = job
        self.occurrences = occurrences
        self.lastAt = lastAt
        self.outcome = outcome
        self.durationSeconds = durationSeconds
        self.version = version
        self.deployedAt = deployedAt
        self.detectionToDeploymentSeconds = detectionToDeploymentSeconds
    }

    enum CodingKeys: String, CodingKey {
        case seq, model, at, trigger, action, evidence
        case submittedBy = "submitted_by"
        case reason, message, check
        case detectedAt = "detected_at"
        case runID = "run_id"
        case job, occurrences
        case lastAt = "last_at"
        case outcome
        case durationSeconds = "duration_seconds"
        case version
        case deployedAt = "deployed_at"
        case detectionToDeploymentSeconds = "detection_to_deployment_seconds"
    }

    /// Decodes an entry; `null` and absent optional fields both read as nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int.self, forKey: .seq)
        model = try c.decode(String.self, forKey: .model)
        at = try c.decode(String.self, forKey: .at)
        trigger = try c.decode(String.self, forKey: .trigger)
        action = try c.decode(String.self, forKey: .action)
        evidence = try c.decodeIfPresent(JSONValue.self, forKey: .evidence) ?? .null
        submittedBy = try c.decode(String.self, forKey: .submittedBy)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        check = try c.decodeIfPresent(Int.self, forKey: .check)
        detectedAt = try c.decodeIfPresent(String.self, forKey: .detectedAt)
        runID = try c.decodeIfPresent(String.self, forKey: .runID)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        occurrences = try c.decodeIfPresent(Int.self, forKey: .occurrences)
        lastAt = try c.decodeIfPresent(String.self, forKey: .lastAt)
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        deployedAt = try c.decodeIfPresent(String.self, forKey: .deployedAt)
        detectionToDeploymentSeconds = try c.decodeIfPresent(Double.self, forKey: .detectionToDeploymentSeconds)
    }

    /// Encodes the common keys, then the fired or the held-back ones.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(model, forKey: .model)
        try c.encode(at, forKey: .at)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(action, forKey: .action)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(submittedBy, forKey: .submittedBy)
        try c.encode(reason, forKey: .reason)
        try c.encode(message, forKey: .message)
        try c.encode(check, forKey: .check)
        try c.encode(detectedAt, forKey: .detectedAt)
        try c.encode(runID, forKey: .runID)
        try c.encode(job, forKey: .job)
        if fired {
            try c.encode(outcome, forKey: .outcome)
            try c.encode(durationSeconds, forKey: .durationSeconds)
            try c.encode(version, forKey: .version)
            try c.encode(deployedAt, forKey: .deployedAt)
            try c.encode(detectionToDeploymentSeconds, forKey: .detectionToDeploymentSeconds)
        } else {
            try c.encode(occurrences ?? 1, forKey: .occurrences)
            try c.encode(lastAt ?? at, forKey: .lastAt)
        }
    }
}
