import Foundation
import GRDB
import Glibc
import MLOpsCore

/// Writes a backup: the store as of one snapshot, the artifacts its versions reference, and
/// the manifest last (docs/operations.md (Backup and restore)).
///
/// - **Online and consistent.** The store is read through a connection of its own, opened
///   read-only, with SQLite's online backup in one step: one read transaction, so the copy
///   is the store as of one commit (every job finished before the backup began, and no
///   half of a later one), and the daemon's connection goes on writing meanwhile (WAL).
/// - **Nothing that looks complete unless it is.** Everything is written into
///   `.<name>.partial-<pid>` beside the destination, each file fsync'd; the manifest is
///   written last, then the directory is renamed to its name. A backup cut short (kill -9,
///   a full disk) leaves only the hidden partial directory, which has no manifest under the
///   backup's name and is removed at the next start.
struct BackupWriter {
    let storePath: String
    let artifactsRoot: String
    let backupDir: String
    let job: String

    /// Why a backup was not written.
    enum Failure: Error {
        /// The job asks for something it may not have (outside backup_dir, existing).
        case refused(JobError)
        /// The disk or the store failed.
        case storage(String)
    }

    /// The destination `directory` checked: absolute, a new name directly inside
    /// `backup_dir` (or a directory below it), not existing yet.
    func destination(_ directory: String, mark: SourceMark?) throws(Failure) -> String {
        guard directory.hasPrefix("/") else {
            throw .refused(
                JobError(
                    .invalidValue,
                    "directory must be an absolute path, not `\(directory)`",
                    at: mark,
                    fix: "write the full path of a new directory inside \(backupDir)"
                )
            )
        }
        let url = URL(fileURLWithPath: directory).standardized
        let name = url.lastPathComponent
        let parent = url.deletingLastPathComponent().path
        guard !name.isEmpty, !name.hasPrefix("."), name != "/" else {
            throw .refused(JobError(.invalidValue, "`\(name)` cannot name a backup", at: mark))
        }
        do {
            try BackupFiles.makeDirectories(backupDir)
        } catch {
            throw .storage("cannot create backup_dir: \(error)")
        }
        guard let realRoot = ArtifactStore.realPath(backupDir), let realParent = ArtifactStore.realPath(parent),
            realParent == realRoot || realParent.hasPrefix(realRoot + "/")
        else {
            throw .refused(
                JobError(
                    .invalidValue,
                    "\(directory) is not inside backup_dir (\(backupDir))",
                    at: mark,
                    fix: "name a new directory inside \(backupDir), or change backup_dir in the daemon's config"
                )
            )
        }
        let target = realParent + "/" + name
        var st = stat()
        guard lstat(target, &st) != 0 else {
            throw .refused(
                JobError(
                    .invalidValue,
                    "\(target) exists already; a backup never overwrites one",
                    at: mark,
                    fix: "name a new directory"
                )
            )
        }
        return target
    }

    /// Writes the backup into `target` (from ``destination(_:mark:)``).
    func write(to target: String, isCancelled: () -> Bool) throws(Failure) -> Kinds.Backup.Result {
        let started = Date()
        let parent = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let partial = parent + "/.\(name).partial-\(getpid())"
        BackupFiles.removeTree(partial)
        do {
            try BackupFiles.makeDirectories(partial)
        } catch {
            throw .storage("\(error)")
        }
        do {
            let result = try fill(partial, started: started, isCancelled: isCancelled)
            try BackupFiles.syncDirectory(partial)
            try BackupFiles.renameNoReplace(partial, to: target)
            try BackupFiles.syncDirectory(parent)
            var final = result
            final.directory = target
            final.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            return final
        } catch let failure as Failure {
            BackupFiles.removeTree(partial)
            throw failure
        } catch {
            BackupFiles.removeTree(partial)
            throw .storage("\(error)")
        }
    }

    /// The store, the artifacts and the manifest, into `partial`.
    private func fill(_ partial: String, started: Date, isCancelled: () -> Bool) throws -> Kinds.Backup.Result {
        // 1. The store, from a snapshot, through a read-only connection of its own.
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(10)
        let source = try DatabaseQueue(path: storePath, configuration: readOnly)
        let copyPath = partial + "/" + BackupManifest.databaseName
        let copy = try DatabaseQueue(path: copyPath)
        let snapshotAt = Timestamp.string(Date())
        try source.backup(to: copy)
        try source.close()
        let (artifacts, jobs, schema) = try copy.read { db in
            (try VersionStore.keptArtifacts(db), try JobStore.count(db), try StoreMigrations.latest(db))
        }
        try copy.close()
        let database = try BackupFiles.measure(copyPath)
        var entries = [
            BackupManifest.Entry(path: BackupManifest.databaseName, size: database.size, sha256: database.sha256)
        ]

        // 2. The artifacts the copy's versions reference (content-addressed directories).
        for sha in artifacts {
            if isCancelled() { throw Failure.storage("the daemon is stopping") }
            let from = artifactsRoot + "/" + sha
            var st = stat()
            guard stat(from, &st) == 0 else { continue }  // removed since: the copy says so too
            for relative in try BackupFiles.files(under: from) {
                let path = BackupManifest.artifactsName + "/" + sha + "/" + relative
                let directory = ((partial + "/" + path) as NSString).deletingLastPathComponent
                try BackupFiles.makeDirectories(directory)
                let copied = try BackupFiles.copy(from + "/" + relative, to: partial + "/" + path)
                entries.append(.init(path: path, size: copied.size, sha256: copied.sha256))
            }
        }
        for directory in Set(entries.map { ((partial + "/" + $0.path) as NSString).deletingLastPathComponent }) {
            try BackupFiles.syncDirectory(directory)
        }

        // 3. The manifest, last.
        let manifest = BackupManifest(
            mlopsdVersion: MLOpsDaemonInfo.version,
            job: job,
            snapshotAt: snapshotAt,
            schema: schema,
            files: entries
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(manifest)
        let manifestPath = partial + "/" + BackupManifest.fileName
        guard
            FileManager.default.createFile(atPath: manifestPath, contents: data, attributes: [.posixPermissions: 0o640])
        else {
            throw Failure.storage("cannot write \(manifestPath)")
        }
        let fd = open(manifestPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw BackupFiles.Failure(path: manifestPath, errno: errno) }
        }
        return Kinds.Backup.Result(
            directory: partial,
            databaseBytes: database.size,
            jobs: jobs,
            artifacts: artifacts.count,
            files: entries.count,
            bytes: entries.reduce(0) { $0 + $1.size },
            seconds: 0,
            snapshotAt: snapshotAt
        )
    }

    /// Removes partial backups (`.<name>.partial-<pid>`) in `backupDir`: what a backup cut
    /// short left. Called at start, before any backup can run. Returns how many.
    static func removePartials(in backupDir: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: backupDir) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") && name.range(of: ".partial-") != nil {
            BackupFiles.removeTree(backupDir + "/" + name)
            removed += 1
        }
        return removed
    }
}
