/// The kinds of alert the daemon raises (docs/design.md §5), by their `type` text.
///
/// ``AlertDocument/type`` stays text: the store may hold alerts of a type this build does
/// not name (written by an older or newer daemon), and listing them must still work.
public enum AlertType: String, Codable, Sendable, CaseIterable {
    /// A feature or segment column drifts.
    case dataDrift = "data_drift"
    /// An unseen equipment value, or the equipment mix shifted.
    case equipmentChange = "equipment_change"
    /// The population mix shifted.
    case populationChange = "population_change"
    /// The model's metric dropped below its baseline.
    case modelDecay = "model_decay"
    /// The metric estimated from the model's outputs (too few labels) dropped below its
    /// baseline, band and all.
    case estimatedDecay = "estimated_decay"
    /// The numerical features drift jointly (PCA reconstruction error).
    case multivariateDrift = "multivariate_drift"
    /// The health score left the `good` band.
    case health
    /// A deploy hook failed while switching production.
    case deployFailed = "deploy_failed"
    /// Production was rolled back.
    case rollback
    /// A pipeline run failed.
    case pipelineFailed = "pipeline_failed"
    /// An automatic retraining did not start.
    case retraining
    /// The daemon cannot write to its disk.
    case storageWriteFailed = "storage_write_failed"
}
