import Foundation
import Glibc
import MLOpsDaemon

/// A real child process for tests, spawned with posix_spawn with an empty signal mask and
/// default dispositions (Foundation.Process started from a task can hand the child a
/// blocked SIGTERM; see NOTES.md), its output captured to files.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` is immutable; `exitStatus` is only touched by the test
    // that owns the process, from one task.
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private var exitStatus: Int32?

    init(_ executable: String, _ arguments: [String], environment: [String: String], logPrefix: String) throws {
        stdoutPath = logPrefix + ".out"
        stderrPath = logPrefix + ".err"
        do {
            pid = try ProcessLauncher.spawn(
                executable,
                arguments: arguments,
                environment: environment.map { "\($0.key)=\($0.value)" },
                stdout: stdoutPath,
                stderr: stderrPath,
                mode: .append
            )
        } catch {
            throw TestFailure("\(error)")
        }
    }

    /// Sends `signo` to the child.
    func signal(_ signo: Int32) {
        kill(pid, signo)
    }

    /// Waits for the child to exit (raw wait status), up to `timeout` seconds.
    @discardableResult
    func waitForExit(timeout: Double) throws -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                exitStatus = status
                return status
            }
            if rc < 0 { throw TestFailure("waitpid: \(String(cString: strerror(errno)))") }
            if Date() > deadline { throw TestFailure("process \(pid) did not exit within \(timeout) s") }
            usleep(10_000)
        }
    }

    /// Kills and reaps the child if it is still running.
    func terminate() {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = try? waitForExit(timeout: 10)
        }
    }

    var stderrText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// A failed precondition in a test harness, with what went wrong.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every `every` seconds (5 ms by default; coarser for conditions that
/// list large directories) until it holds or `timeout` passes; the wait, not the sleep, is
/// the point.
func waitUntil(timeout: Double, every: Double = 0.005, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        if Date() > deadline { throw TestFailure("timed out after \(timeout) s waiting for \(what)") }
        usleep(useconds_t(every * 1_000_000))
    }
}
