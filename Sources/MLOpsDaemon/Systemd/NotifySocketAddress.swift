#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A `sockaddr_un` for `NOTIFY_SOCKET`, kept as bytes so that it is trivially `Sendable`.
struct NotifySocketAddress: Sendable, Equatable {
    /// The bytes of `sun_path` to use (for an abstract address, starting with NUL).
    let pathBytes: [UInt8]

    /// Parses `NOTIFY_SOCKET`: an absolute path, or `@name` for the abstract namespace.
    /// Returns `nil` for anything else (systemd 252 uses only these two) or for a name too
    /// long for `sun_path`.
    init?(notifySocket value: String) {
        var bytes = Array(value.utf8)
        switch bytes.first {
        case UInt8(ascii: "/"):
            break
        case UInt8(ascii: "@"):
            bytes[0] = 0
        default:
            return nil
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        // A path needs room for its terminating NUL; an abstract name does not.
        guard bytes.count < capacity || (bytes[0] == 0 && bytes.count <= capacity) else {
            return nil
        }
        guard bytes.count > 1, !(bytes[0] != 0 && bytes.contains(0)) else { return nil }
        pathBytes = bytes
    }

    /// Sends one datagram on a fresh `SOCK_DGRAM | SOCK_CLOEXEC` socket.
    func sendDatagram(_ payload: [UInt8]) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }

        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        // Abstract names are exactly as long as given; paths include their NUL.
        let length = pathOffset + pathBytes.count + (pathBytes[0] == 0 ? 0 : 1)

        // MSG_DONTWAIT: the work loop sends these; a receiver that stops reading must
        // never block it (a lost STATUS= is harmless, a hung daemon is not).
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                payload.withUnsafeBytes { bytes in
                    var result: Int
                    repeat {
                        result = sendto(
                            descriptor,
                            bytes.baseAddress,
                            bytes.count,
                            Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT),
                            address,
                            socklen_t(length)
                        )
                    } while result < 0 && errno == EINTR
                    return result
                }
            }
        }
        return sent == payload.count
    }
}
