import Dispatch
import Foundation
import Synchronization

/// Runs the staging work of large data files (``StagedJobHandling``) one job at a time on
/// its own queue, beside the engine's: while a 200 MB prediction file is read, checked and
/// stored, the engine goes on answering other jobs (issue 23).
///
/// One at a time: files are read in blocks and stored in small transactions, so the disk
/// and the store are shared fairly with the engine, and two large files never hold two
/// files' worth of memory. Work is cancelled when the daemon stops (checked between blocks);
/// ``waitUntilIdle()`` returns once nothing runs any more.
final class Stager: Sendable {
    /// The stager's serial queue, below the engine's priority.
    let queue = DispatchQueue(label: "mlopsd.staging", qos: .utility)
    private let cancelled = Mutex(false)

    init() {}

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { cancelled.withLock { $0 } }

    /// Runs `work` on the stager's queue, then `completion` with its result on the engine's.
    func run(
        _ work: @escaping @Sendable () -> StagingResult,
        then completion: @escaping @EngineActor @Sendable (StagingResult) -> Void
    ) {
        queue.async {
            let result = self.isCancelled ? .cancelled : work()
            EngineActor.queue.async { EngineActor.assumeIsolated { completion(result) } }
        }
    }

    /// Runs `work` (a clean-up) on the stager's queue, after the work queued before it.
    func clean(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Stops the work in progress soon (between two blocks) and any work queued.
    func cancel() { cancelled.withLock { $0 = true } }

    /// Blocks until the work in progress and queued has returned.
    func waitUntilIdle() { queue.sync {} }
}
