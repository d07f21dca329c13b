import Foundation
import Glibc
import MLOpsCore
import MLOpsDaemon

/// A raw `waitpid` status, read the way the C macros WIFEXITED, WEXITSTATUS, WIFSIGNALED
/// and WTERMSIG do (Swift does not import those macros).
struct WaitStatus: Equatable, CustomStringConvertible {
    let raw: Int32

    /// WIFEXITED: the process called exit (or returned from main).
    var exited: Bool { raw & 0x7F == 0 }
    /// WEXITSTATUS: the exit code, when `exited`.
    var exitCode: Int32? { exited ? (raw >> 8) & 0xFF : nil }
    /// WIFSIGNALED: a signal ended the process.
    var signaled: Bool { raw & 0x7F != 0 && raw & 0x7F != 0x7F }
    /// WTERMSIG: the signal that ended the process, when `signaled`.
    var signal: Int32? { signaled ? raw & 0x7F : nil }

    var description: String {
        if let exitCode { return "exit \(exitCode)" }
        if let signal { return "signal \(signal)" }
        return "wait status \(raw)"
    }
}

/// One finished run of a command: how it ended, what it printed, how long it took.
struct CommandRun: CustomStringConvertible {
    var status: WaitStatus
    var stdout: String
    var stderr: String
    var seconds: Double

    /// The exit code, or nil when the command did not exit normally.
    var exitCode: Int32? { status.exitCode }

    var description: String {
        "\(status) after \(String(format: "%.2f", seconds)) s\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
    }
}

/// Runs the real `mlopsctl` binary (beside the test bundle) to completion with
/// posix_spawn, standard input from `stdin` (or /dev/null), output captured to files under
/// `directory`. The child gets an empty signal mask and default dispositions, like
/// ``ChildProcess``.
enum Ctl {
    /// The built `mlopsctl` executable.
    static var path: String { DaemonHarness.binDirectory + "/mlopsctl" }

    /// The test process's environment without the variables that would pick a spool or a
    /// config behind a test's back.
    static var baseEnvironment: [String: String] {
        let overrides = Set(DaemonConfig.environmentNames)
        return ProcessInfo.processInfo.environment.filter {
            !overrides.contains($0.key) && $0.key != "NOTIFY_SOCKET" && !$0.key.hasPrefix("WATCHDOG_")
        }
    }

    private static let counter = Counter()

    /// Runs `mlopsctl arguments…` and waits for it to exit, at most `timeout` seconds
    /// (then it is killed and the test fails).
    static func run(
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String]? = nil,
        in directory: String,
        timeout: Double = 60
    ) throws -> CommandRun {
        let n = counter.next()
        let prefix = "\(directory)/ctl.\(n)"
        let stdinPath = stdin.map { _ in prefix + ".in" } ?? "/dev/null"
        if let stdin { try writeFile(stdinPath, Data(stdin.utf8)) }
        let outPath = prefix + ".out"
        let errPath = prefix + ".err"

        let executable = path
        let started = Date()
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                executable,
                arguments: arguments,
                environment: (environment ?? baseEnvironment).map { "\($0.key)=\($0.value)" },
                stdin: stdinPath,
                stdout: outPath,
                stderr: errPath
            )
        } catch {
            throw TestFailure("\(error)")
        }

        var raw: Int32 = 0
        let deadline = started.addingTimeInterval(timeout)
        while true {
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw TestFailure("waitpid: \(String(cString: strerror(errno)))") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &raw, 0)
                throw TestFailure("mlopsctl \(arguments.joined(separator: " ")) did not exit within \(timeout) s")
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(started)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return CommandRun(status: WaitStatus(raw: raw), stdout: stdout, stderr: stderr, seconds: seconds)
    }

    /// A thread-safe counter for unique output file names.
    final class Counter: @unchecked Sendable {
        // @unchecked Sendable: `value` is only touched under `lock`.
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

/// Every name in a directory, hidden ones included (an empty list when it does not exist).
func allNames(in path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}
