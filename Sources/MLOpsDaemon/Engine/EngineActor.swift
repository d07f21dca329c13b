import Dispatch

/// The isolation domain of the engine's one serial queue: the ``Engine`` (the spool
/// queue, counters, timers), the ``Daemon`` (state, status, its timers) and the job
/// processor are `@EngineActor`, so the compiler checks that their state is touched only
/// there, and jobs, rescans, timers and the watchdog ping still run one at a time on the
/// queue (a batch that hangs stops the watchdog pings and systemd restarts the daemon).
///
/// Dispatch sources deliver on ``queue`` and enter the domain with ``assumeIsolated(_:)``
/// (checked at run time with `dispatchPrecondition`); other threads hop with ``sync(_:)``
/// or `queue.async`, tasks with `await`.
@globalActor
public actor EngineActor {
    /// The one instance.
    public static let shared = EngineActor()

    /// The engine's serial queue: the actor's executor and the target of its Dispatch sources.
    public static let queue = DispatchQueue(label: "mlopsd.engine")

    private static let executor = QueueExecutor(queue: queue)

    /// Jobs of this actor run on ``queue``.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        EngineActor.executor.asUnownedSerialExecutor()
    }

    /// Runs `operation` in the domain from code that Dispatch runs on ``queue`` (a timer,
    /// a signal or inotify source, a `queue.async` block); traps when called elsewhere.
    public static func assumeIsolated<T: Sendable>(_ operation: @EngineActor () throws -> T) rethrows -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        // What `MainActor.assumeIsolated` does: the precondition above proved that we run
        // on the actor's executor, so the isolation the function type demands holds.
        typealias Isolated = @EngineActor () throws -> T
        typealias Plain = () throws -> T
        return try withoutActuallyEscaping(operation) { (isolated: @escaping Isolated) throws -> T in
            try unsafeBitCast(isolated, to: Plain.self)()
        }
    }

    /// Runs `operation` in the domain from a thread outside it, waiting until it returns
    /// (after whatever the queue is doing); must not be called on ``queue`` itself.
    public static func sync<T: Sendable>(_ operation: @EngineActor () throws -> T) rethrows -> T {
        try queue.sync { try assumeIsolated(operation) }
    }
}
