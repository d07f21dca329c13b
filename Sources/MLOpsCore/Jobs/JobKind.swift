/// Every job kind of DESIGN §4. A kind that no handler implements yet is answered with
/// `not_implemented`; a kind not in this list is `unknown_kind`.
public enum JobKind: String, Sendable, Codable, CaseIterable {
    /// Declares a model: task, features, target, segments, metric, pipeline, policies.
    case registerModel = "register-model"
    /// Adds a version from an artifact directory, reference data and metrics.
    case createVersion = "create-version"
    /// Version history of a model.
    case listVersions = "list-versions"
    /// Makes a version the production one (with gates).
    case promoteVersion = "promote-version"
    /// Returns production to the previous (or a named) version.
    case rollback = "rollback"
    /// Archives versions beyond the retention policy.
    case archiveVersions = "archive-versions"
    /// The production version and its deployment.
    case getProductionModel = "get-production-model"
    /// Ingests predictions (inline or from a file under a data root).
    case logPredictions = "log-predictions"
    /// Ingests labels joined to predictions by id.
    case logGroundTruth = "log-ground-truth"
    /// Runs the monitoring checks for one model now.
    case monitorModel = "monitor-model"
    /// Runs the monitoring checks for every production model.
    case monitorAll = "monitor-all"
    /// Open (and optionally resolved) alerts.
    case listAlerts = "list-alerts"
    /// Marks an alert acknowledged.
    case acknowledgeAlert = "acknowledge-alert"
    /// Runs the CI/CD pipeline for a model.
    case runPipeline = "run-pipeline"
    /// Stops a running pipeline and its children.
    case cancelPipeline = "cancel-pipeline"
    /// Past pipeline runs with their stages.
    case pipelineHistory = "pipeline-history"
    /// Says whether a model should be retrained now, and why.
    case checkRetrain = "check-retrain"
    /// Switches automated retraining on.
    case retrainingStart = "retraining-start"
    /// Switches automated retraining off.
    case retrainingStop = "retraining-stop"
    /// Retrains now (trigger `manual`).
    case retrainingTrigger = "retraining-trigger"
    /// History of retrainings.
    case retrainingHistory = "retraining-history"
    /// Statistics of retrainings.
    case retrainingStats = "retraining-stats"

    /// Whether a job of this kind must, may or must not name a `model:`.
    public var modelRequirement: ModelRequirement {
        switch self {
        case .monitorAll, .acknowledgeAlert: return .forbidden
        case .listAlerts, .pipelineHistory, .retrainingStart, .retrainingStop,
            .retrainingHistory, .retrainingStats, .cancelPipeline:
            return .optional
        default: return .required
        }
    }
}

/// Whether a kind takes a `model:` field.
public enum ModelRequirement: Sendable, Equatable {
    /// The job must name a model.
    case required
    /// A model narrows the job to one model; without one it covers all.
    case optional
    /// The kind does not act on a model.
    case forbidden
}
