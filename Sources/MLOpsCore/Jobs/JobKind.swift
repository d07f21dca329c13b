/// Every job kind (docs/jobs-reference.md). A kind not in this list is `unknown_kind`. Each
/// case names its declaration (``declaration``), which says everything else about it.
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
    /// One alert, open or resolved.
    case getAlert = "get-alert"
    /// The stored monitoring checks of a model over a time range.
    case monitoringHistory = "monitoring-history"
    /// Writes a model's self-contained HTML report under `spool/reports/`.
    case report = "report"
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
    /// Copies the store and the artifacts into a backup directory.
    case backup = "backup"

    /// The kind's declaration: its model rule, parameter schema and typed parameters and result.
    public var declaration: any JobKindDeclaration.Type {
        switch self {
        case .registerModel: return Kinds.RegisterModel.self
        case .createVersion: return Kinds.CreateVersion.self
        case .listVersions: return Kinds.ListVersions.self
        case .promoteVersion: return Kinds.PromoteVersion.self
        case .rollback: return Kinds.Rollback.self
        case .archiveVersions: return Kinds.ArchiveVersions.self
        case .getProductionModel: return Kinds.GetProductionModel.self
        case .logPredictions: return Kinds.LogPredictions.self
        case .logGroundTruth: return Kinds.LogGroundTruth.self
        case .monitorModel: return Kinds.MonitorModel.self
        case .monitorAll: return Kinds.MonitorAll.self
        case .listAlerts: return Kinds.ListAlerts.self
        case .acknowledgeAlert: return Kinds.AcknowledgeAlert.self
        case .getAlert: return Kinds.GetAlert.self
        case .monitoringHistory: return Kinds.MonitoringHistory.self
        case .report: return Kinds.Report.self
        case .runPipeline: return Kinds.RunPipeline.self
        case .cancelPipeline: return Kinds.CancelPipeline.self
        case .pipelineHistory: return Kinds.PipelineHistory.self
        case .checkRetrain: return Kinds.CheckRetrain.self
        case .retrainingStart: return Kinds.RetrainingStart.self
        case .retrainingStop: return Kinds.RetrainingStop.self
        case .retrainingTrigger: return Kinds.RetrainingTrigger.self
        case .retrainingHistory: return Kinds.RetrainingHistory.self
        case .retrainingStats: return Kinds.RetrainingStats.self
        case .backup: return Kinds.Backup.self
        }
    }
}

/// Whether a kind takes a `model:` field, and whether that model must be registered.
public enum ModelRequirement: Sendable, Equatable {
    /// The job must name a registered model.
    case registered
    /// The job must name a model, which need not be registered yet (`register-model`).
    case unregistered
    /// A model narrows the job to one (registered) model; without one it covers all.
    case optional
    /// A model narrows the job to one model, which need not be registered any more (the
    /// runs of a model may still be listed and cancelled).
    case optionalAnyModel
    /// The kind does not act on a model.
    case forbidden

    /// Whether the job must name a model.
    public var isRequired: Bool { self == .registered || self == .unregistered }

    /// Whether a model the job names must be registered before the job runs.
    public var mustBeRegistered: Bool { self == .registered || self == .optional }
}
