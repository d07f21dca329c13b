import CPosix
import Foundation
import GRDB
import Glibc
import MLOpsCore

@testable import MLOpsDaemon

/// Runs the real `mlopsd` binary on a private spool and state directory, with a real
/// notify socket, and gives tests the spool operations a user has.
final class DaemonHarness: @unchecked Sendable {
    // @unchecked Sendable: a harness belongs to one test, used from one task.
    let root: String
    let spool: String
    let state: String
    let configPath: String
    let notify: NotifyListener
    private(set) var process: ChildProcess?
    private var generation = 0
    var extraEnvironment: [String: String] = [:]
    /// Where `start()` finds `mlopsd` (default: beside the test bundle; the load test's long
    /// form points it at the release build).
    var executableDirectory = DaemonHarness.binDirectory

    /// The directory holding the built executables (beside the test bundle).
    static var binDirectory: String {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }

    /// `dataSubdir`: spool and state go under `root/<dataSubdir>/` (a file system the test
    /// mounts there, e.g. a tiny tmpfs) instead of directly under `root`.
    init(config extra: String = "", name: String = #function, dataSubdir: String? = nil) throws {
        let base = "/tmp/mlopsd-tests"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        // Short: the notify socket's path must fit in sun_path (108 bytes).
        let clean = String(name.filter { $0.isLetter || $0.isNumber }.prefix(24))
        root = "\(base)/\(clean)-\(UInt32.random(in: 0...UInt32.max))"
        let top = root
        let data = dataSubdir.map { top + "/" + $0 } ?? top
        spool = data + "/spool"
        state = data + "/state"
        configPath = root + "/mlopsd.yaml"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        notify = try NotifyListener(path: root + "/notify.sock")
        try writeConfig(extra)
    }

    /// Writes the config file: private spool, state and metrics file, plus `extra` YAML lines
    /// (which may set `metrics_file` themselves).
    func writeConfig(_ extra: String) throws {
        // Last, so that line numbers in `extra` stay what tests expect (line 5 onwards).
        let metrics = extra.contains("metrics_file:") ? "" : "metrics_file: \(root)/mlopsd.prom"
        let text = """
            spool_dir: \(spool)
            state_dir: \(state)
            data_roots: [\(root)/data]
            status_interval: 1
            \(extra)
            \(metrics)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits for READY=1.
    func start(waitReady: Bool = true) throws {
        generation += 1
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("NOTIFY_") && !$0.key.hasPrefix("WATCHDOG_")
        }
        env["NOTIFY_SOCKET"] = notify.path
        for (k, v) in extraEnvironment { env[k] = v }
        let p = try ChildProcess(
            executableDirectory + "/mlopsd",
            ["--config", configPath],
            environment: env,
            logPrefix: "\(root)/mlopsd.\(generation)"
        )
        process = p
        if waitReady {
            do {
                try notify.waitFor("READY=1", count: notify.messages(with: "READY=1").count + 1, timeout: 60)
            } catch {
                throw TestFailure("\(error); mlopsd stderr: \(p.stderrText)")
            }
        }
    }

    /// SIGKILL, as a crash.
    func kill9() throws {
        process?.signal(SIGKILL)
        try process?.waitForExit(timeout: 20)
    }

    /// SIGTERM and the raw wait status.
    func stop() throws -> Int32 {
        process?.signal(SIGTERM)
        return try process?.waitForExit(timeout: 60) ?? -1
    }

    /// Drops a job the way `mlopsctl submit` does: write under a hidden name, rename in.
    func drop(_ name: String, _ text: String) throws {
        let temp = "\(spool)/tmp/.\(name).tmp"
        try FileManager.default.createDirectory(atPath: "\(spool)/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(spool)/incoming", withIntermediateDirectories: true)
        try writeFile(temp, Data(text.utf8))
        guard rename(temp, "\(spool)/incoming/\(name)") == 0 else {
            throw TestFailure("rename into incoming: \(errno)")
        }
    }

    /// The result document filed under `name` (without `.json`), if any.
    func result(_ name: String) -> ResultDocument? {
        guard let data = FileManager.default.contents(atPath: "\(spool)/results/\(name).json") else { return nil }
        return try? ResultDocument.decode(data)
    }

    /// Waits for a final result under `name`.
    func waitForResult(_ name: String, timeout: Double = 30) throws -> ResultDocument {
        var found: ResultDocument?
        try waitUntil(
            timeout: timeout,
            "a final result for \(name) (daemon stderr: \(process?.stderrText.suffix(2000) ?? ""))"
        ) {
            found = result(name)
            return found?.status.isFinal == true
        }
        guard let found else { throw TestFailure("no result") }
        return found
    }

    /// Names in a spool subdirectory.
    func names(in sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/\(sub)")) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Reads the daemon's store (a separate read-only connection, as another process would).
    func readStore<T>(_ body: (Database) throws -> T) throws -> T {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: state + "/mlopsd.sqlite", configuration: config)
        return try queue.read(body)
    }

    /// Changes the store of a stopped daemon, as a crash at a chosen moment would have left it.
    func writeStore(_ body: (Database) throws -> Void) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: state + "/mlopsd.sqlite", configuration: config)
        try queue.write(body)
    }

    /// Leaves `name` in active/ as a crash would, with `attempts` processing attempts already
    /// counted in the store (the daemon must be stopped).
    func plantInterruptedJob(_ name: String, _ text: String, attempts: Int) throws {
        let path = spool + "/active/" + name
        try writeFile(path, Data(text.utf8))
        var st = stat()
        guard stat(path, &st) == 0 else { throw TestFailure("stat \(path): \(errno)") }
        try writeStore { db in
            try db.execute(
                sql: "INSERT INTO claims (device, inode, file_name, attempts, first_at) VALUES (?, ?, ?, ?, 'test')",
                arguments: [Int64(bitPattern: UInt64(st.st_dev)), Int64(bitPattern: UInt64(st.st_ino)), name, attempts]
            )
        }
    }

    /// Removes the temp directory (call at the end of a passing test).
    func cleanUp() {
        process?.terminate()
        notify.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    deinit {
        process?.terminate()
        notify.close()
    }
}

/// Writes a file with open/write/close, so no descriptor outlives the call (the daemon
/// rightly refuses to take a file that someone still has open for writing).
func writeFile(_ path: String, _ data: Data) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw TestFailure("open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == data.count else { throw TestFailure("write \(path): \(String(cString: strerror(errno)))") }
}

/// Writes a job file straight into `active/`, as a claim would leave it, and returns once
/// no process holds it open for writing. A child forked by another test between this
/// process's `open` and `close` keeps the descriptor until its `exec`; the daemon's read
/// lease then rightly refuses the file (`JobFile.read`), so a fixture that skips the
/// spool's readiness wait must do it here, with a deadline.
func writeClaimedJob(_ path: String, _ data: Data) throws {
    try writeFile(path, data)
    let deadline = Date().addingTimeInterval(10)
    while true {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw TestFailure("open \(path): \(String(cString: strerror(errno)))") }
        let leased = mlopsd_set_lease(fd, Int32(F_RDLCK)) == 0
        let busy = !leased && errno == EAGAIN
        if leased { _ = mlopsd_set_lease(fd, Int32(F_UNLCK)) }
        close(fd)
        if !busy { return }
        guard Date() < deadline else { throw TestFailure("\(path) was still open for writing after 10 s") }
        usleep(2_000)
    }
}

/// Job texts used across tests.
enum Jobs {
    static func registerModel(_ model: String, id: String? = nil) -> String {
        var text = "kind: register-model\nmodel: \(model)\n"
        if let id { text += "id: \(id)\n" }
        text += """
            reason: test
            params:
              task: binary_classification
              features:
                - name: age
                  type: numerical
                - name: scanner_kv
                  type: numerical
              target: label
              classes: [normal, pneumonia]
              segments:
                equipment: [scanner_model]
                population: [age_band]

            """
        return text
    }
}
