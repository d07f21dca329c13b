import CPosix
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore

/// The spool directories of docs/design.md §3, opened once, and the claim protocol on `incoming/`.
public final class Spool: Sendable {
    /// The spool's root path.
    public let root: String
    public let incoming: DirectoryHandle
    public let active: DirectoryHandle
    public let done: DirectoryHandle
    public let failed: DirectoryHandle
    public let results: DirectoryHandle
    public let alerts: DirectoryHandle
    /// The model reports of `report` jobs (`<model>.<time>.html`), pruned like results.
    public let reports: DirectoryHandle
    public let top: DirectoryHandle

    /// The subdirectories, created when missing.
    public static let subdirectories = ["incoming", "active", "done", "failed", "results", "alerts", "reports", "tmp"]

    /// Opens the spool at `root`, creating missing directories (mode 0750; a packaged
    /// install creates them with their real modes through tmpfiles.d).
    public init(root: String) throws(SystemError) {
        self.root = root
        try DirectoryHandle.makeDirectories(root, mode: 0o755)
        for sub in Spool.subdirectories {
            try DirectoryHandle.makeDirectories(root + "/" + sub)
        }
        top = try DirectoryHandle(path: root)
        incoming = try DirectoryHandle(path: root + "/incoming")
        active = try DirectoryHandle(path: root + "/active")
        done = try DirectoryHandle(path: root + "/done")
        failed = try DirectoryHandle(path: root + "/failed")
        results = try DirectoryHandle(path: root + "/results")
        alerts = try DirectoryHandle(path: root + "/alerts")
        reports = try DirectoryHandle(path: root + "/reports")
    }

    /// Names that are never read: hidden (being written), temp files and editor backups.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix("~")
    }

    /// Whether `name` holds a control character: such a file, like one whose name is not
    /// UTF-8, is claimed by its bytes (``claimRawNames(limit:)``), never by name.
    public static func needsRawHandling(_ name: String) -> Bool {
        RawFileName.problem(Array(name.utf8)) != nil
    }

    /// Claims up to `limit` entries of `incoming/` whose names are not valid UTF-8 or hold a
    /// control character: each is renamed (never replacing) into `active/` under its
    /// ``RawFileName/activeName``, the same claim-by-rename as any job, so a crash at any
    /// point leaves it either in `incoming/` or in `active/`. Hidden, temp and backup names
    /// are left alone, as for any name. Returns the active names claimed and whether more
    /// such entries are waiting.
    public func claimRawNames(limit: Int) throws(SystemError) -> (claimed: [String], more: Bool) {
        let waiting = try incoming.rawNames().filter { RawFileName.problem($0) != nil && !RawFileName.isIgnored($0) }
            .sorted { $0.lexicographicallyPrecedes($1) }
        var claimed: [String] = []
        for bytes in waiting.prefix(limit) {
            let activeName = RawFileName(bytes).activeName
            do {
                try incoming.rename(bytes: bytes, to: active, as: activeName)
                claimed.append(activeName)
            } catch {
                // Gone, or one of the same name still active (claimed again once it has
                // finished); anything else is the caller's to report.
                guard error.errno == ENOENT || error.errno == EEXIST else { throw error }
            }
        }
        return (claimed, waiting.count > limit)
    }

    /// Whether a file in `incoming/` may be claimed now.
    public enum Readiness: Sendable, Equatable {
        /// Claim it.
        case ready
        /// Someone still has it open for writing (or it changed too recently to tell): wait.
        case busy
        /// It is gone or must never be read.
        case ignore
    }

    /// Decides whether `name` can be claimed. A regular file still open for writing is
    /// never taken: a read lease (F_SETLEASE) is refused while any process has it open for
    /// writing. Where the lease is not permitted (the daemon does not own the file and has
    /// no CAP_LEASE), a file counts as finished when an inotify event said it was closed or
    /// renamed in (`closedOrMoved`) or when it has not changed for `settle` seconds.
    public func readiness(of name: String, closedOrMoved: Bool, settle: TimeInterval, now: Date = Date()) -> Readiness {
        guard !Spool.isIgnored(name), !Spool.needsRawHandling(name) else { return .ignore }
        var st = stat()
        guard fstatat(incoming.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return .ignore }
        guard st.st_mode & S_IFMT == S_IFREG else { return .ready }  // claimed and rejected at once
        // A hard link too, unopened: it may be another user's file (JobFile.read refuses it).
        guard st.st_nlink == 1 else { return .ready }
        let fd = openat(incoming.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return .ready }  // unreadable: claim it and say so in its result
        defer { close(fd) }
        if mlopsd_set_lease(fd, Int32(F_RDLCK)) == 0 {
            _ = mlopsd_set_lease(fd, Int32(F_UNLCK))
            return .ready
        }
        if errno == EAGAIN { return .busy }
        if closedOrMoved { return .ready }
        let mtime = st.modificationTime
        return now.timeIntervalSince1970 - mtime >= settle ? .ready : .busy
    }

    /// Lists `incoming/` in submission order (oldest modification first, then by name),
    /// leaving out ignored names.
    public func scanIncoming() throws(SystemError) -> [String] {
        var entries: [(name: String, mtime: Double)] = []
        for name in try incoming.names() where !Spool.isIgnored(name) && !Spool.needsRawHandling(name) {
            var st = stat()
            guard fstatat(incoming.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            entries.append((name, st.modificationTime))
        }
        entries.sort { $0.mtime != $1.mtime ? $0.mtime < $1.mtime : $0.name < $1.name }
        return entries.map(\.name)
    }

    /// What claiming a file did.
    public enum ClaimOutcome: Sendable, Equatable {
        case claimed
        /// Another file of the same name is still active: try again once it has finished.
        case nameInUse
        /// The file went away (another daemon instance, or the submitter took it back).
        case gone
        /// A directory of another user: it cannot move to `active/` (moving a directory to
        /// another parent needs write permission on the directory itself, for its `..`).
        /// It is rejected where it is and set aside under a hidden name (``setAside``).
        case unmovable
    }

    /// Claims `name` by renaming it from `incoming/` into `active/` (never replacing).
    public func claim(_ name: String) throws(SystemError) -> ClaimOutcome {
        do {
            try incoming.rename(name, to: active, as: name, replace: false)
            return .claimed
        } catch {
            switch error.errno {
            case EEXIST: return .nameInUse
            case ENOENT: return .gone
            case EACCES, EPERM:
                var st = stat()
                if fstatat(incoming.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFDIR {
                    return .unmovable
                }
                throw error
            default: throw error
            }
        }
    }

    /// Renames an ``ClaimOutcome/unmovable`` entry, once rejected, to a hidden name inside
    /// `incoming/` (`.rejected.<name>+<inode>`), which is never read again. A rename within
    /// one directory is allowed to the daemon, which owns `incoming/` (sticky bit).
    public func setAside(_ name: String, inode: UInt64) throws(SystemError) {
        try incoming.rename(name, as: ".rejected.\(name)+\(inode)", replace: true)
    }

    /// Moves a finished job file from `active/` to `done/` or `failed/`. An older file of the
    /// same name there is kept: the new one gets `+<inode>` before its extension.
    /// `retiredName` is the name it gets there (its own by default).
    public func retire(
        _ name: String,
        as retiredName: String? = nil,
        inode: UInt64,
        succeeded: Bool
    )
        throws(SystemError)
    {
        let target = succeeded ? done : failed
        let newName = retiredName ?? name
        do {
            try active.rename(name, to: target, as: newName, replace: false)
        } catch let error where error.errno == EEXIST {
            try active.rename(name, to: target, as: "\(newName)+\(inode)", replace: true)
        }
    }
}
