/// Every job kind of DESIGN §4. A kind that no handler implements yet is answered with
/// `not_implemented`; a kind not in this list is `unknown_kind`.
public enum JobKind: String, Sendable, Codable, CaseIterable {
    case registerModel = "register-model"
    case createVersion = "create-version"
    case listVersions = "list-versions"
    case promoteVersion = "promote-version"
    case rollback = "rollback"
    case archiveVersions = "archive-versions"
    case getProductionModel = "get-production-model"
    case logPredictions = "log-predictions"
    case logGroundTruth = "log-ground-truth"
    case monitorModel = "monitor-model"
    case monitorAll = "monitor-all"
    case listAlerts = "list-alerts"
    case acknowledgeAlert = "acknowledge-alert"
    case runPipeline = "run-pipeline"
    case cancelPipeline = "cancel-pipeline"
    case pipelineHistory = "pipeline-history"
    case checkRetrain = "check-retrain"
    case retrainingStart = "retraining-start"
    case retrainingStop = "retraining-stop"
    case retrainingTrigger = "retraining-trigger"
    case retrainingHistory = "retraining-history"
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
    case required
    case optional
    case forbidden
}
