import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The real `mlopsd` under the signals systemd sends: SIGHUP reloads, SIGTERM stops.
@Suite(.serialized) struct DaemonLifecycleTests {
    /// A job whose file is `size` bytes long (padded with a comment).
    static func sizedJob(_ model: String, bytes size: Int) -> String {
        let base = Jobs.registerModel(model)
        return base + "#" + String(repeating: "x", count: max(0, size - base.utf8.count - 2)) + "\n"
    }

    @Test func sighupWithABrokenConfigKeepsTheOldConfigInForce() throws {
        let d = try DaemonHarness(config: "max_job_bytes: 2000")
        try d.start()
        try d.writeConfig("max_job_bytes: 2000\nspol_dir: /nowhere\n")
        let reloads = d.notify.messages(with: "RELOADING=1").count
        let readies = d.notify.messages(with: "READY=1").count
        d.process?.signal(SIGHUP)
        try d.notify.waitFor("RELOADING=1", count: reloads + 1, timeout: 10)
        try d.notify.waitFor("READY=1", count: readies + 1, timeout: 10)
        // Still the old limit (2000), and still serving.
        try d.drop("big.yaml", Self.sizedJob("big", bytes: 3000))
        let big = try d.waitForResult("big")
        #expect(big.error?.code == "too_large")
        #expect(big.error?.message.contains("2000") == true)
        try d.drop("small.yaml", Jobs.registerModel("small"))
        #expect(try d.waitForResult("small").status == .succeeded)
        if JournalHarness.journaldAvailable {
            let entries = JournalHarness.journalEntries(
                matching: ["MLOPSD_EVENT": "config_reload_refused", "_PID": "\(d.process?.pid ?? 0)"],
                deadline: .now + .seconds(10)
            )
            #expect(entries.count == 1)
            #expect(entries.first?["PRIORITY"] == "3")
            #expect(entries.first?["MESSAGE"]?.contains("spol_dir") == true)
            #expect(entries.first?["MESSAGE_ID"] == MLOpsDaemon.LogEvent.configReloadRefused.messageID)
        }
        d.cleanUp()
    }

    @Test func sighupWithAValidConfigPutsItInForce() throws {
        let d = try DaemonHarness(config: "max_job_bytes: 2000")
        try d.start()
        try d.writeConfig("max_job_bytes: 8000")
        let readies = d.notify.messages(with: "READY=1").count
        d.process?.signal(SIGHUP)
        try d.notify.waitFor("READY=1", count: readies + 1, timeout: 10)
        try d.drop("mid.yaml", Self.sizedJob("mid", bytes: 3000))
        #expect(try d.waitForResult("mid").status == .succeeded)
        d.cleanUp()
    }

    @Test func sigtermSendsStoppingAndExitsZero() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("one.yaml", Jobs.registerModel("one"))
        _ = try d.waitForResult("one")
        let status = try d.stop()
        #expect(status & 0x7f == 0, "killed by signal \(status & 0x7f)")
        #expect((status >> 8) & 0xff == 0)
        #expect(!d.notify.messages(with: "STOPPING=1").isEmpty)
        d.cleanUp()
    }

    @Test func aBrokenConfigAtStartIsRefusedWithExitCode78AndAClearMessage() throws {
        let d = try DaemonHarness()
        try d.writeConfig("max_attempts: many\n")
        try d.start(waitReady: false)
        let status = try d.process?.waitForExit(timeout: 30) ?? -1
        #expect((status >> 8) & 0xff == 78)
        let stderr = d.process?.stderrText ?? ""
        #expect(stderr.contains("max_attempts"))
        #expect(stderr.contains("mlopsd.yaml:5:15:"), "the message names line and column: \(stderr)")
        d.cleanUp()
    }

    @Test func watchdogPingsArriveFromTheWorkLoopWhenWatchdogIsSet() throws {
        let d = try DaemonHarness()
        d.extraEnvironment = ["WATCHDOG_USEC": "400000"]
        try d.start()
        // Half the interval: several pings within a couple of seconds, while jobs are served.
        try d.drop("w.yaml", Jobs.registerModel("w"))
        _ = try d.waitForResult("w")
        try d.notify.waitFor("WATCHDOG=1", count: 4, timeout: 10)
        d.cleanUp()
    }

    @Test func noWatchdogPingsWithoutWatchdogUsec() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("n.yaml", Jobs.registerModel("n"))
        _ = try d.waitForResult("n")
        #expect(d.notify.messages(with: "WATCHDOG=1").isEmpty)
        d.cleanUp()
    }
}

/// The daemon's journal entries for a job, read back with journalctl from a real journald.
@Suite(.serialized, .enabled(if: JournalHarness.journaldAvailable, "needs a running systemd-journald"))
struct DaemonJournalTests {
    @Test func aJobsEntriesCarryItsIDPriorityAndMessageID() throws {
        let d = try DaemonHarness()
        try d.start()
        let id = "journal-\(UInt32.random(in: 0...UInt32.max))"
        try d.drop("\(id).yaml", Jobs.registerModel("journalled"))
        _ = try d.waitForResult(id)
        let ok = JournalHarness.journalEntries(matching: ["MLOPSD_JOB": id], deadline: .now + .seconds(10))
        #expect(ok.count == 1)
        #expect(ok.first?["PRIORITY"] == "6")
        #expect(ok.first?["MESSAGE_ID"] == MLOpsDaemon.LogEvent.jobSucceeded.messageID)
        #expect(ok.first?["SYSLOG_IDENTIFIER"] == "mlopsd")
        #expect(ok.first?["MLOPSD_MODEL"] == "journalled")

        let bad = "journal-bad-\(UInt32.random(in: 0...UInt32.max))"
        try d.drop("\(bad).yaml", "kind: register-model\nmodel: m\nparams: [\n")
        _ = try d.waitForResult(bad)
        let rejected = JournalHarness.journalEntries(matching: ["MLOPSD_JOB": bad], deadline: .now + .seconds(10))
        #expect(rejected.count == 1)
        #expect(rejected.first?["PRIORITY"] == "4")
        #expect(rejected.first?["MESSAGE_ID"] == MLOpsDaemon.LogEvent.jobRejected.messageID)
        #expect(rejected.first?["MLOPSD_ERROR_CODE"] == "yaml_syntax")
        d.cleanUp()
    }
}

/// Retention: old files in done/, failed/ and results/ go; recent ones and the store stay.
@Suite(.serialized) struct SpoolPruningTests {
    @Test func filesOlderThanTheirRetentionArePrunedAndRecentOnesKept() throws {
        let d = try DaemonHarness(
            config: "prune_interval: 1\ndone_retention_days: 1\nfailed_retention_days: 2\nresults_retention_days: 3"
        )
        try d.start()
        try d.drop("fresh.yaml", Jobs.registerModel("fresh"))
        _ = try d.waitForResult("fresh")
        let day = 86_400.0
        func plant(_ sub: String, _ name: String, ageDays: Double) throws {
            let path = "\(d.spool)/\(sub)/\(name)"
            try writeFile(path, Data("old".utf8))
            let when = Date().timeIntervalSince1970 - ageDays * day
            var times = [timespec(tv_sec: Int(when), tv_nsec: 0), timespec(tv_sec: Int(when), tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        try plant("done", "old-done.yaml", ageDays: 1.5)
        try plant("failed", "young-failed.yaml", ageDays: 1.5)  // kept: failed keeps 2 days
        try plant("failed", "old-failed.yaml", ageDays: 2.5)
        try plant("results", "old.json", ageDays: 3.5)
        try plant("results", "young.json", ageDays: 2.5)
        // Reports age like results.
        try plant("reports", "m.20261101T000000.000Z.html", ageDays: 3.5)
        try plant("reports", "m.20261102T000000.000Z.html", ageDays: 2.5)
        try waitUntil(timeout: 90, "old files pruned") {
            !d.names(in: "done").contains("old-done.yaml") && !d.names(in: "failed").contains("old-failed.yaml")
                && !d.names(in: "results").contains("old.json")
                && !d.names(in: "reports").contains("m.20261101T000000.000Z.html")
        }
        #expect(d.names(in: "reports").contains("m.20261102T000000.000Z.html"))
        #expect(d.names(in: "failed").contains("young-failed.yaml"))
        #expect(d.names(in: "results").contains("young.json"))
        #expect(d.names(in: "results").contains("fresh.json"))
        #expect(d.names(in: "done").contains("fresh.yaml"))
        d.cleanUp()
    }
}

/// A store that fails its check is refused at start, loudly, and nothing is overwritten.
@Suite struct StoreStartupTests {
    @Test func aCorruptStateDatabaseIsRefusedAtStartWithExitCode74() throws {
        let d = try DaemonHarness()
        try FileManager.default.createDirectory(atPath: d.state, withIntermediateDirectories: true)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try writeFile(d.state + "/mlopsd.sqlite", garbage)
        try d.start(waitReady: false)
        let status = try d.process?.waitForExit(timeout: 30) ?? -1
        #expect((status >> 8) & 0xff == 74)
        #expect(d.process?.stderrText.contains("mlopsd.sqlite") == true)
        #expect(FileManager.default.contents(atPath: d.state + "/mlopsd.sqlite") == garbage)
        d.cleanUp()
    }
}
