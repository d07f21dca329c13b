import Foundation
import Glibc
import Logging
import Synchronization

@testable import MLOpsDaemon

/// Journal entries a ``JournalLogHandler`` would have sent, kept in memory: the tests check
/// the real field mapping (MLOPSD_STAGE, MLOPSD_STREAM, MESSAGE_ID) without a journald.
final class JournalCapture: Sendable {
    private let entries = Mutex<[[String: String]]>([])

    /// A logger whose every entry lands here (duplicate field names keep the last value).
    func logger(label: String = "child-test") -> Logger {
        Logger(label: label) { label in
            JournalLogHandler(
                label: label,
                mode: .journal,
                level: .trace,
                fallbackDescriptor: STDERR_FILENO,
                sender: { fields in
                    var entry: [String: String] = [:]
                    for field in fields { entry[field.name] = field.value }
                    self.entries.withLock { $0.append(entry) }
                    return 0
                }
            )
        }
    }

    /// All entries so far, in order.
    var all: [[String: String]] { entries.withLock { $0 } }

    /// The entries of one event kind.
    func events(_ event: MLOpsDaemon.LogEvent) -> [[String: String]] {
        all.filter { $0["MESSAGE_ID"] == event.messageID }
    }

    /// The `childOutput` messages of one stream, in order.
    func lines(_ stream: String) -> [String] {
        events(.childOutput).filter { $0["MLOPSD_STREAM"] == stream }.compactMap { $0["MESSAGE"] }
    }
}

/// A temp directory for one test's working directory, scripts and output files.
final class ChildScratch: Sendable {
    let dir: String

    init() throws {
        dir = "/tmp/mlopsd-tests/child-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// A command for this scratch directory: output in `out.log` and `err.log`.
    func command(
        _ argv: [String],
        environment: [String: String] = ["PATH": "/usr/bin:/bin"],
        timeout: Double = 30,
        grace: Double = 2,
        outputCap: Int = ChildCommand.defaultOutputCap
    ) -> ChildCommand {
        ChildCommand(
            argv: argv,
            workingDirectory: dir,
            environment: environment,
            timeout: timeout,
            grace: grace,
            stdoutPath: dir + "/out.log",
            stderrPath: dir + "/err.log",
            outputCap: outputCap,
            runID: "r1",
            stage: "train",
            model: "churn"
        )
    }

    /// The text of a file in the scratch directory ("" when missing).
    func read(_ name: String) -> String {
        (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? ""
    }
}

/// The start a child reported, once it did.
final class StartBox: Sendable {
    private let value = Mutex<ChildStart?>(nil)

    func set(_ start: ChildStart) { value.withLock { $0 = start } }
    var start: ChildStart? { value.withLock { $0 } }

    /// Waits (up to `timeout` seconds) for the start.
    ///
    /// The start needs the concurrency pool (the supervisor spawns from a task), and in a
    /// whole-suite run on a 2-core machine the synchronous tests of other suites can hold
    /// both pool threads for minutes: the deadline is only a safety net.
    func wait(timeout: Double = 900) async throws -> ChildStart {
        var found: ChildStart?
        try await eventually(timeout: timeout, "the child to start") {
            found = start
            return found != nil
        }
        guard let found else { throw TestFailure("no start") }
        return found
    }
}

/// Polls `condition` until it holds or `timeout` passes, without blocking a thread of the
/// concurrency pool; the deadline, not the sleep, is the point. The condition is checked
/// before the deadline, so a test starved of the pool for a while still passes when the
/// condition came true meanwhile.
func eventually(timeout: Double, _ what: String, _ condition: () throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(timeout)
    while true {
        if try condition() { return }
        if clock.now > deadline { throw TestFailure("timed out after \(timeout) s waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The live (not zombie) processes of session `session`.
func liveSessionMembers(_ session: pid_t) -> [ProcessTable.Entry] {
    ProcessTable.members(ofSession: session).filter(\.isLive)
}
