import CPosix
import Glibc
import MLOpsClient
import MLOpsCore

/// Content-addressed storage of model artifacts under `<state>/artifacts/` (docs/design.md §6):
/// each distinct artifact is stored once, in a read-only directory named by its SHA-256.
///
/// An artifact's identity is the SHA-256 of a manifest text listing, for each regular file
/// in byte order of its relative path, `"<relative path>\0<size>\0<sha256 of content>\n"`.
/// Empty directories are not part of the identity and are not stored. The same hash without
/// the top-level `metrics.json` is the *model* hash: two versions with the same model hash
/// differ only in their metrics (a metadata-only change, docs/design.md §10).
///
/// Files are hashed while they are copied, so what is stored is exactly what was hashed even
/// if the source changes meanwhile. The copy is built in `<root>/.tmp-<random>/` and renamed
/// into place (never over an existing artifact), so a crash leaves either nothing or a
/// `.tmp-` directory that ``removeLeftovers()`` deletes at the next start.
///
/// Thread-safe: the only state is the root directory's descriptor; concurrent ingests of
/// the same content both succeed, one of them reporting `reused`.
public final class ArtifactStore: Sendable {
    /// The most regular files one artifact may hold.
    public static let maxFiles = 100_000
    /// The deepest directory nesting an artifact may have (each level holds two descriptors
    /// open while it is copied).
    public static let maxDepth = 64
    /// The name of the file left out of ``StoredArtifact/modelSHA256``.
    public static let metricsFileName = "metrics.json"

    /// The store's directory, absolute and with symbolic links resolved.
    public let root: String
    private let directory: DirectoryHandle

    /// Opens the store at `root`, creating the directory (mode 0750) when missing.
    public init(root: String) throws(SystemError) {
        try DirectoryHandle.makeDirectories(root, mode: 0o750)
        guard let resolved = ArtifactStore.realPath(root) else { throw SystemError("resolve \(root)") }
        self.root = resolved
        directory = try DirectoryHandle(path: resolved)
    }

    // MARK: - Paths named by jobs

    /// `path` with symbolic links and `..` resolved, provided it equals or lies under one of
    /// `roots` (each resolved the same way; roots that do not exist are skipped).
    ///
    /// Every file a job names goes through here (docs/design.md §14: whoever can submit a job must
    /// not make the daemon read outside the data roots, e.g. through a link to
    /// `/etc/shadow` or `data/../..`). The comparison is by path component: `/data2` is not
    /// under `/data`. The caller must then open the returned path without following links
    /// again (``ingest(directory:)`` does), so a link swapped in later cannot redirect it.
    public static func resolveInside(_ path: String, roots: [String]) throws(ArtifactError) -> String {
        guard let resolved = realPath(path) else {
            if errno == ENOENT || errno == ENOTDIR { throw .notFound(path) }
            throw .io(SystemError("resolve \(path)"))
        }
        for root in roots {
            guard let resolvedRoot = realPath(root) else { continue }
            if resolved == resolvedRoot { return resolved }
            let prefix = resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/"
            if resolved.hasPrefix(prefix) { return resolved }
        }
        throw .outsideDataRoots(path: path, roots: roots)
    }

    // MARK: - Storing

    /// Copies the directory at `directory` into the store and returns its record.
    ///
    /// `directory` should come from ``resolveInside(_:roots:)``. The walk goes by
    /// descriptor (`openat` with `O_NOFOLLOW` at every level), so nothing inside is reached
    /// by re-resolving a path. Only regular files and directories are taken: a symbolic
    /// link, FIFO, device or socket anywhere inside refuses the whole artifact.
    /// Stored files are mode 0444 and directories 0555; every file and directory is
    /// fsynced before the rename that publishes the artifact.
    public func ingest(directory source: String) throws(ArtifactError) -> StoredArtifact {
        var st = stat()
        guard lstat(source, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .notFound(source) }
            throw .io(SystemError("stat \(source)"))
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw .unsupportedEntry(path: source, kind: ArtifactStore.kind(of: st.st_mode))
        default: throw .notADirectory(source)
        }
        // `source` was resolved under the data roots: no link may have appeared in it since
        // (a submitter swapping a directory for a link would lead the copy elsewhere).
        var sourceFD = mlopsd_open_no_symlinks(source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if sourceFD < 0, errno == ENOSYS || errno == EPERM {
            sourceFD = open(source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard sourceFD >= 0 else {
            if errno == ELOOP { throw .unsupportedEntry(path: source, kind: "symbolic link") }
            throw ArtifactStore.openError(source)
        }
        defer { close(sourceFD) }

        let tempName = ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard mkdirat(directory.fd, tempName, 0o700) == 0 else {
            throw .io(SystemError("create \(root)/\(tempName)"))
        }
        var walk = ArtifactWalk(sourceRoot: source)
        defer { walk.release() }
        do throws(ArtifactError) {
            let tempFD = openat(directory.fd, tempName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard tempFD >= 0 else { throw .io(SystemError("open \(root)/\(tempName)")) }
            defer { close(tempFD) }
            _ = try walk.copyDirectory(from: sourceFD, to: tempFD, prefix: [], depth: 0)
            guard fchmod(tempFD, 0o555) == 0 else { throw .io(SystemError("chmod \(root)/\(tempName)")) }
            guard fsync(tempFD) == 0 else { throw .io(SystemError("fsync \(root)/\(tempName)")) }
        } catch {
            try? ArtifactStore.removeTree(in: directory.fd, name: tempName, display: root + "/" + tempName)
            throw error
        }

        let (sha, modelSHA) = walk.manifestDigests()
        var reused = false
        if mlopsd_rename_noreplace(directory.fd, tempName, directory.fd, sha) != 0 {
            guard errno == EEXIST || errno == ENOTEMPTY else {
                let error = SystemError("rename \(root)/\(tempName) to \(sha)")
                try? ArtifactStore.removeTree(in: directory.fd, name: tempName, display: root + "/" + tempName)
                throw .io(error)
            }
            // Stored before (or by a concurrent ingest): keep that copy, drop ours.
            reused = true
            do {
                try ArtifactStore.removeTree(in: directory.fd, name: tempName, display: root + "/" + tempName)
            } catch {
                throw .io(error)
            }
        } else {
            do { try directory.sync() } catch { throw .io(error) }
        }
        return StoredArtifact(
            sha256: sha,
            modelSHA256: modelSHA,
            path: path(of: sha),
            files: walk.entries.count,
            bytes: walk.bytes,
            reused: reused
        )
    }

    // MARK: - Looking up and removing

    /// The absolute path where the artifact with digest `sha256` is (or would be) stored.
    public func path(of sha256: String) -> String {
        root + "/" + sha256
    }

    /// Whether an artifact with digest `sha256` is stored (false for anything that is not a
    /// digest, so a crafted name cannot probe other paths).
    public func exists(_ sha256: String) -> Bool {
        guard ArtifactStore.isDigest(sha256), let st = try? directory.status(of: sha256) else { return false }
        return st.st_mode & S_IFMT == S_IFDIR
    }

    /// Deletes the artifact with digest `sha256`; a missing one is not an error.
    ///
    /// The directory is first renamed to a `.tmp-` name, so a crash halfway through the
    /// (slow) delete never leaves a partial artifact under its digest, where a later ingest
    /// of the same content would reuse it.
    public func remove(_ sha256: String) throws(ArtifactError) {
        guard ArtifactStore.isDigest(sha256) else { throw .invalidDigest(sha256) }
        let doomed = ".tmp-rm-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard renameat(directory.fd, sha256, directory.fd, doomed) == 0 else {
            if errno == ENOENT { return }
            throw .io(SystemError("rename \(root)/\(sha256) to \(doomed)"))
        }
        do {
            try directory.sync()
            try ArtifactStore.removeTree(in: directory.fd, name: doomed, display: root + "/" + doomed)
        } catch {
            throw .io(error)
        }
    }

    /// Deletes the `.tmp-*` directories an interrupted ingest or removal left behind and
    /// returns how many it deleted. Call it at daemon start, before any ingest can run (it
    /// would delete an ingest in progress). Failures are skipped; the next start retries.
    @discardableResult
    public func removeLeftovers() -> Int {
        guard let names = try? directory.names() else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".tmp-") {
            if (try? ArtifactStore.removeTree(in: directory.fd, name: name, display: root + "/" + name)) != nil {
                removed += 1
            }
        }
        return removed
    }

    // MARK: - Helpers

    /// Whether `text` is 64 lower-case hex digits.
    static func isDigest(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == 64 && utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// `realpath(3)`, or nil with `errno` set.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A human name for a file type, for ``ArtifactError/unsupportedEntry(path:kind:)``.
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "regular file"
        case S_IFDIR: return "directory"
        case S_IFLNK: return "symbolic link"
        case S_IFIFO: return "FIFO (named pipe)"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFSOCK: return "socket"
        default: return "file of unknown type"
        }
    }

    /// The error for a failed `open(O_NOFOLLOW | O_DIRECTORY)` of `path`, from `errno`.
    static func openError(_ path: String) -> ArtifactError {
        switch errno {
        case ENOENT: return .notFound(path)
        case ELOOP: return .unsupportedEntry(path: path, kind: "symbolic link")
        case ENOTDIR: return .notADirectory(path)
        default: return .io(SystemError("open \(path)"))
        }
    }

    /// The names in the open directory `fd` (NUL-terminated, without `.` and `..`).
    static func names(in fd: Int32, display: String) throws(SystemError) -> [[CChar]] {
        let copy = dup(fd)
        guard copy >= 0 else { throw SystemError("list \(display)") }
        guard let dir = fdopendir(copy) else {
            let error = SystemError("list \(display)")
            close(copy)
            throw error
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[CChar]] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemError("list \(display)") }
                return names
            }
            var name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            name.append(0)
            names.append(name)
        }
    }

    /// Deletes `name` in the directory `parent` and everything under it, making read-only
    /// directories writable first. A missing entry is not an error.
    static func removeTree(in parent: Int32, name: String, display: String) throws(SystemError) {
        try removeTree(in: parent, name: Array(name.utf8CString), display: display)
    }

    private static func removeTree(in parent: Int32, name: [CChar], display: String) throws(SystemError) {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw SystemError("stat \(display)")
        }
        let isDirectory = st.st_mode & S_IFMT == S_IFDIR
        if isDirectory {
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw SystemError("open \(display)") }
            defer { close(fd) }
            if st.st_mode & 0o700 != 0o700 && fchmod(fd, 0o700) != 0 { throw SystemError("chmod \(display)") }
            for child in try names(in: fd, display: display) {
                let childDisplay =
                    display + "/" + String(decoding: child.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try removeTree(in: fd, name: child, display: childDisplay)
            }
        }
        guard unlinkat(parent, name, isDirectory ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT else {
            throw SystemError("remove \(display)")
        }
    }
}

/// One ingest's walk over a source directory: copies, hashes and lists its regular files.
private struct ArtifactWalk {
    /// One regular file of the manifest.
    struct Entry {
        /// Relative path, `/`-separated, as raw bytes (file names need not be UTF-8).
        var path: [UInt8]
        var size: Int64
        var digest: String
    }

    /// The source directory, for messages.
    let sourceRoot: String
    private(set) var entries: [Entry] = []
    private(set) var bytes: Int64 = 0
    private let buffer: UnsafeMutableRawPointer
    private let bufferSize = 1 << 20

    init(sourceRoot: String) {
        self.sourceRoot = sourceRoot
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    /// Frees the copy buffer (the walk is not usable afterwards).
    func release() {
        buffer.deallocate()
    }

    /// Copies the contents of `source` into `target` (both open directories) and returns
    /// how many regular files the subtree held. Subdirectories without files are removed
    /// from the copy (they are not part of the identity).
    mutating func copyDirectory(
        from source: Int32,
        to target: Int32,
        prefix: [UInt8],
        depth: Int
    ) throws(ArtifactError) -> Int {
        let names: [[CChar]]
        do { names = try ArtifactStore.names(in: source, display: display(prefix)) } catch { throw .io(error) }
        var files = 0
        for name in names {
            let relative = prefix + name.dropLast().map { UInt8(bitPattern: $0) }
            var st = stat()
            guard fstatat(source, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .io(SystemError("stat \(display(relative))"))
            }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                guard entries.count < ArtifactStore.maxFiles else { throw .tooManyFiles(ArtifactStore.maxFiles) }
                try copyFile(name, from: source, to: target, relative: relative)
                files += 1
            case S_IFDIR:
                guard depth < ArtifactStore.maxDepth else {
                    throw .tooDeep(path: display(relative), limit: ArtifactStore.maxDepth)
                }
                files += try copySubdirectory(name, from: source, to: target, relative: relative, depth: depth + 1)
            default:
                throw .unsupportedEntry(path: display(relative), kind: ArtifactStore.kind(of: st.st_mode))
            }
        }
        return files
    }

    private mutating func copySubdirectory(
        _ name: [CChar],
        from source: Int32,
        to target: Int32,
        relative: [UInt8],
        depth: Int
    ) throws(ArtifactError) -> Int {
        let sourceFD = openat(source, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard sourceFD >= 0 else { throw ArtifactStore.openError(display(relative)) }
        defer { close(sourceFD) }
        guard mkdirat(target, name, 0o700) == 0 else { throw .io(SystemError("create copy of \(display(relative))")) }
        let targetFD = openat(target, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard targetFD >= 0 else { throw .io(SystemError("open copy of \(display(relative))")) }
        defer { close(targetFD) }
        let files = try copyDirectory(
            from: sourceFD,
            to: targetFD,
            prefix: relative + [UInt8(ascii: "/")],
            depth: depth
        )
        if files == 0 {
            guard unlinkat(target, name, AT_REMOVEDIR) == 0 else {
                throw .io(SystemError("remove empty copy of \(display(relative))"))
            }
            return 0
        }
        guard fchmod(targetFD, 0o555) == 0 else { throw .io(SystemError("chmod copy of \(display(relative))")) }
        guard fsync(targetFD) == 0 else { throw .io(SystemError("fsync copy of \(display(relative))")) }
        return files
    }

    private mutating func copyFile(
        _ name: [CChar],
        from source: Int32,
        to target: Int32,
        relative: [UInt8]
    ) throws(ArtifactError) {
        // O_NONBLOCK: if a FIFO was swapped in since the fstatat, opening it must not block;
        // the fstat below then refuses it.
        let input = openat(source, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard input >= 0 else {
            if errno == ELOOP { throw .unsupportedEntry(path: display(relative), kind: "symbolic link") }
            throw .io(SystemError("open \(display(relative))"))
        }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw .io(SystemError("stat \(display(relative))")) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw .unsupportedEntry(path: display(relative), kind: ArtifactStore.kind(of: st.st_mode))
        }
        let output = openat(target, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw .io(SystemError("create copy of \(display(relative))")) }
        var outputOpen = true
        defer { if outputOpen { close(output) } }

        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let n = read(input, buffer, bufferSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(SystemError("read \(display(relative))"))
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
            var written = 0
            while written < n {
                let w = write(output, buffer + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw .io(SystemError("write copy of \(display(relative))"))
                }
                written += w
            }
            size += Int64(n)
        }
        guard fchmod(output, 0o444) == 0 else { throw .io(SystemError("chmod copy of \(display(relative))")) }
        guard fsync(output) == 0 else { throw .io(SystemError("fsync copy of \(display(relative))")) }
        outputOpen = false
        guard close(output) == 0 else { throw .io(SystemError("close copy of \(display(relative))")) }
        entries.append(Entry(path: relative, size: size, digest: hasher.hexDigest()))
        bytes += size
    }

    /// The artifact's digest and its model digest (without the top-level `metrics.json`),
    /// over the manifest in byte order of relative paths.
    func manifestDigests() -> (sha256: String, modelSHA256: String) {
        let metrics = Array(ArtifactStore.metricsFileName.utf8)
        var all = SHA256()
        var model = SHA256()
        for entry in entries.sorted(by: { $0.path.lexicographicallyPrecedes($1.path) }) {
            var line = entry.path
            line.append(0)
            line.append(contentsOf: String(entry.size).utf8)
            line.append(0)
            line.append(contentsOf: entry.digest.utf8)
            line.append(UInt8(ascii: "\n"))
            all.update(line)
            if entry.path != metrics { model.update(line) }
        }
        return (all.hexDigest(), model.hexDigest())
    }

    /// `sourceRoot/relative`, for messages.
    private func display(_ relative: [UInt8]) -> String {
        let trimmed = relative.last == UInt8(ascii: "/") ? relative.dropLast() : relative[...]
        return trimmed.isEmpty ? sourceRoot : sourceRoot + "/" + String(decoding: trimmed, as: UTF8.self)
    }
}
