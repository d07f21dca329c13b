import CPosix
import Foundation
import GRDB
import MLOpsCore

/// The daemon's one SQLite database (docs/design.md §6): WAL, versioned migrations, checked at open.
///
/// A single `DatabaseQueue` serialises every access, so the store has one writer and
/// transactions never interleave. `synchronous=FULL` makes each commit durable before the
/// result file that reports it is written.
public final class Store: Sendable {
    /// Why the store could not be opened.
    public enum OpenError: Error, CustomStringConvertible {
        case cannotOpen(path: String, underlying: String)
        case integrity(path: String, report: String)
        case migration(path: String, underlying: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let underlying):
                return "cannot open the state database \(path): \(underlying)"
            case .integrity(let path, let report):
                return
                    "the state database \(path) failed its integrity check (\(report)); restore it from a backup (docs/operations.md)"
            case .migration(let path, let underlying):
                return "cannot migrate the state database \(path): \(underlying)"
            }
        }
    }

    /// The database file.
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating when missing) the database at `path`, checks it, applies migrations.
    public init(path: String, readOnly: Bool = false) throws(OpenError) {
        self.path = path
        SQLiteErrorLog.install()
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(5)
        config.label = "mlopsd.store"
        config.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw .cannotOpen(path: path, underlying: "\(error)")
        }
        let report: String
        do {
            report = try queue.read { db in
                try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ")
            }
        } catch {
            throw .cannotOpen(path: path, underlying: "\(error)")
        }
        guard report == "ok" else { throw .integrity(path: path, report: report) }
        if !readOnly {
            do {
                try StoreMigrations.migrator.migrate(queue)
            } catch {
                throw .migration(path: path, underlying: "\(error)")
            }
        }
    }

    /// The errno of the connection's last failed system call (`sqlite3_system_errno`), nil
    /// when none: SQLite reports a full disk during fsync as a generic I/O error.
    public func lastSystemErrno() -> Int32? {
        let value = try? queue.inDatabase { db in mlopsd_sqlite_system_errno(db.sqliteConnection) }
        guard let value, value != 0 else { return nil }
        return value
    }

    /// Runs `body` in one write transaction (all or nothing).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.write(body)
    }

    /// Runs `body` in a read-only transaction.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }
}
