import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

@testable import MLOpsClient
@testable import MLOpsDaemon

/// Real inotify on a real directory: what the engine hears, and how raw events are parsed.
@Suite struct DirectoryWatcherTests {
    final class Collector: Sendable {
        let events = Mutex<[DirectoryWatcher.Event]>([])
    }

    @Test func renamesAndClosedWritesAreReportedAsFinishedFilesAndCreatesAsCreated() throws {
        let dir = "/tmp/mlopsd-tests/watch-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let collector = Collector()
        let watcher = try DirectoryWatcher(path: dir, queue: DispatchQueue(label: "test"), creations: true) { events in
            collector.events.withLock { $0.append(contentsOf: events) }
        }
        defer { watcher.cancel() }
        try writeFile("/tmp/mlopsd-tests/.outside-\(getpid())", Data("x".utf8))
        #expect(rename("/tmp/mlopsd-tests/.outside-\(getpid())", dir + "/moved.yaml") == 0)
        try writeFile(dir + "/inplace.yaml", Data("y".utf8))
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        try waitUntil(timeout: 10, "inotify events") {
            let seen = collector.events.withLock { $0 }
            return seen.contains(.file("moved.yaml")) && seen.contains(.file("inplace.yaml"))
                && seen.contains(.created("fifo"))
        }
        let seen = collector.events.withLock { $0 }
        #expect(seen.contains(.created("inplace.yaml")))
        #expect(!seen.contains(.created("moved.yaml")))
    }

    @Test func aQueueOverflowEventIsReportedAsOverflow() throws {
        // Raw inotify records in a pipe, parsed by the same code that reads the inotify fd.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        func record(mask: UInt32, name: String?) -> [UInt8] {
            var event = inotify_event()
            event.wd = name == nil ? -1 : 1
            event.mask = mask
            var nameBytes: [UInt8] = []
            if let name { nameBytes = Array(name.utf8) + [0] }
            while nameBytes.count % 16 != 0 { nameBytes.append(0) }
            event.len = UInt32(nameBytes.count)
            return withUnsafeBytes(of: event) { Array($0) } + nameBytes
        }
        let bytes =
            record(mask: UInt32(IN_MOVED_TO), name: "a.yaml") + record(mask: UInt32(IN_Q_OVERFLOW), name: nil)
            + record(mask: UInt32(IN_CLOSE_WRITE), name: "b.yaml")
        #expect(write(fds[1], bytes, bytes.count) == bytes.count)
        close(fds[1])
        let flags = fcntl(fds[0], F_GETFL)
        _ = fcntl(fds[0], F_SETFL, flags | O_NONBLOCK)
        #expect(DirectoryWatcher.drain(fd: fds[0]) == [.file("a.yaml"), .overflow, .file("b.yaml")])
    }
}
