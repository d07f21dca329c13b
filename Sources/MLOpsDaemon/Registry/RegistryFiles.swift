import Foundation
import Glibc
import MLOpsCore

/// Reading the files a registry job names: bounded, without following a final symlink.
enum RegistryFiles {
    /// Largest reference data file read (at create-version and for monitoring profiles).
    static let maxReferenceBytes = 512 << 20

    /// The content of `path`, at most `limit` bytes; nil when it does not exist.
    static func read(_ path: String, limit: Int) throws(JobError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw JobError(.badArtifact, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw JobError(.badArtifact, "\(path) is not a regular file")
        }
        let data: Data
        do {
            data = try FileReader.readAll(fd: fd, limit: limit, what: path)
        } catch {
            throw JobError(.badArtifact, "cannot read \(path): \(error)")
        }
        guard data.count <= limit else {
            throw JobError(.badArtifact, "\(path) is larger than \(limit) bytes")
        }
        return data
    }

    /// The SHA-256 of the regular file at `path`, streamed.
    static func sha256(_ path: String) throws(JobError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JobError(.badArtifact, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw JobError(.badArtifact, "\(path) is not a regular file")
        }
        var hash = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JobError(.badArtifact, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            hash.update(buffer[0..<n])
        }
        return hash.hexDigest()
    }

    /// Whether `relative` is a plain relative path that stays inside its directory.
    static func isContained(_ relative: String) -> Bool {
        !relative.hasPrefix("/") && !relative.split(separator: "/").contains("..")
    }
}
