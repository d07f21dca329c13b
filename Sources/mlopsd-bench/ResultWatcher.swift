import Dispatch
import Glibc
import MLOpsClient
import MLOpsDaemon
import Synchronization

/// Watches `results/` with inotify (MLOpsDaemon's `DirectoryWatcher`) and remembers when
/// each final result name first appeared.
///
/// A result is complete when it is renamed in (IN_MOVED_TO): the daemon writes a hidden
/// temp file and renames it, so counting distinct visible names ending in `.json` counts
/// final results. If the kernel queue overflows, the directory is listed and every name
/// not yet seen is stamped with the time of the listing (later than its real arrival, so
/// never flattering).
final class ResultWatcher: Sendable {
    let directory: String
    private let arrivals: Arrivals
    private let watcher: DirectoryWatcher

    /// Starts watching `directory` (which must exist).
    init(directory: String) throws(BenchError) {
        self.directory = directory
        let arrivals = Arrivals(directory: directory)
        self.arrivals = arrivals
        let queue = DispatchQueue(label: "mlopsd-bench.results", qos: .userInitiated)
        do {
            watcher = try DirectoryWatcher(path: directory, queue: queue) { @Sendable events in
                arrivals.handle(events)
            }
        } catch {
            throw .system("cannot watch \(directory): \(error)")
        }
    }

    deinit { watcher.cancel() }

    /// Final results seen so far.
    var count: Int { arrivals.count }

    /// Times the kernel's event queue overflowed (and the directory was listed instead).
    var overflows: Int { arrivals.overflows }

    /// When `name` first appeared (monotonic ns), if it has.
    func arrival(of name: String) -> UInt64? { arrivals.arrival(of: name) }

    /// The latest arrival time seen (monotonic ns).
    var lastArrival: UInt64 { arrivals.last }

    /// Every arrival time seen so far, in order (monotonic ns).
    var arrivalTimes: [UInt64] { arrivals.allTimes.sorted() }

    /// Sleeps until the next batch of events or `seconds`, whichever comes first.
    func waitForEvents(seconds: Double) {
        arrivals.waitForEvents(seconds: seconds)
    }

    /// Blocks until `condition` holds, checking it after every batch of events, for at most
    /// `timeout` seconds in total and at most `stall` seconds without a new result.
    /// `what` says what was awaited, for the error.
    func wait(
        timeout: Double,
        stall: Double,
        _ what: @autoclosure () -> String,
        until condition: () -> Bool
    ) throws(BenchError) {
        let start = MonotonicClock.now()
        var lastCount = count
        var lastProgress = start
        while !condition() {
            let now = MonotonicClock.now()
            let seen = count
            if seen != lastCount {
                lastCount = seen
                lastProgress = now
            }
            let elapsed = MonotonicClock.seconds(from: start, to: now)
            let idle = MonotonicClock.seconds(from: lastProgress, to: now)
            if elapsed >= timeout {
                throw .timeout(
                    "timed out after \(Int(timeout)) s waiting for \(what()) (\(seen) results seen in \(directory))"
                )
            }
            if idle >= stall {
                throw .timeout(
                    "no new result for \(Int(stall)) s while waiting for \(what()) (\(seen) results seen in \(directory))"
                )
            }
            arrivals.waitForEvents(seconds: min(timeout - elapsed, stall - idle, 1.0))
        }
    }

    /// A visible name ending in `.json`: a final result document (the daemon's temp files
    /// are hidden and end in `.tmp`).
    static func isFinalResult(_ name: String) -> Bool {
        !name.hasPrefix(".") && name.hasSuffix(".json")
    }
}

/// The arrival times, shared between the watcher's queue and the waiting thread.
private final class Arrivals: Sendable {
    private struct State {
        /// Result name → monotonic time it was first seen.
        var times: [String: UInt64] = [:]
        var last: UInt64 = 0
        var overflows = 0
    }

    let directory: String
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    init(directory: String) {
        self.directory = directory
    }

    var count: Int { state.withLock { $0.times.count } }
    var overflows: Int { state.withLock { $0.overflows } }
    var last: UInt64 { state.withLock { $0.last } }
    var allTimes: [UInt64] { state.withLock { Array($0.times.values) } }
    func arrival(of name: String) -> UInt64? { state.withLock { $0.times[name] } }

    /// Sleeps until the next batch of events or `seconds`, whichever comes first.
    func waitForEvents(seconds: Double) {
        _ = wakeUp.wait(timeout: .now() + max(0, seconds))
    }

    /// Records one read's events (on the watcher's queue).
    func handle(_ events: [DirectoryWatcher.Event]) {
        let now = MonotonicClock.now()
        var names: [String] = []
        var overflowed = false
        for event in events {
            switch event {
            case .file(let name), .created(let name):
                if ResultWatcher.isFinalResult(name) { names.append(name) }
            case .overflow:
                overflowed = true
            }
        }
        if overflowed {
            // Events were lost: the directory itself says what is there.
            names += ((try? FileSystem.visibleNames(in: directory)) ?? []).filter(ResultWatcher.isFinalResult)
        }
        state.withLock { state in
            if overflowed { state.overflows += 1 }
            for name in names where state.times[name] == nil {
                state.times[name] = now
                state.last = max(state.last, now)
            }
        }
        wakeUp.signal()
    }
}
