import Foundation
import Glibc
import Synchronization

/// A real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET. A background
/// thread reads it continuously, as systemd does, so the daemon never finds it full.
final class NotifyListener: Sendable {
    let path: String
    private let fd: Int32
    private let messages = Mutex<[String]>([])
    private let running = Atomic<Bool>(true)

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw TestFailure("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let fd = self.fd
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else { throw TestFailure("bind \(path): \(String(cString: strerror(errno)))") }
        let thread = Thread { [self] in self.readLoop() }
        thread.start()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while running.load(ordering: .relaxed) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                messages.withLock { $0.append(text) }
            }
        }
        Glibc.close(fd)
    }

    /// Stops the reader thread (which then closes the socket).
    func close() {
        running.store(false, ordering: .relaxed)
    }

    /// Every datagram received so far.
    var received: [String] { messages.withLock { $0 } }

    /// The datagrams received so far that contain `line` as one of their lines.
    func messages(with line: String) -> [String] {
        received.filter { $0.split(separator: "\n").contains(Substring(line)) }
    }

    /// Waits until at least `count` datagrams containing `line` have arrived; returns the last.
    @discardableResult
    func waitFor(_ line: String, count: Int = 1, timeout: Double) throws -> String {
        var last: String?
        do {
            try waitUntil(timeout: timeout, "\(line) (#\(count)) on the notify socket") {
                let hits = messages(with: line)
                last = hits.last
                return hits.count >= count
            }
        } catch {
            throw TestFailure("\(error); got \(received.suffix(5))")
        }
        return last ?? ""
    }
}
