import Synchronization

/// Work a handler wants done only after its job's effects are durable: writing an alert
/// file, logging that a version was promoted, deleting an archived artifact. Done any
/// earlier, a crash or a rollback of the job could leave a file or a journal entry that
/// claims something the store never recorded.
///
/// An instance belongs to one job (the job processor, a daemon timer pass or a pipeline
/// step creates it, the job's handler fills it, its creator runs it). The list lives in a
/// `Mutex`, so the type is `Sendable` as checked by the compiler (``JobContext`` carries
/// it), and each action is `sending`: the compiler proves that the handler keeps no
/// reference to what the action captures once it has handed it over.
public final class AfterCommit: Sendable {
    private let actions = Mutex<[@Sendable () -> Void]>([])

    /// An empty list.
    public init() {}

    /// Adds `action`, run in order after the commit.
    public func add(_ action: sending @escaping () -> Void) {
        // `sending` has the compiler prove at every call site that the caller keeps no
        // access to the closure or to what it captures, so the closure may cross threads
        // like a Sendable value. Region analysis cannot yet carry that proof into the
        // Mutex's closure (SE-0430: captured values count as the caller's), hence the one
        // `nonisolated(unsafe)` local that only moves the handed-over closure in.
        nonisolated(unsafe) let handedOver = action
        actions.withLock { $0.append { handedOver() } }
    }

    /// Runs every action once, in order, and forgets them (outside the lock: an action may
    /// add another, which then waits for the next `run`).
    public func run() {
        let pending = actions.withLock { actions in
            let taken = actions
            actions = []
            return taken
        }
        for action in pending { action() }
    }
}
