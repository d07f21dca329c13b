import CPosix
import Foundation
import Glibc

/// An open directory, and the few operations the spool and state need inside it.
///
/// Every spool write goes through here (the narrow layer a fault-injection test can
/// target). All names are single path components relative to the directory's fd, so a
/// rename of the directory itself or a symlink planted in a path cannot redirect us.
public final class DirectoryHandle: Sendable {
    /// The path the directory was opened at (for messages).
    public let path: String
    /// The directory's file descriptor; valid until the handle is deallocated.
    public let fd: Int32

    /// Opens `path` as a directory (O_DIRECTORY, no symlink at the last component).
    public init(path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemError("open directory \(path)") }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Creates `path` and its parents when missing (mode 0750 unless given).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw SystemError("create directory \(current)")
            }
        }
    }

    /// The `lstat` of an entry, or nil when it does not exist.
    public func status(of name: String) throws(SystemError) -> stat? {
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return nil }
            throw SystemError("stat \(path)/\(name)")
        }
        return st
    }

    /// The names in the directory, except `.` and `..` and names that are not valid UTF-8
    /// (a `String` cannot name those faithfully: see ``rawNames()``).
    public func names() throws(SystemError) -> [String] {
        try rawNames().compactMap { String(validating: $0, as: UTF8.self) }
    }

    /// The names in the directory as the kernel's bytes, except `.` and `..`.
    public func rawNames() throws(SystemError) -> [[UInt8]] {
        let dupfd = dup(fd)
        guard dupfd >= 0, let dir = fdopendir(dupfd) else { throw SystemError("list \(path)") }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// Renames the entry whose name is the bytes `name` to `newName` in `target`, never
    /// replacing (`EEXIST`), for a name a `String` cannot hold.
    public func rename(bytes name: [UInt8], to target: DirectoryHandle, as newName: String) throws(SystemError) {
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        guard mlopsd_rename_noreplace(fd, cName, target.fd, newName) == 0 else {
            throw SystemError("rename \(path)/<\(name.count) bytes> to \(target.path)/\(newName)")
        }
    }

    /// Renames `name` to `newName` in `target` (this directory by default).
    /// With `replace: false` an existing target is an `EEXIST` error, never overwritten.
    public func rename(
        _ name: String,
        to target: DirectoryHandle? = nil,
        as newName: String,
        replace: Bool
    ) throws(SystemError) {
        let targetFD = target?.fd ?? fd
        let rc =
            replace
            ? renameat(fd, name, targetFD, newName)
            : mlopsd_rename_noreplace(fd, name, targetFD, newName)
        guard rc == 0 else {
            throw SystemError("rename \(path)/\(name) to \((target ?? self).path)/\(newName)")
        }
    }

    /// Writes `data` to `name` so that a reader sees either the old file or the whole new
    /// one, and the new one survives a crash: temp file, fsync, rename, and (unless
    /// `syncDirectory` is false because the caller syncs a batch once) fsync of the directory.
    /// The file gets exactly `mode`, regardless of the umask.
    public func writeAtomically(
        _ name: String,
        data: Data,
        mode: mode_t = 0o640,
        syncFile: Bool = true,
        syncDirectory: Bool = true
    ) throws(SystemError) {
        let temp = ".\(name).\(getpid()).tmp"
        let tfd = openat(fd, temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard tfd >= 0 else { throw SystemError("create \(path)/\(temp)") }
        var failure: SystemError?
        // Exactly `mode`, whatever the umask: a job file must stay readable by the daemon,
        // a result by the submitters' group.
        if fchmod(tfd, mode) != 0 { failure = SystemError("chmod \(path)/\(temp)") }
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = write(tfd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError("write \(path)/\(temp)")
                    return
                }
                offset += n
            }
        }
        if failure == nil && syncFile && fsync(tfd) != 0 { failure = SystemError("fsync \(path)/\(temp)") }
        if close(tfd) != 0 && failure == nil { failure = SystemError("close \(path)/\(temp)") }
        if let failure {
            unlinkat(fd, temp, 0)
            throw failure
        }
        guard renameat(fd, temp, fd, name) == 0 else {
            let error = SystemError("rename \(path)/\(temp) to \(name)")
            unlinkat(fd, temp, 0)
            throw error
        }
        if syncDirectory { try sync() }
    }

    /// Removes a file.
    public func remove(_ name: String) throws(SystemError) {
        guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else { throw SystemError("remove \(path)/\(name)") }
    }

    /// fsync of the directory itself, which makes renames into it durable.
    public func sync() throws(SystemError) {
        guard fsync(fd) == 0 else { throw SystemError("fsync directory \(path)") }
    }
}

/// Reading from a file descriptor with a size cap.
public enum FileReader {
    /// Reads until EOF or until more than `limit` bytes (then returns `limit + 1` bytes so
    /// the caller can tell the file was too large without reading all of it).
    public static func readAll(fd: Int32, limit: Int, what: String) throws(SystemError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while data.count <= limit {
            let want = min(buffer.count, limit + 1 - data.count)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(what)")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }
}
