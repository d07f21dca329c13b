import Foundation
import Glibc
import MLOpsDaemon

/// The Python virtual environment the drift run's references use: made with
/// `python3 -m venv` (the first `python3` on PATH) and filled with pip the first time a
/// package is missing, then reused between runs. Every command's output goes to `log`.
struct PythonEnvironment {
    /// The environment's directory (`--venv`).
    let directory: String
    /// Where pip's and venv's output goes.
    let log: String

    /// The environment's interpreter.
    var python: String { directory + "/bin/python" }

    /// Nil when `check` (Python code, e.g. an import) succeeds, after installing `packages`
    /// if needed; otherwise why the environment is not usable.
    func ensure(_ packages: [String], importing check: String) -> String? {
        if run(python, ["-c", check]) == 0 { return nil }
        if access(python, X_OK) != 0 {
            let parent = (directory as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            let status = run("/usr/bin/env", ["python3", "-m", "venv", directory])
            guard status == 0 else {
                return "python3 -m venv \(directory) exited \(status): \(DriftBenchmark.tail(log))"
            }
        }
        let status = run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q"] + packages)
        guard status == 0 else {
            return "pip install \(packages.joined(separator: " ")) exited \(status): \(DriftBenchmark.tail(log))"
        }
        let after = run(python, ["-c", check])
        return after == 0 ? nil : "after pip install, `\(check)` still fails: \(DriftBenchmark.tail(log))"
    }

    /// Runs a command to its end with output appended to `log`; its exit status (−1 when it
    /// could not be started).
    private func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        guard
            let pid = try? ProcessLauncher.spawn(
                executable,
                arguments: arguments,
                environment: environment,
                stdout: log,
                stderr: log,
                mode: .append
            )
        else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
