import Foundation
import Glibc

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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestFailure("posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        pid = child
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

/// Polls `condition` until it holds or `timeout` passes; the wait, not the sleep, is the point.
func waitUntil(timeout: Double, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        if Date() > deadline { throw TestFailure("timed out after \(timeout) s waiting for \(what)") }
        usleep(5_000)
    }
}
