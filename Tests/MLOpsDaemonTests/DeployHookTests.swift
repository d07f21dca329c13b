import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// Deploy hooks as real /bin/sh scripts: output and environment, exit statuses, the
/// timeout that ends the whole process group, and commands that cannot start.
@Suite struct DeployHookTests {
    /// A temp directory for scripts and the files they write.
    final class Scratch {
        let dir: String

        init() throws {
            dir = "/tmp/mlopsd-tests/hook-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        /// Writes an executable script `name` with `body` after a `#!/bin/sh` line.
        func script(_ name: String, _ body: String) throws -> String {
            let path = dir + "/" + name
            try writeFile(path, Data("#!/bin/sh\n\(body)\n".utf8))
            #expect(chmod(path, 0o755) == 0)
            return path
        }

        /// A hook that runs `script` with /bin/sh (the script file is only read, so a test
        /// spawning at the same moment cannot make its exec fail with ETXTBSY).
        func hook(_ name: String, _ body: String, timeout: Double = 30, grace: Double = 2) throws -> DeployHook {
            DeployHook(argv: ["/bin/sh", try script(name, body)], timeout: timeout, grace: grace)
        }

        /// The pid a script wrote to `name`.
        func pid(in name: String) throws -> pid_t {
            var text = ""
            try waitUntil(timeout: 10, "\(name) to be written") {
                text = (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? ""
                return text.hasSuffix("\n")
            }
            guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestFailure("\(name) holds \(text.debugDescription), not a pid")
            }
            return pid
        }
    }

    /// Whether `pid` is gone: no such process, or a zombie waiting for whoever adopted it.
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test func successfulHookReportsItsOutputItsVariablesAndItsWorkingDirectory() throws {
        let scratch = try Scratch()
        // Executed directly (shebang), not through /bin/sh.
        let path = try scratch.script(
            "deploy.sh",
            """
            echo "deploying $MLOPSD_MODEL $MLOPSD_VERSION"
            echo "path=$PATH"
            echo "pwd=$(pwd)"
            echo "to stderr" >&2
            read line || echo "stdin is empty"
            """
        )
        let outcome = DeployHook(argv: [path], timeout: 30).run(
            environment: ["MLOPSD_MODEL": "churn", "MLOPSD_VERSION": "1.2.0"],
            workingDirectory: scratch.dir
        )
        #expect(outcome.status == .exited(0))
        #expect(outcome.succeeded)
        #expect(outcome.summary == "exited with status 0")
        #expect(
            outcome.output == """
                deploying churn 1.2.0
                path=/usr/local/bin:/usr/bin:/bin
                pwd=\(scratch.dir)
                to stderr
                stdin is empty

                """
        )
        #expect(outcome.duration > 0 && outcome.duration < 30)
    }

    @Test func environmentIsExactlyTheGivenVariablesPlusPATH() throws {
        let scratch = try Scratch()
        let outcome = DeployHook(argv: ["/usr/bin/env"], timeout: 30).run(
            environment: ["A": "1", "B": "two words"],
            workingDirectory: scratch.dir
        )
        #expect(outcome.succeeded)
        #expect(
            Set(outcome.output.split(separator: "\n")) == ["A=1", "B=two words", "PATH=/usr/local/bin:/usr/bin:/bin"]
        )
        // A PATH the caller gives wins.
        let own = DeployHook(argv: ["/usr/bin/env"], timeout: 30).run(
            environment: ["PATH": "/opt/bin"],
            workingDirectory: "/"
        )
        #expect(own.output == "PATH=/opt/bin\n")
    }

    @Test func systemdVariablesAreNotPassedOnEvenWhenTheCallerHandsThemOver() throws {
        let scratch = try Scratch()
        // What a careless caller does: pass the daemon's own environment on, with systemd's
        // variables in it. (Built as a dictionary: setenv() in a test would race with the
        // other tests' threads reading the environment.)
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = "/run/systemd/notify-test-\(getpid())"
        environment["WATCHDOG_USEC"] = "30000000"
        environment["WATCHDOG_PID"] = String(getpid())
        environment["LISTEN_FDS"] = "1"
        environment["MLOPSD_MODEL"] = "churn"

        let outcome = DeployHook(argv: ["/usr/bin/env"], timeout: 30).run(
            environment: environment,
            workingDirectory: scratch.dir
        )
        #expect(outcome.succeeded)
        let names = Set(outcome.output.split(separator: "\n").map { String($0.prefix { $0 != "=" }) })
        #expect(names.contains("MLOPSD_MODEL"))
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS"] {
            #expect(!names.contains(name), "\(name) reached the hook")
        }
    }

    @Test func nonZeroExitIsReportedWithItsStatus() throws {
        let scratch = try Scratch()
        let outcome = try scratch.hook("fail.sh", "echo 'model server refused the reload' >&2\nexit 3").run(
            environment: [:],
            workingDirectory: scratch.dir
        )
        #expect(outcome.status == .exited(3))
        #expect(!outcome.succeeded)
        #expect(outcome.summary == "exited with status 3")
        #expect(outcome.output == "model server refused the reload\n")
    }

    @Test func aHookKilledByASignalIsReportedWithTheSignal() throws {
        let scratch = try Scratch()
        let outcome = try scratch.hook("crash.sh", "kill -9 $$").run(environment: [:], workingDirectory: scratch.dir)
        #expect(outcome.status == .signaled(9))
        #expect(outcome.summary == "killed by signal 9")
    }

    @Test func timeoutEndsTheWholeProcessGroupIncludingABackgroundedGrandchild() throws {
        let scratch = try Scratch()
        let hook = try scratch.hook(
            "slow.sh",
            """
            echo $$ > hook.pid
            sleep 300 &
            echo $! > grandchild.pid
            echo started
            sleep 300
            """,
            timeout: 0.5,
            grace: 5
        )
        let outcome = hook.run(environment: [:], workingDirectory: scratch.dir)
        #expect(outcome.status == .timedOut)
        #expect(outcome.summary == "did not finish within 0.5 s and was killed")
        #expect(outcome.output == "started\n")
        // SIGTERM was enough (sleep does not trap it): no need to wait for the grace.
        #expect(outcome.duration >= 0.5 && outcome.duration < 4, "took \(outcome.duration) s")
        let hookPID = try scratch.pid(in: "hook.pid")
        let grandchild = try scratch.pid(in: "grandchild.pid")
        // The hook itself was reaped by us: not even a zombie is left.
        #expect(kill(hookPID, 0) == -1 && errno == ESRCH)
        try waitUntil(timeout: 10, "the grandchild \(grandchild) to be gone") { Self.isGone(grandchild) }
    }

    @Test func aGroupIgnoringSIGTERMIsKilledAfterTheGrace() throws {
        let scratch = try Scratch()
        // `trap '' TERM` is inherited by the background child: nobody in the group stops
        // on SIGTERM.
        let hook = try scratch.hook(
            "stubborn.sh",
            """
            trap '' TERM
            echo $$ > hook.pid
            sleep 300 &
            echo $! > grandchild.pid
            while :; do sleep 1; done
            """,
            timeout: 0.3,
            grace: 0.7
        )
        let outcome = hook.run(environment: [:], workingDirectory: scratch.dir)
        #expect(outcome.status == .timedOut)
        #expect(outcome.duration >= 1.0 && outcome.duration < 6, "took \(outcome.duration) s")
        let hookPID = try scratch.pid(in: "hook.pid")
        let grandchild = try scratch.pid(in: "grandchild.pid")
        #expect(kill(hookPID, 0) == -1 && errno == ESRCH)
        try waitUntil(timeout: 10, "the grandchild \(grandchild) to be gone") { Self.isGone(grandchild) }
    }

    @Test func aBackgroundProcessHoldingTheOutputPipeDoesNotHoldTheHookUp() throws {
        let scratch = try Scratch()
        let hook = try scratch.hook(
            "leaves-child.sh",
            """
            sleep 30 &
            echo $! > grandchild.pid
            echo done
            """
        )
        let outcome = hook.run(environment: [:], workingDirectory: scratch.dir)
        let grandchild = try scratch.pid(in: "grandchild.pid")
        defer { kill(grandchild, SIGKILL) }
        #expect(outcome.status == .exited(0))
        #expect(outcome.output == "done\n")
        #expect(outcome.duration < DeployHook.drainAfterExit + 2, "took \(outcome.duration) s")
    }

    @Test func outputKeepsItsLast64KiBWithANote() throws {
        let scratch = try Scratch()
        // About 190 KiB of numbered lines, then a last line.
        let hook = try scratch.hook("chatty.sh", "seq 1 30000 | sed 's/$/ lorem ipsum/'\necho END")
        let outcome = hook.run(environment: [:], workingDirectory: scratch.dir)
        #expect(outcome.succeeded)
        #expect(outcome.output.utf8.count <= DeployHook.outputLimit)
        #expect(outcome.output.utf8.count > DeployHook.outputLimit - 100)
        #expect(outcome.output.hasPrefix("[earlier output dropped]\n"))
        #expect(outcome.output.hasSuffix("29999 lorem ipsum\n30000 lorem ipsum\nEND\n"))
    }

    @Test func aMissingExecutableCouldNotStart() throws {
        let scratch = try Scratch()
        let outcome = DeployHook(argv: [scratch.dir + "/absent"], timeout: 5).run(
            environment: [:],
            workingDirectory: scratch.dir
        )
        #expect(outcome.status == .couldNotStart("\(scratch.dir)/absent: No such file or directory"))
        #expect(outcome.summary == "could not start \(scratch.dir)/absent: No such file or directory")
        #expect(!outcome.succeeded)
    }

    @Test func aFileWithoutExecutePermissionCouldNotStart() throws {
        let scratch = try Scratch()
        let path = try scratch.script("not-executable.sh", "exit 0")
        #expect(chmod(path, 0o644) == 0)
        let outcome = DeployHook(argv: [path], timeout: 5).run(environment: [:], workingDirectory: scratch.dir)
        #expect(outcome.status == .couldNotStart("\(path): Permission denied"))
    }

    @Test func aRelativeOrEmptyCommandIsRefusedWithoutASearch() throws {
        let scratch = try Scratch()
        _ = try scratch.script("deploy.sh", "exit 0")
        // Even with the script in the working directory and PATH, a relative name is refused.
        let relative = DeployHook(argv: ["deploy.sh"], timeout: 5).run(
            environment: ["PATH": scratch.dir],
            workingDirectory: scratch.dir
        )
        guard case .couldNotStart(let reason) = relative.status else {
            Issue.record("expected couldNotStart, got \(relative.status)")
            return
        }
        #expect(reason.hasPrefix("deploy.sh: the command must be an absolute path"))
        let empty = DeployHook(argv: [], timeout: 5).run(environment: [:], workingDirectory: scratch.dir)
        #expect(empty.summary.hasPrefix("could not start the hook: its command is empty"))
    }

    @Test func aMissingWorkingDirectoryIsNamedAsTheReason() throws {
        let scratch = try Scratch()
        let outcome = DeployHook(argv: ["/bin/true"], timeout: 5).run(
            environment: [:],
            workingDirectory: scratch.dir + "/gone"
        )
        #expect(outcome.status == .couldNotStart("/bin/true in \(scratch.dir)/gone: No such file or directory"))
    }

    @Test func theHookRunsInItsOwnProcessGroupWithNoSignalBlockedOrIgnored() throws {
        let scratch = try Scratch()
        // Programs executed directly, reading their own /proc entries (a shell's $$ would
        // show the shell's mask while it waits, not what it was started with). This test
        // runs in a task, where our own thread may well have signals blocked.
        let signals = DeployHook(argv: ["/bin/grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status"], timeout: 30)
            .run(environment: [:], workingDirectory: scratch.dir)
        var masks: [String: UInt64] = [:]
        for line in signals.output.split(separator: "\n") {
            let pair = line.split(separator: "\t")
            if pair.count == 2, let value = UInt64(pair[1], radix: 16) { masks[String(pair[0])] = value }
        }
        #expect(masks["SigBlk:"] == 0, "\(signals.output)")
        // Signals 1–31 at their defaults. glibc's posix_spawn leaves its two internal
        // signals (32 and 33, which sigfillset leaves out) ignored, whatever we ask.
        #expect(masks["SigIgn:"].map { $0 & 0x7FFF_FFFF } == 0, "\(signals.output)")
        let stat = DeployHook(argv: ["/bin/cat", "/proc/self/stat"], timeout: 30).run(
            environment: [:],
            workingDirectory: scratch.dir
        )
        // pid (comm) state ppid pgrp …
        let fields = stat.output.split(separator: " ")
        #expect(fields.count > 5)
        #expect(fields.count > 5 && fields[0] == fields[4], "pid \(fields.first ?? "") is not its group's leader")
        #expect(fields.count > 5 && fields[4] != Substring(String(getpgrp())))
    }

    @Test func noDescriptorOfOursBeyondTheStandardThreeReachesTheHook() throws {
        let scratch = try Scratch()
        // A descriptor without FD_CLOEXEC, as a careless library might leave one, at a
        // number nothing else uses.
        let dir = open(scratch.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(dir >= 0)
        let leaky: Int32 = 777
        #expect(dup2(dir, leaky) == leaky)
        close(dir)
        defer { close(leaky) }
        let outcome = DeployHook(argv: ["/bin/ls", "/proc/self/fd"], timeout: 30).run(
            environment: [:],
            workingDirectory: scratch.dir
        )
        #expect(outcome.succeeded)
        let fds = outcome.output.split(separator: "\n").compactMap { Int32($0) }
        #expect(fds.contains(1))
        #expect(!fds.contains(leaky), "inherited \(fds)")
    }
}
