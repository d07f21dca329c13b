/// Work a handler wants done only after its job's effects are durable: writing an alert
/// file, logging that a version was promoted, deleting an archived artifact. Done any
/// earlier, a crash or a rollback of the job could leave a file or a journal entry that
/// claims something the store never recorded.
public final class AfterCommit: @unchecked Sendable {
    // @unchecked Sendable: an instance is created for one job by the job processor, filled
    // by that job's handler and run by the processor, all on the engine's one serial queue
    // (or by one test thread); it never crosses threads while in use.
    private var actions: [() -> Void] = []

    /// An empty list.
    public init() {}

    /// Adds `action`, run in order after the commit.
    public func add(_ action: @escaping () -> Void) { actions.append(action) }

    /// Runs every action once, in order, and forgets them.
    public func run() {
        let pending = actions
        actions = []
        for action in pending { action() }
    }
}
