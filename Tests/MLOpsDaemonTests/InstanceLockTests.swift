import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// One daemon per spool and per state directory: a second one refuses to start (exit 75,
/// a message naming the directory) and the first keeps working; a `kill -9` leaves no
/// stale lock behind.
@Suite struct InstanceLockTests {
    /// Starts a second `mlopsd` on `config` and returns its raw wait status and stderr.
    static func startSecond(config: String, logPrefix: String) throws -> (status: Int32, stderr: String) {
        let env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("NOTIFY_") && !$0.key.hasPrefix("WATCHDOG_")
        }
        let second = try ChildProcess(
            DaemonHarness.binDirectory + "/mlopsd",
            ["--config", config],
            environment: env,
            logPrefix: logPrefix
        )
        let status = try second.waitForExit(timeout: 30)
        return (status, second.stderrText)
    }

    @Test func aSecondDaemonOnTheSameSpoolExitsWith75AndTheFirstKeepsWorking() throws {
        let d = try DaemonHarness()
        try d.writeConfig("")
        try d.start()
        let (status, stderr) = try Self.startSecond(config: d.configPath, logPrefix: d.root + "/second")
        #expect(status & 0x7f == 0, "the second daemon was killed by signal \(status & 0x7f)")
        #expect((status >> 8) & 0xff == 75, "exit status \((status >> 8) & 0xff), stderr: \(stderr)")
        #expect(stderr.contains("already running on the spool \(d.spool)"), "\(stderr)")
        // The first one still owns the spool and answers.
        try d.drop("after.yaml", Jobs.registerModel("lock-model", id: "after"))
        #expect(try d.waitForResult("after").status == .succeeded)
        d.cleanUp()
    }

    @Test func aSecondDaemonOnTheSameStateDirectoryWithAnotherSpoolIsRefusedToo() throws {
        let d = try DaemonHarness()
        try d.writeConfig("")
        try d.start()
        let config = try String(contentsOfFile: d.configPath, encoding: .utf8)
            .replacingOccurrences(of: "spool_dir: \(d.spool)", with: "spool_dir: \(d.root)/other-spool")
        let otherConfig = d.root + "/other.yaml"
        try config.write(toFile: otherConfig, atomically: true, encoding: .utf8)
        let (status, stderr) = try Self.startSecond(config: otherConfig, logPrefix: d.root + "/second")
        #expect((status >> 8) & 0xff == 75, "exit status \((status >> 8) & 0xff), stderr: \(stderr)")
        #expect(stderr.contains("already running on the state directory \(d.state)"), "\(stderr)")
        d.cleanUp()
    }

    @Test func killNineLeavesNoStaleLockAndTheRestartServes() throws {
        let d = try DaemonHarness()
        try d.writeConfig("")
        try d.start()
        try d.kill9()
        try d.start()
        try d.drop("restarted.yaml", Jobs.registerModel("lock-model", id: "restarted"))
        #expect(try d.waitForResult("restarted").status == .succeeded)
        d.cleanUp()
    }

    @Test func theLockConflictsWithinOneProcessAndIsReleasedWithItsOwner() throws {
        let base = "/tmp/mlopsd-tests/instance-lock-\(getpid())"
        try FileManager.default.createDirectory(atPath: base + "/spool", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        var first: InstanceLock? = try InstanceLock(spoolDir: base + "/spool", stateDir: base + "/state")
        #expect(first != nil)
        #expect(throws: InstanceLock.LockError.self) {
            _ = try InstanceLock(spoolDir: base + "/spool", stateDir: base + "/state")
        }
        first = nil
        _ = try InstanceLock(spoolDir: base + "/spool", stateDir: base + "/state")
    }
}
