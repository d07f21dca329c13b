import Foundation
import Logging
import MLOpsCore

/// A kind whose heavy input — a large data file — is read, checked and stored beside the
/// engine, off its queue, before the job commits (issue 23: no head-of-line blocking).
///
/// The engine sets such a job aside after validating it, runs ``stage(_:context:)`` on the
/// ``Stager``'s queue while other jobs go on, and holds back every later job of the same
/// model, so they still run in submission order after it. Then the job runs like any other:
/// ``JobHandling/execute(_:context:db:)`` gets the staging's result in
/// ``JobContext/staging`` and commits it with the job's completion record.
protocol StagedJobHandling: JobHandling {
    /// Whether `job` is staged rather than run inside its batch (its data file is larger
    /// than `inline_data_file_bytes`).
    static func needsStaging(_ job: Job<Self>, config: DaemonConfig) -> Bool

    /// The work beside the engine: reads and checks the input and stores what it can ahead
    /// of the commit, invisibly (``PendingIngestions``). Runs on the stager's queue.
    static func stage(_ job: Job<Self>, context: StagingContext) -> StagingResult
}

extension StagedJobHandling {
    /// ``needsStaging(_:config:)`` for a job the validator produced.
    static func needsStaging(validated job: ValidatedJob, config: DaemonConfig) -> Bool {
        guard let typed = job.typed(as: Self.self) else { return false }
        return needsStaging(typed, config: config)
    }

    /// ``stage(_:context:)`` for a job the validator produced.
    static func stage(validated job: ValidatedJob, context: StagingContext) -> StagingResult {
        guard let typed = job.typed(as: Self.self) else {
            return .failed(
                JobError(
                    .internalError,
                    "job \(job.id) of kind \(job.kind.rawValue) reached the stager of \(kind.rawValue)"
                )
            )
        }
        return stage(typed, context: context)
    }
}

/// What staging work gets: the store, the config, who submitted the job, and a way to
/// learn that the daemon is stopping.
struct StagingContext: Sendable {
    var store: Store
    var config: DaemonConfig
    var submitterUID: UInt32
    var now: Date
    var logger: Logger
    /// True once the daemon stops: the work returns ``StagingResult/cancelled`` soon after.
    var isCancelled: @Sendable () -> Bool
}

/// How staging work ended.
enum StagingResult: Sendable {
    /// The input is read and stored ahead; the handler commits this value.
    case staged(any Sendable)
    /// The input is refused (a bad row, an unreadable file); nothing of it is stored.
    case rejected(JobError)
    /// The work could not be done for a reason of its own; nothing of it is stored.
    case failed(JobError)
    /// The store or the disk failed: the job stays in `active/` and is staged again when
    /// writes work (the retry of a failed batch).
    case storageFailed(any Error)
    /// The daemon is stopping: the job stays in `active/` and runs again at the next start.
    case cancelled
}
