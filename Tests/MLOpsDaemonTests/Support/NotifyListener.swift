import Foundation
import Glibc

/// A real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET.
final class NotifyListener: @unchecked Sendable {
    // @unchecked Sendable: `fd` and `path` are immutable; `received` is only used by the
    // one test that owns the listener.
    let path: String
    private let fd: Int32
    private(set) var received: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw TestFailure("bind \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Waits until a datagram containing `line` (one of its lines) has arrived.
    func waitFor(_ line: String, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let hit = received.first(where: { $0.split(separator: "\n").contains(Substring(line)) }) { return hit }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw TestFailure("no \(line) on the notify socket within \(timeout) s; got \(received)") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(min(remaining, 1) * 1000)) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { received.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
        }
    }
}
