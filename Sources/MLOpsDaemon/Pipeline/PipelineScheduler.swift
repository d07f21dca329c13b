import MLOpsCore
import Synchronization

/// Runs pipeline runs at most `limit` at a time, the rest in a first-in, first-out queue
/// (`max_concurrent_pipelines`), and stops them on cancellation or shutdown.
///
/// Its state sits behind one `Mutex`, so `submit` is synchronous: runs queued one after
/// the other (from the engine's serial queue) start in that order.
final class PipelineScheduler: Sendable {
    private struct State {
        var waiting: [(id: String, work: @Sendable () async -> Void)] = []
        var running: [String: Task<Void, Never>] = [:]
        /// Why a running run was stopped: `cancelled` (a job) or `interrupted` (shutdown).
        var stopReasons: [String: StageOutcome] = [:]
        var limit: Int
        var stopping = false
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(limit: max(1, limit)))
    }

    /// Queues run `id`; `work` runs it to its end as soon as a slot is free.
    func submit(_ id: String, work: @escaping @Sendable () async -> Void) {
        state.withLock { s in
            guard !s.stopping, s.running[id] == nil, !s.waiting.contains(where: { $0.id == id }) else { return }
            s.waiting.append((id, work))
            pump(&s)
        }
    }

    /// A new `max_concurrent_pipelines` (after a reload).
    func setLimit(_ newLimit: Int) {
        state.withLock { s in
            s.limit = max(1, newLimit)
            pump(&s)
        }
    }

    /// Where a cancelled run was.
    enum Cancellation: Sendable, Equatable {
        /// It was waiting; it never started and is out of the queue now.
        case wasQueued
        /// It is running; its task is cancelled and ends shortly.
        case wasRunning
        /// The scheduler does not know it.
        case unknown
    }

    /// Stops run `id` for `reason` (cancelled or interrupted).
    func cancel(_ id: String, reason: StageOutcome) -> Cancellation {
        state.withLock { s in
            if let index = s.waiting.firstIndex(where: { $0.id == id }) {
                s.waiting.remove(at: index)
                return .wasQueued
            }
            guard let task = s.running[id] else { return .unknown }
            s.stopReasons[id] = reason
            task.cancel()
            return .wasRunning
        }
    }

    /// Why run `id` was stopped, if it was.
    func stopReason(_ id: String) -> StageOutcome? { state.withLock { $0.stopReasons[id] } }

    /// The runs waiting (in order) and running.
    func snapshot() -> (waiting: [String], running: [String]) {
        state.withLock { s in (s.waiting.map(\.id), s.running.keys.sorted()) }
    }

    /// Stops taking runs, interrupts every running one and waits until each has ended
    /// (its children gone). Runs still waiting stay queued in the store for the next start.
    func shutdown() async {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.stopping = true
            s.waiting.removeAll()
            for (id, task) in s.running {
                s.stopReasons[id] = .interrupted
                task.cancel()
            }
            return Array(s.running.values)
        }
        for task in tasks { await task.value }
    }

    private func pump(_ s: inout State) {
        while !s.stopping, s.running.count < s.limit, !s.waiting.isEmpty {
            let (id, work) = s.waiting.removeFirst()
            s.running[id] = Task { [weak self] in
                await work()
                self?.finished(id)
            }
        }
    }

    private func finished(_ id: String) {
        state.withLock { s in
            s.running[id] = nil
            s.stopReasons[id] = nil
            pump(&s)
        }
    }
}
