import Foundation
import GRDB
import Logging
import MLOpsCore

/// Executes one kind of job. Each ``JobKind`` has one handler in
/// ``HandlerRegistry/standard``: its ``KindSpec`` (parameter schema, validated before
/// anything runs) and its `execute`.
public protocol JobHandler: Sendable {
    /// The kind, its parameter schema and summary.
    var spec: KindSpec { get }
    /// Whether the job's `model:` must name a registered model (true for all but
    /// `register-model`). The engine checks it, so handlers can rely on it.
    var requiresRegisteredModel: Bool { get }
    /// Does the job's work inside the store transaction that also records its completion,
    /// so its effects and its result commit together or not at all. Throwing a
    /// ``JobError`` fails the job with that error and rolls its effects back.
    func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome
}

extension JobHandler {
    public var requiresRegisteredModel: Bool { true }
}

/// What a handler gets besides the job: who asked, when, the config in force, the
/// registry's files, and a place for work that must wait for the commit.
public struct JobContext: Sendable {
    public var submittedBy: String
    public var submitterUID: UInt32
    public var now: Date
    public var config: DaemonConfig
    public var logger: Logger
    /// Artifacts, serving links and alert files; nil where a test runs without them.
    public var registry: ModelRegistry?
    /// Work to do once the job's effects are committed (alert files, journal entries,
    /// deleting files): dropped when the job's effects are rolled back.
    public var afterCommit: AfterCommit
    /// Pipeline definitions and the runs' scheduler; nil where a test runs without them.
    public var pipelines: PipelineService?

    /// A context; `afterCommit` collects the job's deferred work.
    public init(submittedBy: String, submitterUID: UInt32, now: Date, config: DaemonConfig, logger: Logger,
                registry: ModelRegistry? = nil, afterCommit: AfterCommit = AfterCommit(), pipelines: PipelineService? = nil) {
        self.submittedBy = submittedBy
        self.submitterUID = submitterUID
        self.now = now
        self.config = config
        self.logger = logger
        self.registry = registry
        self.afterCommit = afterCommit
        self.pipelines = pipelines
    }

    /// The registry, or an internal error when the daemon was started without one.
    public func requireRegistry() throws(JobError) -> ModelRegistry {
        guard let registry else { throw JobError(.internalError, "this daemon runs without a model registry") }
        return registry
    }
}

/// How a job ended.
public enum JobOutcome: Sendable, Equatable {
    /// Done; the kind-specific result goes into the result document.
    case succeeded(JSONValue)
    /// Ran and could not do its work; effects are rolled back.
    case failed(JobError, JSONValue? = nil)
    /// Ran and could not do its work, and what the handler wrote about the failure (audit
    /// entries, an alert) is kept. The handler has undone its other effects itself.
    case failedKeepingRecords(JobError, JSONValue? = nil)
    /// Refused against the daemon's state (e.g. a rule the store decides); nothing changed.
    case rejected(JobError)
    /// Accepted long work (a pipeline run) that goes on after the job's commit: the result
    /// says `running` with this progress, the job file stays in `active/`, and the work
    /// writes the final result itself (``JobProcessor/finishLongJob``).
    case started(JSONValue)
}

/// The job kinds this daemon executes, by kind.
public struct HandlerRegistry: Sendable {
    private let handlers: [JobKind: any JobHandler]

    /// A registry of the given handlers (the last one wins when two share a kind).
    public init(_ handlers: [any JobHandler]) {
        var map: [JobKind: any JobHandler] = [:]
        for handler in handlers { map[handler.spec.kind] = handler }
        self.handlers = map
    }

    /// The daemon's handlers: one for every ``JobKind``.
    public static let standard = HandlerRegistry([
        RegisterModelHandler(),
        CreateVersionHandler(),
        ListVersionsHandler(),
        PromoteVersionHandler(),
        RollbackHandler(),
        ArchiveVersionsHandler(),
        GetProductionModelHandler(),
        LogPredictionsHandler(),
        LogGroundTruthHandler(),
        MonitorModelHandler(),
        MonitorAllHandler(),
        ListAlertsHandler(),
        AcknowledgeAlertHandler(),
        RunPipelineHandler(),
        CancelPipelineHandler(),
        PipelineHistoryHandler(),
        CheckRetrainHandler(),
        RetrainingStartHandler(),
        RetrainingStopHandler(),
        RetrainingTriggerHandler(),
        RetrainingHistoryHandler(),
        RetrainingStatsHandler(),
    ])

    /// The handler of `kind`, if one is built.
    public func handler(for kind: JobKind) -> (any JobHandler)? { handlers[kind] }

    /// The spec that jobs of `kind` are validated against: its handler's, or the kind's
    /// own (``JobKind/spec``) in a registry built without that handler.
    public func spec(for kind: JobKind) -> KindSpec { handlers[kind]?.spec ?? kind.spec }

    /// The kinds that have handlers, in DESIGN order (every kind in ``standard``).
    public var implementedKinds: [JobKind] { JobKind.allCases.filter { handlers[$0] != nil } }
}
