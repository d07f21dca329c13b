import Dispatch
import MLOpsDaemon
import Synchronization

/// Watches the spool's top directory for `status.json` being replaced (IN_MOVED_TO).
///
/// The daemon rewrites `status.json` as the last step of every batch (and on its status
/// timer), so the first replacement after a job's result tells when the daemon is idle
/// again: the gap is what the batch's status refresh cost.
final class StatusWatcher: Sendable {
    private let updates: Updates
    private let watcher: DirectoryWatcher

    /// Starts watching `spool` (the directory holding `status.json`).
    init(spool: String) throws(BenchError) {
        let updates = Updates()
        self.updates = updates
        let queue = DispatchQueue(label: "mlopsd-bench.status", qos: .userInitiated)
        do {
            watcher = try DirectoryWatcher(path: spool, queue: queue) { @Sendable events in
                updates.handle(events)
            }
        } catch {
            throw .system("cannot watch \(spool): \(error)")
        }
    }

    deinit { watcher.cancel() }

    /// Waits until `status.json` is replaced at or after `time` (monotonic ns) and returns
    /// when that happened; at most `timeout` seconds.
    func waitForUpdate(after time: UInt64, timeout: Double) throws(BenchError) -> UInt64 {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while true {
            if let update = updates.first(atOrAfter: time) { return update }
            let now = MonotonicClock.now()
            if now >= deadline {
                throw .timeout("status.json was not rewritten within \(Int(timeout)) s after a result")
            }
            updates.waitForEvents(seconds: min(Double(deadline - now) / 1e9, 1))
        }
    }
}

/// The times `status.json` was replaced, shared with the watcher's queue.
private final class Updates: Sendable {
    private let times = Mutex<[UInt64]>([])
    private let wakeUp = DispatchSemaphore(value: 0)

    func first(atOrAfter time: UInt64) -> UInt64? {
        times.withLock { $0.first { $0 >= time } }
    }

    func waitForEvents(seconds: Double) {
        _ = wakeUp.wait(timeout: .now() + max(0, seconds))
    }

    func handle(_ events: [DirectoryWatcher.Event]) {
        let now = MonotonicClock.now()
        let replaced = events.contains { event in
            if case .file("status.json") = event { return true }
            return event == .overflow
        }
        guard replaced else { return }
        times.withLock { times in
            // Only recent updates matter; keep the list short.
            if times.count > 1000 { times.removeFirst(times.count - 100) }
            times.append(now)
        }
        wakeUp.signal()
    }
}
