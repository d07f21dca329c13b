import Foundation
import GRDB
import Synchronization

/// The operating-system errors SQLite reports through its error log (`SQLITE_CONFIG_LOG`):
/// the exact errno and file behind a failed store write.
///
/// SQLite turns an `ENOSPC` from `fdatasync` into a generic `SQLITE_IOERR` ("disk I/O
/// error"), and `sqlite3_system_errno` reads the global errno only later, when other calls
/// may have changed it. Its log line, written at the failed call, has both:
/// `os_unix.c:38036: (28) fdatasync(/var/lib/mlopsd/mlopsd.sqlite-wal) - No space left on device`.
/// The engine names that path and errno in its `storage_write_failed` journal entry.
public enum SQLiteErrorLog {
    /// One logged operating-system error.
    public struct Entry: Sendable, Equatable {
        /// The errno of the failed call.
        public var errno: Int32
        /// The system call ("fdatasync", "write", "open").
        public var call: String
        /// The file it was made on.
        public var path: String
        /// When it was logged.
        public var at: Date
    }

    private static let last = Mutex<Entry?>(nil)

    /// Installs the log callback once per process. It must run before SQLite's first
    /// connection (``Store`` calls it before opening); later calls do nothing.
    public static func install() {
        _ = installed
    }

    private static let installed: Bool = {
        Database.logError = { _, message in
            guard let entry = parse(message) else { return }
            last.withLock { $0 = entry }
        }
        return true
    }()

    /// The entry of `message` when it is an os_unix.c line with an errno, else nil.
    public static func parse(_ message: String, at date: Date = Date()) -> Entry? {
        // "os_unix.c:<line>: (<errno>) <call>(<path>) - <strerror>"
        guard message.hasPrefix("os_unix.c:"),
            let open = message.firstIndex(of: "("),
            let close = message[open...].firstIndex(of: ")"),
            let errno = Int32(message[message.index(after: open)..<close]), errno > 0
        else { return nil }
        let rest = message[message.index(after: close)...].drop { $0 == " " }
        guard let callEnd = rest.firstIndex(of: "("),
            let pathEnd = rest.range(of: ") - ")?.lowerBound ?? rest.lastIndex(of: ")")
        else { return Entry(errno: errno, call: String(rest), path: "", at: date) }
        let path = callEnd < pathEnd ? String(rest[rest.index(after: callEnd)..<pathEnd]) : ""
        return Entry(errno: errno, call: String(rest[..<callEnd]), path: path, at: date)
    }

    /// The last logged error if it happened at or after `date`.
    public static func latest(since date: Date) -> Entry? {
        last.withLock { entry in entry.flatMap { $0.at >= date ? $0 : nil } }
    }
}
