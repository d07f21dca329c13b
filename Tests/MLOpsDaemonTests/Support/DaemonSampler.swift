import Foundation
import Glibc
import Synchronization

/// Samples a running daemon from outside, as an operator's monitoring would: resident
/// memory and threads (`/proc/<pid>/status`), open descriptors (`/proc/<pid>/fd`), the
/// queue (entries in `incoming/` and `active/`) and the jobs finished so far (the counters
/// in `status.json`), every `interval` seconds on its own thread.
final class DaemonSampler: Sendable {
    /// One observation.
    struct Sample: Sendable {
        /// Seconds since the sampler started.
        var t: Double
        /// VmRSS in KiB.
        var rssKiB: Int
        /// Entries in /proc/<pid>/fd.
        var fds: Int
        /// Threads (/proc/<pid>/status `Threads:`).
        var threads: Int
        /// Visible files in incoming/ plus active/.
        var queued: Int
        /// succeeded + failed + rejected from status.json (since the daemon started).
        var finished: Int
    }

    /// What the daemon looks like right now; nil when it is gone.
    static func sample(pid: pid_t, spool: String, t: Double = 0) -> Sample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else {
                return nil
            }
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = field("VmRSS"), let threads = field("Threads") else { return nil }
        let fds = entryCount("/proc/\(pid)/fd", includeHidden: true)
        guard fds >= 0 else { return nil }
        let queued = max(0, entryCount(spool + "/incoming")) + max(0, entryCount(spool + "/active"))
        return Sample(
            t: t,
            rssKiB: rss,
            fds: fds,
            threads: threads,
            queued: queued,
            finished: finishedJobs(spool: spool) ?? -1
        )
    }

    /// Jobs finished since the daemon started, from `status.json` (nil when unreadable).
    static func finishedJobs(spool: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: spool + "/status.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let jobs = object["jobs"] as? [String: Any]
        else { return nil }
        return ["succeeded", "failed", "rejected"].reduce(0) { $0 + ((jobs[$1] as? Int) ?? 0) }
    }

    /// Entries in a directory (without `.` and `..`; hidden names only when asked), or -1
    /// when it cannot be read. readdir, not a listing into an array: incoming/ may be long.
    static func entryCount(_ path: String, includeHidden: Bool = false) -> Int {
        guard let dir = opendir(path) else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] }
            if first == UInt8(ascii: ".") {
                guard includeHidden else { continue }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
            }
            count += 1
        }
        return count
    }

    private struct State {
        var samples: [Sample] = []
        var stopped = false
    }

    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    /// Starts sampling `pid` every `interval` seconds until ``stop()``.
    init(pid: pid_t, spool: String, interval: Double = 0.25) {
        let started = Date()
        let thread = Thread { [self] in
            while true {
                let t = Date().timeIntervalSince(started)
                let sample = DaemonSampler.sample(pid: pid, spool: spool, t: t)
                let stop = self.state.withLock { s in
                    if let sample { s.samples.append(sample) }
                    return s.stopped
                }
                if stop { break }
                // The sampling period itself, not a wait for a condition.
                let next = started.addingTimeInterval((t / interval).rounded(.down) * interval + interval)
                let pause = next.timeIntervalSinceNow
                if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
            }
            self.done.signal()
        }
        thread.name = "load-sampler"
        thread.start()
    }

    /// Stops the sampling thread (after one last sample) and returns every sample.
    func stop() -> [Sample] {
        state.withLock { $0.stopped = true }
        done.wait()
        return state.withLock { $0.samples }
    }
}
