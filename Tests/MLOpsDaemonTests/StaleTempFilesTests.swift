import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The temp files of writes a `kill -9` cut short are removed at start-up, and nothing else
/// is (docs/spool.md (Start-up cleanup)).
@Suite(.serialized) struct StaleTempFilesTests {
    /// The pid of a process that has exited (spawned and reaped here).
    static func deadPID() throws -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { for arg in argv { free(arg) } }
        guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { throw TestFailure("spawn") }
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { throw TestFailure("waitpid") }
        return pid
    }

    /// Writes `path` with a modification time an hour ago.
    static func plant(_ path: String) throws {
        try writeFile(path, Data("partial".utf8))
        var times = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        guard utimes(path, &times) == 0 else { throw TestFailure("utimes \(path)") }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    @Test func startUpRemovesTheDaemonsCutTempFilesAndKeepsEverythingElse() throws {
        let d = try DaemonHarness()
        for sub in Spool.subdirectories { try DirectoryHandle.makeDirectories(d.spool + "/" + sub) }
        let dead = try Self.deadPID()
        let live = getpid()
        let removed = [
            "\(d.spool)/results/.job-1.json.\(dead).tmp",
            "\(d.spool)/alerts/.a-1.json.\(dead).tmp",
            "\(d.spool)/reports/.m.2026.html.\(dead).tmp",
            "\(d.spool)/.status.json.\(dead).tmp",
            "\(d.root)/.mlopsd.prom.\(dead).tmp",  // the metrics file's temp, beside it
        ]
        let kept = [
            "\(d.spool)/results/.job-2.json.\(live).tmp",  // its writer is alive
            "\(d.spool)/results/.job-3.json.tmp",  // not the pattern
            "\(d.spool)/.other.\(dead).tmp",  // the spool root: only status.json's
            "\(d.root)/.node.prom.\(dead).tmp",  // another exporter's, beside the metrics file
            "\(d.spool)/tmp/.job.yaml.tmp",  // a submitter's job being written
            "\(d.spool)/tmp/.job-4.\(dead).tmp",  // a killed mlopsctl submit's: not ours
        ]
        for path in removed + kept { try Self.plant(path) }
        try d.start()
        for path in removed { #expect(!Self.exists(path), "\(path) should be removed") }
        for path in kept { #expect(Self.exists(path), "\(path) should stay") }
        d.cleanUp()
    }

    @Test func theSweepCountsWhatItRemovedAndSparesFilesWrittenSinceTheStart() throws {
        let root = "/tmp/mlopsd-tests/sweep-\(UInt32.random(in: 0...UInt32.max))"
        try DirectoryHandle.makeDirectories(root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dead = try Self.deadPID()
        try Self.plant("\(root)/.a.json.\(dead).tmp")
        try Self.plant("\(root)/.b.json.\(dead).tmp")
        let startedAt = Date().addingTimeInterval(-60)
        try writeFile("\(root)/.c.json.\(dead).tmp", Data())  // written after the start
        let place = StaleTempFiles.Place(directory: try DirectoryHandle(path: root), targets: nil)
        #expect(StaleTempFiles.remove(from: [place], startedAt: startedAt) == 2)
        #expect(Self.exists("\(root)/.c.json.\(dead).tmp"))
        #expect(StaleTempFiles.remove(from: [place], startedAt: startedAt) == 0)
    }

    @Test func aTempFileLeftByAKilledDaemonWritingResultsIsGoneAfterTheRestart() throws {
        let d = try DaemonHarness()
        try d.start()
        var caught = false
        var dropped = 0
        for round in 0..<20 where !caught {
            let before = d.names(in: "results").count
            for i in 0..<200 { try d.drop("r\(round)-\(i).yaml", "kind: list-alerts\n") }
            dropped += 200
            try waitUntil(timeout: 30, "results being written") { d.names(in: "results").count > before + 20 }
            try d.kill9()
            let temps = (try? FileManager.default.contentsOfDirectory(atPath: d.spool + "/results")) ?? []
            caught = temps.contains { TempFileName.parse($0) != nil }
            try d.start()
        }
        #expect(caught, "no kill -9 landed inside a result write in 20 rounds")
        try waitUntil(timeout: 60, "every job's result") { d.names(in: "results").count == dropped }
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: d.spool + "/results")) ?? [])
            .filter { TempFileName.parse($0) != nil }
        #expect(left.isEmpty, "\(left)")
        d.cleanUp()
    }
}
