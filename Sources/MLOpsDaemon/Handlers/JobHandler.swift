import Foundation
import GRDB
import Logging
import MLOpsClient
import MLOpsCore

/// Executes one kind of job: the daemon's half of a kind, written as an extension of the
/// kind's declaration (`extension Kinds.ListAlerts: JobHandling`). The declaration (in the
/// core) gives the schema, the typed ``JobKindDeclaration/Parameters`` and
/// ``JobKindDeclaration/Result``; the engine validates, decodes, checks the model rule and
/// calls ``execute(_:context:db:)``.
public protocol JobHandling: JobKindDeclaration {
    /// Does the job's work inside the store transaction that also records its completion,
    /// so its effects and its result commit together or not at all. Throwing a
    /// ``JobError`` fails the job with that error and rolls its effects back.
    static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result>
}

extension JobHandling {
    /// ``execute(_:context:db:)`` for a job the validator produced, with the result encoded
    /// for the result document.
    static func execute(validated job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        guard let typed = job.typed(as: Self.self) else {
            throw JobError(
                .internalError,
                "job \(job.id) of kind \(job.kind.rawValue) reached the handler of \(kind.rawValue)"
            )
        }
        return try execute(typed, context: context, db: db).erased()
    }
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
    /// The spool's `reports/` directory, where `report` writes; nil where a test runs without a spool.
    public var reports: DirectoryHandle?
    /// For a staged job (``StagedJobHandling``): how its staging ended, for the handler to
    /// commit or refuse. Nil for every other job.
    var staging: StagingResult?

    /// A context; `afterCommit` collects the job's deferred work.
    public init(
        submittedBy: String,
        submitterUID: UInt32,
        now: Date,
        config: DaemonConfig,
        logger: Logger,
        registry: ModelRegistry? = nil,
        afterCommit: AfterCommit = AfterCommit(),
        pipelines: PipelineService? = nil,
        reports: DirectoryHandle? = nil
    ) {
        self.submittedBy = submittedBy
        self.submitterUID = submitterUID
        self.now = now
        self.config = config
        self.logger = logger
        self.registry = registry
        self.afterCommit = afterCommit
        self.pipelines = pipelines
        self.reports = reports
    }

    /// The registry, or an internal error when the daemon was started without one.
    public func requireRegistry() throws(JobError) -> ModelRegistry {
        guard let registry else { throw JobError(.internalError, "this daemon runs without a model registry") }
        return registry
    }
}

/// How a job of one kind ended, with its typed result.
public enum Outcome<Result: Encodable & Sendable>: Sendable {
    /// Done; the result goes into the result document.
    case succeeded(Result)
    /// Ran and could not do its work; effects are rolled back. A partial result may say
    /// how far it got.
    case failed(JobError, Result? = nil)
    /// Ran and could not do its work, and what the handler wrote about the failure (audit
    /// entries, an alert) is kept. The handler has undone its other effects itself.
    case failedKeepingRecords(JobError, Result? = nil)
    /// Refused against the daemon's state (e.g. a rule the store decides); nothing changed.
    case rejected(JobError)
    /// Accepted long work (a pipeline run) that goes on after the job's commit: the result
    /// says `running` with this progress, the job file stays in `active/`, and the work
    /// writes the final result itself (``JobProcessor/finishLongJob``).
    case started(Result)

    /// The outcome with its result encoded for the result document.
    public func erased() throws -> JobOutcome {
        switch self {
        case .succeeded(let result): return .succeeded(try JSONValue(encoding: result))
        case .failed(let error, let result): return .failed(error, try result.map { try JSONValue(encoding: $0) })
        case .failedKeepingRecords(let error, let result):
            return .failedKeepingRecords(error, try result.map { try JSONValue(encoding: $0) })
        case .rejected(let error): return .rejected(error)
        case .started(let result): return .started(try JSONValue(encoding: result))
        }
    }
}

/// How a job ended, with the result as it goes into the result document: what the engine
/// records.
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
    private let handlers: [JobKind: any JobHandling.Type]

    /// A registry of the given handlers (the last one wins when two share a kind).
    public init(_ handlers: [any JobHandling.Type]) {
        var map: [JobKind: any JobHandling.Type] = [:]
        for handler in handlers { map[handler.kind] = handler }
        self.handlers = map
    }

    /// Every kind whose declaration has a handler: all of them (a test pins it).
    public static let standard = HandlerRegistry(
        JobKind.allCases.compactMap { $0.declaration as? any JobHandling.Type }
    )

    /// The handler of `kind`, if this registry has one.
    public func handler(for kind: JobKind) -> (any JobHandling.Type)? { handlers[kind] }

    /// The declaration the validator uses for `kind`: this registry's handler's, else the
    /// kind's own.
    public func declaration(for kind: JobKind) -> any JobKindDeclaration.Type { handlers[kind] ?? kind.declaration }

    /// The kinds that have handlers, in the order of ``JobKind``.
    public var implementedKinds: [JobKind] { JobKind.allCases.filter { handlers[$0] != nil } }
}
