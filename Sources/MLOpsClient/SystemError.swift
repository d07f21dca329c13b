import Glibc

/// A failed system call, with what we were doing and the errno text.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What we tried ("rename active/a.yaml to done/a.yaml").
    public var operation: String
    public var errno: Int32

    public init(_ operation: String, errno: Int32 = Glibc.errno) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errno)))"
    }

    /// The absolute path the operation names (its first word starting with `/`), for
    /// journal fields; nil when it names none.
    public var path: String? {
        operation.split(separator: " ").first { $0.hasPrefix("/") }.map(String.init)
    }
}

extension stat {
    /// The modification time in seconds since the epoch, with nanoseconds.
    var modificationTime: Double {
        Double(st_mtim.tv_sec) + Double(st_mtim.tv_nsec) / 1e9
    }
}
