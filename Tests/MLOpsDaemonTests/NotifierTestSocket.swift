import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A bound `AF_UNIX` datagram socket playing systemd's side of `NOTIFY_SOCKET` in tests.
///
/// Receives wait at most `timeout` (SO_RCVTIMEO), so a missing datagram fails the test
/// after a deadline instead of hanging it.
final class NotifierTestSocket {
    /// The value to put in `NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace).
    let notifySocket: String
    private let descriptor: Int32
    private let directory: URL?

    /// Binds a socket in a fresh temporary directory, or in the abstract namespace.
    init(abstract: Bool = false, timeout: Duration = .seconds(5)) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        descriptor = fd

        var nameBytes: [UInt8]
        if abstract {
            let name = "mlopsd-test-\(UUID().uuidString)"
            notifySocket = "@" + name
            nameBytes = [0] + Array(name.utf8)
            directory = nil
        } else {
            let dir = FileManager.default.temporaryDirectory
                .appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            notifySocket = dir.appendingPathComponent("notify").path
            nameBytes = Array(notifySocket.utf8) + [0]
        }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: nameBytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socklen_t(nameBytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }

        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The next datagram as text, or `nil` when none arrives before the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
