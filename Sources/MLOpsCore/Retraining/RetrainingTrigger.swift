/// Why a retraining starts (docs/design.md §9). Stored as the pipeline run's `trigger`.
public enum RetrainingTrigger: String, Sendable, CaseIterable, Codable {
    /// `retrain_schedule_days` passed since the production version was created.
    case scheduled
    /// Data drift persisted for `drift_confirmations` checks in a row.
    case drift
    /// The latest monitoring check found the metric decayed.
    case decay
    /// The latest monitoring check estimated the metric decayed from the model's outputs,
    /// before enough labels arrived (docs/monitoring.md, "Estimated performance").
    case estimatedDecay = "estimated_decay"
    /// Asked for by a `retraining-trigger` job.
    case manual

    /// Whether the daemon fires this trigger by itself (everything but `manual`).
    public var isAutomatic: Bool { self != .manual }
}
