import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// Pipeline-stage children as real processes: exit statuses, output files and caps, the
/// journal lines, the environment, the signal state they start with, timeouts, graces,
/// cancellation, and commands that cannot start. `/bin/sh` appears only as the program a
/// test chooses to run; the supervisor never adds a shell.
///
/// Promptness is checked without wall-clock upper bounds (the other suites' synchronous
/// tests can hold the concurrency pool for minutes in a whole-suite run): with a long grace,
/// a group that ends on SIGTERM shows as a single `childKilled` event, no SIGKILL.
@Suite struct ChildSupervisorTests {
    @Test func childExitingThreeReportsExitedThreeAndItsOutputLandsInTheFiles() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]),
            logger: journal.logger()
        )
        #expect(outcome.termination == .exited(3))
        #expect(!outcome.timedOut && !outcome.cancelled && !outcome.leftoversKilled && !outcome.succeeded)
        #expect(scratch.read("out.log") == "out\n")
        #expect(scratch.read("err.log") == "err\n")
        #expect(outcome.stdout == ChildOutcome.StreamTally(bytesWritten: 4, bytesDropped: 0, lines: 1, linesLogged: 1))
        #expect(outcome.stderr == ChildOutcome.StreamTally(bytesWritten: 4, bytesDropped: 0, lines: 1, linesLogged: 1))
        #expect(outcome.finished >= outcome.started)

        let out = try #require(journal.events(.childOutput).first { $0["MLOPSD_STREAM"] == "stdout" })
        #expect(out["MESSAGE"] == "out")
        #expect(out["MLOPSD_RUN"] == "r1")
        #expect(out["MLOPSD_STAGE"] == "train")
        #expect(out["MLOPSD_MODEL"] == "churn")
        #expect(out["PRIORITY"] == "6")
        #expect(journal.lines("stderr") == ["err"])
        #expect(journal.events(.childKilled).isEmpty)
    }

    @Test func outputOverTheCapIsTruncatedWithOneMarkerLineAndTheBytesAreCounted() async throws {
        let scratch = try ChildScratch()
        let outcome = try await ChildSupervisor.run(
            scratch.command(
                ["/bin/sh", "-c", "head -c 10000 /dev/zero | tr '\\0' a; echo short >&2"],
                outputCap: 4096
            ),
            logger: JournalCapture().logger()
        )
        #expect(outcome.termination == .exited(0))
        #expect(
            scratch.read("out.log") == String(repeating: "a", count: 4096)
                + "\n[mlopsd: output truncated after 4096 bytes]\n"
        )
        #expect(outcome.stdout.bytesWritten == 4096)
        #expect(outcome.stdout.bytesDropped == 10000 - 4096)
        #expect(outcome.stdout.truncated)
        #expect(scratch.read("err.log") == "short\n")
        #expect(outcome.stderr == ChildOutcome.StreamTally(bytesWritten: 6, bytesDropped: 0, lines: 1, linesLogged: 1))
    }

    @Test func journalGetsAtMostAThousandLinesPerStreamEachCutAtTwoKiB() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        // One 5,000-byte line, then lines 1…1500.
        let script =
            "head -c 5000 /dev/zero | tr '\\0' x; echo; i=1; while [ $i -le 1500 ]; do echo line$i; i=$((i+1)); done"
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", script]),
            logger: journal.logger()
        )
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.lines == 1501)
        #expect(outcome.stdout.linesLogged == 1000)
        let lines = journal.lines("stdout")
        #expect(lines.count == 1001)
        #expect(lines.first == String(repeating: "x", count: ChildSupervisor.journalLineBytes) + "…")
        #expect(lines[999] == "line999")
        #expect(lines.last == "[mlopsd: more than 1000 lines on stdout; the rest is only in \(scratch.dir)/out.log]")
        // The file has everything.
        #expect(scratch.read("out.log").hasSuffix("line1500\n"))
    }

    @Test func childEnvironmentIsExactlyTheGivenOneWithoutSystemdVariables() async throws {
        let scratch = try ChildScratch()
        let given = [
            "NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_PID": "1", "WATCHDOG_USEC": "30000000",
            "LISTEN_FDS": "1", "LISTEN_PID": "1", "LISTEN_FDNAMES": "spool", "INVOCATION_ID": "abc",
            "MLOPSD_RUN_ID": "r1", "FOO": "bar baz",
        ]
        // /usr/bin/env directly: no shell adds variables of its own.
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/usr/bin/env"], environment: given),
            logger: JournalCapture().logger()
        )
        #expect(outcome.termination == .exited(0))
        let lines = Set(scratch.read("out.log").split(separator: "\n").map(String.init))
        #expect(lines == ["MLOPSD_RUN_ID=r1", "FOO=bar baz"])
    }

    @Test func childInheritsNoDescriptorBeyondTheStandardThree() async throws {
        let scratch = try ChildScratch()
        // Not close-on-exec, like the socket Foundation.Process hands its children.
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { for fd in pair { close(fd) } }
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", "ls /proc/$$/fd"]),
            logger: JournalCapture().logger()
        )
        #expect(outcome.termination == .exited(0))
        #expect(scratch.read("out.log") == "0\n1\n2\n")
    }

    @Test func childStartsWithAnEmptySignalMaskDefaultSIGTERMAndItsOwnSession() async throws {
        let scratch = try ChildScratch()
        let box = StartBox()
        let task = Task {
            try await ChildSupervisor.run(
                scratch.command(["/bin/sleep", "1000"]),
                logger: JournalCapture().logger(),
                onStart: { box.set($0) }
            )
        }
        let start = try await box.wait()
        let status = try String(contentsOfFile: "/proc/\(start.pid)/status", encoding: .utf8)
        func field(_ name: String) -> String? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        #expect(field("SigBlk") == "0000000000000000")
        let ignored = try #require(field("SigIgn").flatMap { UInt64($0, radix: 16) })
        #expect(ignored & (1 << UInt64(SIGTERM - 1)) == 0, "SIGTERM is ignored: SigIgn=\(String(ignored, radix: 16))")
        let entry = try #require(ProcessTable.entry(for: start.pid))
        #expect(start.processGroup == start.pid)
        #expect(entry.processGroup == start.pid && entry.session == start.pid)
        #expect(entry.startTime == start.startTime && start.startTime > 0)

        task.cancel()
        let outcome = try await task.value
        #expect(outcome.cancelled && !outcome.timedOut)
        #expect(outcome.termination == .signalled(SIGTERM))
        #expect(outcome.pid == start.pid)
    }

    @Test func childWithGrandchildrenOverrunningItsTimeoutLeavesNoProcessBehind() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let box = StartBox()
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", "sleep 1000 & sleep 1000 & wait"], timeout: 1, grace: 120),
            logger: journal.logger(),
            onStart: { box.set($0) }
        )
        #expect(outcome.timedOut && !outcome.cancelled)
        #expect(outcome.termination == .signalled(SIGTERM))
        #expect(outcome.seconds >= 1)
        let group = try #require(box.start?.processGroup)
        try await eventually(timeout: 5, "the session to be empty") { liveSessionMembers(group).isEmpty }
        let killed = journal.events(.childKilled)
        #expect(killed.map { $0["MLOPSD_SIGNAL"] } == ["SIGTERM"])
        #expect(killed.first?["MLOPSD_REASON"] == "timeout")
        #expect(killed.first?["MLOPSD_STAGE"] == "train")
        #expect(killed.first?["PRIORITY"] == "4")
    }

    @Test func childIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let box = StartBox()
        // The sleep inherits the ignored SIGTERM from the shell. The timeout leaves the shell
        // time to set its trap even on a loaded machine.
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", "trap '' TERM; sleep 1000"], timeout: 1.5, grace: 0.5),
            logger: journal.logger(),
            onStart: { box.set($0) }
        )
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signalled(SIGKILL))
        #expect(outcome.seconds >= 2.0, "timeout 1.5 s + grace 0.5 s, took \(outcome.seconds) s")
        #expect(journal.events(.childKilled).map { $0["MLOPSD_SIGNAL"] } == ["SIGTERM", "SIGKILL"])
        let group = try #require(box.start?.processGroup)
        try await eventually(timeout: 5, "the session to be empty") { liveSessionMembers(group).isEmpty }
    }

    @Test func leaderDyingOnSIGTERMDoesNotLeaveGrandchildrenThatIgnoreIt() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let box = StartBox()
        // The leader waits and dies on SIGTERM; its child shell and that shell's sleep ignore it.
        let outcome = try await ChildSupervisor.run(
            scratch.command(
                ["/bin/sh", "-c", "/bin/sh -c \"trap '' TERM; sleep 1000\" & wait"],
                timeout: 1.5,
                grace: 0.5
            ),
            logger: journal.logger(),
            onStart: { box.set($0) }
        )
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signalled(SIGTERM))
        #expect(journal.events(.childKilled).map { $0["MLOPSD_SIGNAL"] } == ["SIGTERM", "SIGKILL"])
        let group = try #require(box.start?.processGroup)
        try await eventually(timeout: 5, "the session to be empty") { liveSessionMembers(group).isEmpty }
    }

    @Test func cancellingTheAwaitingTaskStopsTheGroupPromptlyAndReportsCancelled() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let box = StartBox()
        let task = Task {
            try await ChildSupervisor.run(
                scratch.command(
                    ["/bin/sh", "-c", "echo ready; sleep 1000 & sleep 1000 & wait"],
                    timeout: 600,
                    grace: 120
                ),
                logger: journal.logger(),
                onStart: { box.set($0) }
            )
        }
        let start = try await box.wait()
        try await eventually(timeout: 10, "both sleeps to run") { liveSessionMembers(start.processGroup).count == 3 }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.cancelled && !outcome.timedOut)
        #expect(outcome.termination == .signalled(SIGTERM))
        #expect(scratch.read("out.log") == "ready\n")
        // The group obeys SIGTERM: no SIGKILL after the grace was needed.
        #expect(journal.events(.childKilled).map { $0["MLOPSD_SIGNAL"] } == ["SIGTERM"])
        #expect(journal.events(.childKilled).first?["MLOPSD_REASON"] == "cancelled")
        try await eventually(timeout: 5, "the session to be empty") { liveSessionMembers(start.processGroup).isEmpty }
    }

    @Test func backgroundProcessOutlivingTheChildIsEndedAfterItExits() async throws {
        let scratch = try ChildScratch()
        let journal = JournalCapture()
        let box = StartBox()
        // The sleep keeps stdout open after the shell exits.
        let outcome = try await ChildSupervisor.run(
            scratch.command(["/bin/sh", "-c", "sleep 1000 & echo started"], timeout: 600, grace: 120),
            logger: journal.logger(),
            onStart: { box.set($0) }
        )
        #expect(outcome.termination == .exited(0))
        #expect(outcome.leftoversKilled && !outcome.timedOut && !outcome.cancelled && outcome.succeeded)
        #expect(scratch.read("out.log") == "started\n")
        #expect(journal.events(.childKilled).map { $0["MLOPSD_SIGNAL"] } == ["SIGTERM"])
        #expect(journal.events(.childKilled).first?["MLOPSD_REASON"] == "leftovers")
        let group = try #require(box.start?.processGroup)
        try await eventually(timeout: 5, "the session to be empty") { liveSessionMembers(group).isEmpty }
    }

    @Test func commandsThatCannotStartGiveErrorsNamingThePathAndTheCause() async throws {
        let scratch = try ChildScratch()
        let logger = JournalCapture().logger()
        await #expect(throws: ChildSpawnError.executableMissing(path: "/nonexistent/trainer", errno: ENOENT)) {
            try await ChildSupervisor.run(scratch.command(["/nonexistent/trainer"]), logger: logger)
        }
        #expect(
            ChildSpawnError.executableMissing(path: "/nonexistent/trainer", errno: ENOENT).description
                == "cannot start /nonexistent/trainer: No such file or directory"
        )

        let plain = scratch.dir + "/not-executable"
        #expect(FileManager.default.createFile(atPath: plain, contents: Data("#!/bin/sh\n".utf8)))
        #expect(chmod(plain, 0o644) == 0)
        await #expect(throws: ChildSpawnError.notExecutable(path: plain, reason: "Permission denied")) {
            try await ChildSupervisor.run(scratch.command([plain]), logger: logger)
        }
        await #expect(throws: ChildSpawnError.relativeExecutable("sleep")) {
            try await ChildSupervisor.run(scratch.command(["sleep", "1"]), logger: logger)
        }
        await #expect(throws: ChildSpawnError.emptyCommand) {
            try await ChildSupervisor.run(scratch.command([]), logger: logger)
        }
        var elsewhere = scratch.command(["/bin/true"])
        elsewhere.workingDirectory = scratch.dir + "/missing"
        await #expect(
            throws: ChildSpawnError.workingDirectoryUnusable(
                path: scratch.dir + "/missing",
                reason: "No such file or directory"
            )
        ) {
            try await ChildSupervisor.run(elsewhere, logger: logger)
        }
        var unwritable = scratch.command(["/bin/true"])
        unwritable.stdoutPath = scratch.dir + "/missing/out.log"
        await #expect(throws: ChildSpawnError.outputFileUnusable(path: scratch.dir + "/missing/out.log", errno: ENOENT))
        {
            try await ChildSupervisor.run(unwritable, logger: logger)
        }
    }
}
