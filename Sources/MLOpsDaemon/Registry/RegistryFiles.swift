import CPosix
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore

/// Reading the files a registry job names: bounded, never through a symbolic link, never
/// blocking on a FIFO or device.
enum RegistryFiles {
    /// Largest stored reference data file read for monitoring profiles (the daemon's own copy,
    /// which create-version measured against `max_data_file_bytes`; this bound stays fixed so
    /// that lowering that key later does not break the versions already stored).
    static let maxReferenceBytes = 512 << 20

    /// The content of `path`, at most `limit` bytes; nil when it does not exist.
    /// `linkFree`: `path` was resolved under the data roots and must be opened without any
    /// symbolic link on the way (a job-named file); otherwise only a final link is refused
    /// (the daemon's own files, whose directories an administrator may have linked).
    ///
    /// The size is taken with `fstat` on the opened file and a larger file is refused before
    /// any byte is read (a sparse file of gigabytes costs nothing to refuse). `dataFile`: the
    /// name the job gives a data file, refused under `max_data_file_bytes`
    /// (``DataFileSizeLimit``, code `too_large`); nil for the daemon's other files.
    static func read(
        _ path: String,
        limit: Int,
        linkFree: Bool = false,
        dataFile: String? = nil
    ) throws(JobError) -> Data? {
        guard let fd = try openRegular(path, linkFree: linkFree) else { return nil }
        defer { close(fd) }
        try checkSize(fd, path: path, limit: limit, dataFile: dataFile)
        let data: Data
        do {
            data = try FileReader.readAll(fd: fd, limit: limit, what: path)
        } catch {
            throw JobError(.badArtifact, "cannot read \(path): \(error)")
        }
        guard data.count <= limit else {
            // It grew after it was measured: measure again for the message.
            try checkSize(fd, path: path, limit: limit, dataFile: dataFile)
            throw JobError(.badArtifact, "\(path) is larger than \(limit) bytes")
        }
        return data
    }

    /// Opens the regular file at `path` like ``read(_:limit:linkFree:dataFile:)`` and
    /// measures it against `limit`, without reading it: the caller reads it in blocks and
    /// closes it. Nil when it does not exist.
    static func openMeasured(_ path: String, limit: Int, linkFree: Bool, dataFile: String?) throws(JobError) -> Int32? {
        guard let fd = try openRegular(path, linkFree: linkFree) else { return nil }
        do {
            try checkSize(fd, path: path, limit: limit, dataFile: dataFile)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Refuses the open file `fd` when `fstat` says it is larger than `limit` bytes.
    private static func checkSize(_ fd: Int32, path: String, limit: Int, dataFile: String?) throws(JobError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw JobError(.badArtifact, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let size = Int(st.st_size)
        guard size > limit else { return }
        if let dataFile, let refusal = DataFileSizeLimit.refusal(file: dataFile, size: size, limit: limit) {
            throw JobError(.tooLarge, refusal.message, fix: refusal.fix)
        }
        throw JobError(.badArtifact, "\(path) is larger than \(limit) bytes")
    }

    /// The SHA-256 of the regular file at `path` (resolved under the data roots), streamed.
    static func sha256(_ path: String) throws(JobError) -> String {
        guard let fd = try openRegular(path, linkFree: true) else {
            throw JobError(.badArtifact, "\(path) does not exist")
        }
        defer { close(fd) }
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

    /// Opens `path` for reading when it is a regular file; nil when it does not exist.
    /// A final symbolic link is always refused; with `linkFree`, a link anywhere in the path.
    ///
    /// With `linkFree`, `path` is the output of ``ArtifactStore/resolveInside(_:roots:)`` (which
    /// has no links left). Opening it with `RESOLVE_NO_SYMLINKS` means a link that a
    /// submitter swaps into one of its directories after that check cannot send the open
    /// outside the data roots. `O_NONBLOCK` keeps a FIFO (or a device) from blocking the
    /// daemon: the open returns at once and the type check refuses it.
    static func openRegular(_ path: String, linkFree: Bool) throws(JobError) -> Int32? {
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
        var fd = linkFree ? mlopsd_open_no_symlinks(path, flags) : open(path, flags)
        if linkFree, fd < 0, errno == ENOSYS || errno == EPERM {
            // No openat2 (kernel < 5.6, or a seccomp filter): open, then check where the
            // descriptor really is.
            fd = open(path, flags)
            if fd >= 0, let real = descriptorPath(fd), real != path {
                close(fd)
                throw JobError(
                    .badArtifact,
                    "\(path) changed while it was opened (it now leads to another file)",
                    fix: "do not replace the directories of a data file while a job reads it"
                )
            }
        }
        if fd < 0 {
            let error = errno
            if error == ENOENT { return nil }
            if error == ELOOP {
                throw JobError(
                    .badArtifact,
                    "\(path) is reached through a symbolic link (a link was put in its way after the path was checked)",
                    fix: "name the file by its real path under a data root and do not replace it while the job runs"
                )
            }
            throw JobError(.badArtifact, "cannot open \(path): \(String(cString: strerror(error)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw JobError(
                .badArtifact,
                "\(path) is not a regular file",
                fix: "name a regular file (not a FIFO, device, socket or directory)"
            )
        }
        // Reads of a regular file never block; clear O_NONBLOCK anyway so that reads behave
        // the same on every file system.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// The path the kernel has for an open descriptor (`/proc/self/fd/N`), if readable.
    private static func descriptorPath(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return readlink("/proc/self/fd/\(fd)", base, raw.count - 1)
        }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
