import Foundation
import Glibc

/// The few file operations the benchmark needs, on plain paths, with errors that say which
/// path failed.
enum FileSystem {
    /// Creates a fresh directory `base/prefix-XXXXXX` (mkdtemp, mode 0700) and returns its path.
    static func makeTemporaryDirectory(in base: String, prefix: String) throws(BenchError) -> String {
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw .errno("create a temporary directory under \(base)") }
        return made
    }

    /// Creates `path` (one level; the parent must exist).
    static func makeDirectory(_ path: String) throws(BenchError) {
        guard mkdir(path, 0o755) == 0 else { throw .errno("create directory \(path)") }
    }

    /// Writes `bytes` to `path` with open/write/close: no descriptor outlives the call (the
    /// daemon refuses a job file that someone still has open for writing). No fsync.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno("create \(path)") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let writeErrno = errno
        guard close(fd) == 0 else { throw .errno("close \(path)") }
        guard written == bytes.count else {
            errno = writeErrno
            throw .errno("write \(path) (\(written) of \(bytes.count) bytes)")
        }
    }

    /// Writes `bytes` to `temp`, fsyncs it, renames it to `final` and fsyncs the directory:
    /// what a durable atomic write costs at least.
    static func writeDurably(_ temp: String, _ bytes: [UInt8], renameTo final: String) throws(BenchError) {
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .errno("create \(temp)") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            close(fd)
            throw .errno("write \(temp)")
        }
        guard close(fd) == 0 else { throw .errno("close \(temp)") }
        try rename(temp, final)
        let directory = (final as NSString).deletingLastPathComponent
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw .errno("open \(directory)") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw .errno("fsync \(directory)") }
    }

    /// The size of the file at `path`, nil when it cannot be read.
    static func size(of path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Renames `from` to `to` (same filesystem).
    static func rename(_ from: String, _ to: String) throws(BenchError) {
        guard Glibc.rename(from, to) == 0 else { throw .errno("rename \(from) to \(to)") }
    }

    /// The names in `directory` that do not begin with `.`.
    static func visibleNames(in directory: String) throws(BenchError) -> [String] {
        guard let dir = opendir(directory) else { throw .errno("list \(directory)") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    /// The device number of `path`: two paths with the same device share a filesystem.
    static func device(of path: String) throws(BenchError) -> UInt64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .errno("stat \(path)") }
        return UInt64(st.st_dev)
    }

    /// The type of the filesystem holding `path` ("ext4", "tmpfs", ...): the entry of
    /// /proc/self/mounts with the longest mount point that contains the resolved path.
    static func filesystemType(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return "unknown" }
        let full = String(cString: resolved)
        free(resolved)
        guard let data = FileManager.default.contents(atPath: "/proc/self/mounts") else { return "unknown" }
        var best = (length: -1, type: "unknown")
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            // Mount points escape spaces as \040.
            let mountPoint = String(fields[1]).replacingOccurrences(of: "\\040", with: " ")
            let contains = mountPoint == "/" || full == mountPoint || full.hasPrefix(mountPoint + "/")
            if contains && mountPoint.count >= best.length {
                best = (mountPoint.count, String(fields[2]))
            }
        }
        return best.type
    }

    /// Removes `path` and everything under it; reports but does not throw on failure.
    static func removeTree(_ path: String) -> String? {
        do {
            try FileManager.default.removeItem(atPath: path)
            return nil
        } catch {
            return "could not remove \(path): \(error.localizedDescription)"
        }
    }
}
