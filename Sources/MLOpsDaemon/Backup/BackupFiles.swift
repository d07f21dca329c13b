import CPosix
import Foundation
import Glibc
import MLOpsCore

/// File operations a backup and a restore share: copying a file while hashing it (fsync'd),
/// walking a tree, hashing a file, syncing a directory. Errors name the path and errno.
enum BackupFiles {
    /// Why a backup file operation failed.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "\(path): \(String(cString: strerror(errno)))" }
    }

    /// Reads the regular file `path` to its end in 1 MiB chunks, handing each to `body`;
    /// returns its size and SHA-256.
    private static func hashing(
        _ path: String,
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) -> (size: Int, sha256: String) {
        let input = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw Failure(path: path, errno: errno) }
        defer { close(input) }
        var hash = SHA256()
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, errno: errno)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hash.update(chunk)
            try body(chunk)
            size += n
        }
        return (size, hash.hexDigest())
    }

    /// Copies the regular file `source` to the new file `target` (mode 0640), fsyncs it,
    /// and returns its size and SHA-256.
    static func copy(_ source: String, to target: String) throws(Failure) -> (size: Int, sha256: String) {
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard output >= 0 else { throw Failure(path: target, errno: errno) }
        defer { close(output) }
        let measured = try hashing(source) { (chunk) throws(Failure) in
            var written = 0
            while written < chunk.count {
                let w = write(output, chunk.baseAddress.map { $0 + written }, chunk.count - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw Failure(path: target, errno: errno)
                }
                written += w
            }
        }
        guard fsync(output) == 0 else { throw Failure(path: target, errno: errno) }
        return measured
    }

    /// The size and SHA-256 of the regular file `path`.
    static func measure(_ path: String) throws(Failure) -> (size: Int, sha256: String) {
        try hashing(path) { (_) throws(Failure) in }
    }

    /// The regular files under `root`, as paths relative to it, in byte order; symbolic
    /// links and other non-regular entries are reported as failures (a backup holds none).
    static func files(under root: String) throws(Failure) -> [String] {
        var found: [String] = []
        func walk(_ relative: String) throws(Failure) {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(path) else { throw Failure(path: path, errno: errno) }
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            for name in names.sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + child, &st) == 0 else { throw Failure(path: root + "/" + child, errno: errno) }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: try walk(child)
                case S_IFREG: found.append(child)
                default: throw Failure(path: root + "/" + child, errno: EINVAL)
                }
            }
        }
        try walk("")
        return found
    }

    /// Creates directory `path` (mode 0750) and the missing ones above it.
    static func makeDirectories(_ path: String) throws(Failure) {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST { throw Failure(path: prefix, errno: errno) }
        }
    }

    /// fsyncs directory `path` (a rename or a new entry in it is durable after this).
    static func syncDirectory(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(path: path, errno: errno) }
    }

    /// Renames `source` to `target`, never over an existing entry.
    static func renameNoReplace(_ source: String, to target: String) throws(Failure) {
        guard mlopsd_rename_noreplace(AT_FDCWD, source, AT_FDCWD, target) == 0 else {
            throw Failure(path: target, errno: errno)
        }
    }

    /// Removes `path` and everything under it; errors are ignored (a clean-up).
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
