import Dispatch
import MLOpsClient
import MLOpsDaemon
import Synchronization

/// Watches `done/` for job files moved there (IN_MOVED_TO).
///
/// Moving the job file into `done/` is the last step of a batch, after its result: the gap
/// between a result and its job file's move is how long the daemon stays busy with a
/// one-job batch, and after the move the daemon is idle again.
final class RetireWatcher: Sendable {
    private let moves: Moves
    private let watcher: DirectoryWatcher

    /// Starts watching `directory` (the spool's `done/`).
    init(directory: String) throws(BenchError) {
        let moves = Moves()
        self.moves = moves
        let queue = DispatchQueue(label: "mlopsd-bench.retire", qos: .userInitiated)
        do {
            watcher = try DirectoryWatcher(path: directory, queue: queue) { @Sendable events in
                moves.handle(events)
            }
        } catch {
            throw .system("cannot watch \(directory): \(error)")
        }
    }

    deinit { watcher.cancel() }

    /// Waits until `name` has been moved in and returns when (monotonic ns); at most
    /// `timeout` seconds.
    func waitForMove(of name: String, timeout: Double) throws(BenchError) -> UInt64 {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while true {
            if let time = moves.time(of: name) { return time }
            let now = MonotonicClock.now()
            if now >= deadline {
                throw .timeout("\(name) was not moved to done/ within \(Int(timeout)) s after its result")
            }
            moves.waitForEvents(seconds: min(Double(deadline - now) / 1e9, 1))
        }
    }
}

/// The times files were moved in, by name, shared with the watcher's queue.
private final class Moves: Sendable {
    private let times = Mutex<[String: UInt64]>([:])
    private let wakeUp = DispatchSemaphore(value: 0)

    func time(of name: String) -> UInt64? {
        times.withLock { $0[name] }
    }

    func waitForEvents(seconds: Double) {
        _ = wakeUp.wait(timeout: .now() + max(0, seconds))
    }

    func handle(_ events: [DirectoryWatcher.Event]) {
        let now = MonotonicClock.now()
        times.withLock { times in
            for case .file(let name) in events where times[name] == nil { times[name] = now }
        }
        wakeUp.signal()
    }
}
