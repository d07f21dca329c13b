import Dispatch

/// A serial executor that runs its jobs on one serial `DispatchQueue`, so that an actor
/// using it shares that queue with the Dispatch timers, signal sources and inotify
/// watchers delivering there (on Linux `DispatchSerialQueue` is no `SerialExecutor`; the
/// pattern is GRDB's `DispatchQueueActor`).
final class QueueExecutor: SerialExecutor {
    /// The queue every job runs on; it must be serial.
    let queue: DispatchQueue

    /// An executor running on `queue`, which must be serial.
    init(queue: DispatchQueue) {
        self.queue = queue
    }

    /// Runs `job` on the queue, after everything already submitted there.
    func enqueue(_ job: UnownedJob) {
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// The executor as the runtime refers to it.
    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` succeed in code that Dispatch (not the concurrency runtime)
    /// runs on the queue: a timer, a signal source, a `queue.async` block; traps elsewhere.
    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
