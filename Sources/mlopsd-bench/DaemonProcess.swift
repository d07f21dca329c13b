import Foundation
import Glibc
import MLOpsCore
import MLOpsDaemon

/// One run of the real `mlopsd` on a private spool and state directory.
///
/// Spawned with posix_spawn, an empty signal mask and default dispositions (a child of a
/// process whose threads block signals would otherwise ignore SIGTERM; see NOTES.md), no
/// `NOTIFY_SOCKET`, stdin from /dev/null and stdout/stderr appended to `log`.
final class DaemonProcess {
    /// The files of one daemon instance, all under `root`.
    struct Layout: Sendable {
        let root: String
        var spool: String { root + "/spool" }
        var state: String { root + "/state" }
        var data: String { root + "/data" }
        var config: String { root + "/mlopsd.yaml" }
        var log: String { root + "/mlopsd.log" }
        var incoming: String { spool + "/incoming" }
        var results: String { spool + "/results" }
        var tmp: String { spool + "/tmp" }

        /// The result of job `name`, which must have succeeded.
        func succeededResult(_ name: String) throws(BenchError) -> ResultDocument {
            let path = "\(results)/\(name).json"
            guard let data = FileManager.default.contents(atPath: path), let doc = try? ResultDocument.decode(data)
            else {
                throw .daemon("no readable result \(path)")
            }
            guard doc.status == .succeeded else {
                throw .daemon("\(name) \(doc.status.rawValue): \(doc.error?.message ?? "")")
            }
            return doc
        }

        /// Creates the spool directories (so jobs can be placed before the daemon starts)
        /// and writes the config file.
        func prepare() throws(BenchError) {
            for path in [
                spool, state, data, spool + "/incoming", spool + "/active", spool + "/done",
                spool + "/failed", spool + "/results", spool + "/alerts", tmp,
            ] {
                try FileSystem.makeDirectory(path)
            }
            // Shipped defaults for everything else (batch_size 64, status_interval 10,
            // log_level info): status.json and the metrics file are also rewritten after batches.
            let text = """
                spool_dir: \(spool)
                state_dir: \(state)
                data_roots: [\(data)]
                status_interval: 10
                metrics_file: \(state)/mlopsd.prom

                """
            try FileSystem.writeFile(config, Array(text.utf8))
        }
    }

    let layout: Layout
    let pid: pid_t
    /// Monotonic time just before posix_spawn.
    let spawnedAt: UInt64
    private var exitStatus: Int32?

    /// Spawns `executable --config <layout.config>`.
    init(executable: String, layout: Layout) throws(BenchError) {
        self.layout = layout
        spawnedAt = MonotonicClock.now()
        do {
            pid = try ProcessLauncher.spawn(
                executable,
                arguments: ["--config", layout.config],
                environment: DaemonProcess.environment(),
                stdout: layout.log,
                mode: .append
            )
        } catch {
            throw .system("\(error)")
        }
    }

    deinit { kill() }

    /// The daemon's environment: ours without systemd's variables (no `NOTIFY_SOCKET`, no
    /// watchdog) and without variables that would override the config file (every config
    /// key has an `MLOPSD_` variable, e.g. `MLOPSD_SPOOL_DIR`).
    static func environment() -> [String] {
        let keep: Set<String> = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME"]
        return ProcessInfo.processInfo.environment
            .filter { keep.contains($0.key) }
            .map { "\($0.key)=\($0.value)" }
            .sorted()
    }

    /// Waits until `status.json` names this pid in state `ready`.
    func waitUntilReady(timeout: Double) throws(BenchError) {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        let path = layout.spool + "/status.json"
        struct Status: Decodable {
            var pid: Int
            var state: String
        }
        while true {
            if let data = FileManager.default.contents(atPath: path),
                let status = try? JSONDecoder().decode(Status.self, from: data),
                status.pid == Int(pid), status.state == "ready"
            {
                return
            }
            try checkRunning("while starting")
            if MonotonicClock.now() > deadline {
                throw .timeout(
                    "mlopsd (pid \(pid)) did not report state ready in \(path) within \(Int(timeout)) s\(logTail())"
                )
            }
            usleep(2_000)
        }
    }

    /// CPU seconds (user + system) the daemon has used so far, from /proc/<pid>/stat; nil
    /// when it cannot be read.
    func cpuSeconds() -> Double? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // The command name (field 2) may hold spaces; fields are counted after its ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// Throws when the daemon has exited (it never should on its own).
    func checkRunning(_ when: String) throws(BenchError) {
        guard exitStatus == nil else {
            throw .daemon("mlopsd exited \(when): \(describe(exitStatus ?? 0))\(logTail())")
        }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid {
            exitStatus = status
            throw .daemon("mlopsd exited \(when): \(describe(status))\(logTail())")
        }
    }

    /// SIGTERM, then waits for the exit; the daemon must exit 0 within `timeout` seconds
    /// (it finishes the batch in progress first). On timeout it is killed.
    func stop(timeout: Double) throws(BenchError) {
        if exitStatus == nil { _ = Glibc.kill(pid, SIGTERM) }
        let status = try waitForExit(timeout: timeout)
        guard exitCode(status) == 0 else {
            throw .daemon("mlopsd did not exit 0 after SIGTERM: \(describe(status))\(logTail())")
        }
    }

    /// Kills and reaps the daemon if it is still running (error paths).
    func kill() {
        guard exitStatus == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        _ = try? waitForExit(timeout: 10)
    }

    private func waitForExit(timeout: Double) throws(BenchError) -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                exitStatus = status
                return status
            }
            if rc < 0 { throw .errno("waitpid \(pid)") }
            if MonotonicClock.now() > deadline {
                _ = Glibc.kill(pid, SIGKILL)
                throw .timeout(
                    "mlopsd (pid \(pid)) did not exit within \(Int(timeout)) s of SIGTERM; killed\(logTail())"
                )
            }
            usleep(5_000)
        }
    }

    /// The exit code, or nil when the process was killed by a signal.
    private func exitCode(_ status: Int32) -> Int32? {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }

    private func describe(_ status: Int32) -> String {
        if let code = exitCode(status) { return "exit status \(code)" }
        return "killed by signal \(status & 0x7F)"
    }

    /// The end of the daemon's log, for error messages.
    func logTail(_ bytes: Int = 1500) -> String {
        guard let data = FileManager.default.contents(atPath: layout.log), !data.isEmpty else {
            return " (log \(layout.log) is empty)"
        }
        let text = String(decoding: data.suffix(bytes), as: UTF8.self)
        return "\n--- last lines of \(layout.log):\n\(text)"
    }
}
