import CPosix
import Foundation
import GRDB
import Glibc
import Logging
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Single behaviours of the hostile-submitter corpus (docs/reliability.md (Hostile submitters)), pinned
/// on real files, real inotify and a real SQLite store; the whole corpus runs against the
/// installed daemon in scripts/e2e/hostile.sh.
@Suite struct HostileSubmitterTests {
    final class Scratch {
        let root: String
        init() throws {
            root = "/tmp/mlopsd-tests/hostile-\(UInt32.random(in: 0...UInt32.max))"
            try DirectoryHandle.makeDirectories(root)
        }
        func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws {
            try writeFile(root + "/" + name, Data(text.utf8))
            chmod(root + "/" + name, mode)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    /// Real inotify on one path: the events it saw (IN_OPEN, IN_ACCESS, IN_MODIFY, IN_ATTRIB).
    final class Watch {
        let fd: Int32
        init(_ path: String) throws {
            fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            try #require(fd >= 0)
            try #require(inotify_add_watch(fd, path, UInt32(IN_OPEN | IN_ACCESS | IN_MODIFY | IN_ATTRIB)) >= 0)
        }
        /// How many events arrived so far.
        func events() -> Int {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var count = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return count }
                var offset = 0
                while offset < n {
                    let length = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) }
                    offset += 16 + Int(length)
                    count += 1
                }
            }
        }
        deinit { close(fd) }
    }

    static let job = "kind: list-alerts\nid: h\n"

    @Test func aJobFileStillOpenForWritingAtTheReadIsRefused() throws {
        let s = try Scratch()
        try s.write("w.yaml", Self.job)
        let writer = open(s.root + "/w.yaml", O_WRONLY | O_APPEND)
        try #require(writer >= 0)
        defer { close(writer) }
        let file = JobFile.read("w.yaml", in: try DirectoryHandle(path: s.root), maxBytes: 1 << 20)
        #expect(file.text == nil)
        #expect(file.problem?.code == .unreadable)
        #expect(file.problem?.message.contains("still open for writing") == true)
        #expect(file.problem?.fix != nil)
    }

    @Test func aJobFileNobodyHasOpenIsReadWhole() throws {
        let s = try Scratch()
        try s.write("ok.yaml", Self.job)
        let file = JobFile.read("ok.yaml", in: try DirectoryHandle(path: s.root), maxBytes: 1 << 20)
        #expect(file.problem == nil)
        #expect(file.text == Self.job)
    }

    @Test func aHardLinkedJobFileIsClaimedAndRefusedWithoutBeingOpened() throws {
        let s = try Scratch()
        let spool = try Spool(root: s.root + "/spool")
        try s.write("spool/tmp/victim.yaml", Self.job, mode: 0o600)
        try #require(link(s.root + "/spool/tmp/victim.yaml", s.root + "/spool/incoming/link.yaml") == 0)
        let watch = try Watch(s.root + "/spool/tmp/victim.yaml")
        #expect(spool.readiness(of: "link.yaml", closedOrMoved: false, settle: 3600) == .ready)
        let file = JobFile.read("link.yaml", in: spool.incoming, maxBytes: 1 << 20)
        #expect(file.problem?.code == .hardLink)
        #expect(file.text == nil)
        #expect(watch.events() == 0, "the daemon opened the linked file")
    }

    @Test func aFIFOOrADirectoryIsRefusedWithoutBlocking() throws {
        let s = try Scratch()
        try #require(mkfifo(s.root + "/fifo.yaml", 0o644) == 0)
        try #require(mkdir(s.root + "/dir.yaml", 0o755) == 0)
        let directory = try DirectoryHandle(path: s.root)
        #expect(JobFile.read("fifo.yaml", in: directory, maxBytes: 1 << 20).problem?.code == .notRegularFile)
        #expect(JobFile.read("dir.yaml", in: directory, maxBytes: 1 << 20).problem?.code == .notRegularFile)
    }

    @Test func statesDifferingInSizeOrTimesAreNotTheSameContent() throws {
        let s = try Scratch()
        try s.write("c.yaml", Self.job)
        var before = stat()
        var after = stat()
        try #require(stat(s.root + "/c.yaml", &before) == 0)
        #expect(JobFile.sameContentState(before, before))
        let fd = open(s.root + "/c.yaml", O_WRONLY | O_APPEND)
        try #require(fd >= 0)
        _ = write(fd, "x", 1)
        close(fd)
        try #require(stat(s.root + "/c.yaml", &after) == 0)
        #expect(!JobFile.sameContentState(before, after))
    }

    @Test func aDataFileReachedThroughALinkedDirectoryIsRefused() throws {
        let s = try Scratch()
        try DirectoryHandle.makeDirectories(s.root + "/outside")
        try s.write("outside/secret.csv", "id,label\n1,x\n")
        // The path was resolved (no links) and checked; then the submitter swapped a
        // directory of it for a link.
        try #require(symlink(s.root + "/outside", s.root + "/swapped") == 0)
        #expect(throws: JobError.self) {
            try RegistryFiles.read(s.root + "/swapped/secret.csv", limit: 1 << 20, linkFree: true)
        }
        do {
            _ = try RegistryFiles.read(s.root + "/swapped/secret.csv", limit: 1 << 20, linkFree: true)
        } catch {
            #expect(error.code == .badArtifact)
            #expect(error.message.contains("symbolic link"))
        }
        // The real path is read.
        #expect(
            try RegistryFiles.read(s.root + "/outside/secret.csv", limit: 1 << 20, linkFree: true)
                == Data("id,label\n1,x\n".utf8)
        )
    }

    @Test func aFIFONamedAsADataFileIsRefusedWithoutBlocking() throws {
        let s = try Scratch()
        try #require(mkfifo(s.root + "/p.csv", 0o644) == 0)
        let started = Date()
        #expect(throws: JobError.self) { try RegistryFiles.read(s.root + "/p.csv", limit: 1 << 20, linkFree: true) }
        #expect(Date().timeIntervalSince(started) < 5)
        let result = BuiltinStages.copyData(
            source: s.root + "/p.csv",
            roots: [s.root],
            output: s.root + "/out",
            holdoutShare: 0,
            seed: 1,
            maxColumns: 10_000,
            maxBytes: 1 << 20
        )
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.outcome == .failed)
        #expect(result.error?.message.contains("not a regular file") == true)
    }

    @Test func aSubmitterMayOnlyHaveTheDaemonReadWhatTheyCouldRead() throws {
        let s = try Scratch()
        let nobody: UInt32 = 65534
        try DirectoryHandle.makeDirectories(s.root + "/closed")
        try s.write("closed/data.csv", "id,label\n", mode: 0o644)
        try s.write("private.csv", "id,label\n", mode: 0o600)
        try s.write("public.csv", "id,label\n", mode: 0o644)
        chmod(s.root, 0o755)
        chmod(s.root + "/closed", 0o700)
        let owner = getuid()
        #expect(throws: Never.self) { try SubmitterAccess.check(s.root + "/public.csv", uid: nobody, what: "file") }
        #expect(throws: Never.self) {
            try SubmitterAccess.check(s.root + "/private.csv", uid: owner == 0 ? nil : owner, what: "file")
        }
        do {
            try SubmitterAccess.check(s.root + "/private.csv", uid: nobody, what: "file")
            Issue.record("nobody may not read a 0600 file of another user")
        } catch {
            #expect(error.code == .badArtifact)
            #expect(error.message.contains("may not read it"))
        }
        do {
            try SubmitterAccess.check(s.root + "/closed/data.csv", uid: nobody, what: "file")
            Issue.record("nobody may not enter a 0700 directory of another user")
        } catch {
            #expect(error.message.contains("may not enter \(s.root)/closed"))
        }
    }

    /// The store's record of an id names its submitter: another uid's rejected result
    /// is not replaced (the file is chowned, so this needs root).
    @Test(.enabled(if: getuid() == 0)) func anotherSubmitterCannotReplaceARejectedResult() throws {
        let root = "/tmp/mlopsd-tests/hostile-ids-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spool = try Spool(root: root + "/spool")
        try DirectoryHandle.makeDirectories(root + "/state")
        let store = try Store(path: root + "/state/mlopsd.sqlite")
        let config = try DaemonConfig.parse(text: "", sourceName: "test", environment: [:], workingDirectory: root)
        let processor = JobProcessor(
            spool: spool,
            store: store,
            handlers: HandlerRegistry([Kinds.ListAlerts.self]),
            logger: Logger(label: "test")
        )
        func claim(_ name: String, _ text: String, uid: uid_t) throws {
            try writeClaimedJob(root + "/spool/active/" + name, Data(text.utf8))
            try #require(chown(root + "/spool/active/" + name, uid, 0) == 0)
        }
        // Bob (uid 4242) is rejected; alice (4343) tries the same id; then bob fixes his.
        try claim("bob.yaml", "kind: list-alerts\nid: shared\nparams: {nonsense: 1}\n", uid: 4242)
        #expect(try processor.process(["bob.yaml"], config: config).map(\.status) == [.rejected])
        let bobs = try #require(FileManager.default.contents(atPath: root + "/spool/results/shared.json"))
        try claim("alice.yaml", "kind: list-alerts\nid: shared\n", uid: 4343)
        let alice = try processor.process(["alice.yaml"], config: config)
        #expect(alice.map(\.status) == [.rejected])
        #expect(alice.first?.error?.code == .duplicateID)
        #expect(alice.first?.resultName.hasPrefix("shared+") == true)
        #expect(FileManager.default.contents(atPath: root + "/spool/results/shared.json") == bobs)
        try claim("bob2.yaml", "kind: list-alerts\nid: shared\n", uid: 4242)
        #expect(try processor.process(["bob2.yaml"], config: config).map(\.status) == [.succeeded])
        let replaced = try ResultDocument.decode(
            try #require(FileManager.default.contents(atPath: root + "/spool/results/shared.json"))
        )
        #expect(replaced.status == .succeeded)
        #expect(replaced.submittedBy == UserName.of(uid: 4242))
    }
}
