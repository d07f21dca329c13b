/// Every job kind of DESIGN §4, each with its parameter schema (``spec``); a kind not in
/// this list is `unknown_kind`.
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

    /// The kind's parameter schema and summary: what ``JobValidator`` checks a job of this
    /// kind against (the daemon's handler of the kind executes the same spec).
    public var spec: KindSpec {
        switch self {
        case .registerModel: RegisterModel.spec
        case .createVersion: RegistryKinds.createVersion
        case .listVersions: RegistryKinds.listVersions
        case .promoteVersion: RegistryKinds.promoteVersion
        case .rollback: RegistryKinds.rollback
        case .archiveVersions: RegistryKinds.archiveVersions
        case .getProductionModel: RegistryKinds.getProductionModel
        case .logPredictions: MonitoringKinds.logPredictions
        case .logGroundTruth: MonitoringKinds.logGroundTruth
        case .monitorModel: MonitoringKinds.monitorModel
        case .monitorAll: MonitoringKinds.monitorAll
        case .listAlerts: MonitoringKinds.listAlerts
        case .acknowledgeAlert: MonitoringKinds.acknowledgeAlert
        case .runPipeline: PipelineKinds.runPipeline
        case .cancelPipeline: PipelineKinds.cancelPipeline
        case .pipelineHistory: PipelineKinds.pipelineHistory
        case .checkRetrain: RetrainingKinds.checkRetrain
        case .retrainingStart: RetrainingKinds.retrainingStart
        case .retrainingStop: RetrainingKinds.retrainingStop
        case .retrainingTrigger: RetrainingKinds.retrainingTrigger
        case .retrainingHistory: RetrainingKinds.retrainingHistory
        case .retrainingStats: RetrainingKinds.retrainingStats
        }
    }

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
