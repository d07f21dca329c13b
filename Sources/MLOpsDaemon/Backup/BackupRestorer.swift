import Foundation
import GRDB
import Glibc
import MLOpsCore

/// `mlopsd --restore DIR`: puts a backup back into the state directory of a stopped daemon
/// (docs/operations.md (Backup and restore)).
///
/// 1. Verifies the backup against its manifest — every file present, of its size and
///    SHA-256, nothing unlisted — before touching anything.
/// 2. Refuses while a daemon runs on the spool (its `status.json` names a live `mlopsd`).
/// 3. Moves an existing store and artifacts aside into `state/replaced-<time>/` (only with
///    `--force`: without it, a state directory that holds a store is refused).
/// 4. Copies the store and the artifacts in (store last, renamed into place; run as root,
///    they take the state directory's owner), checks the store with `PRAGMA integrity_check`.
/// The serving links are reconciled with the restored store when the daemon next starts.
public enum BackupRestorer {
    /// What a restore did, for the operator.
    public struct Summary: Sendable {
        /// Lines to print.
        public var lines: [String]
    }

    /// Why a restore did not happen; the message says what to do.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Restores the backup in `directory` into the state directory of the config at
    /// `configPath`; `force` replaces an existing store (moved aside, not deleted).
    public static func restore(_ directory: String, configPath: String, force: Bool) throws(Failure) -> Summary {
        let config: DaemonConfig
        do {
            config = try Daemon.loadConfig(path: configPath)
        } catch {
            throw Failure("cannot read the config \(configPath): \(error)")
        }
        let manifest = try verify(directory)
        var lines = [
            "backup \(directory): verified (\(ReportFormat.count(manifest.files.count, "file")), written by mlopsd \(manifest.mlopsdVersion) for job \(manifest.job), store as of \(manifest.snapshotAt))"
        ]
        if let running = runningDaemon(spool: config.spoolDir) {
            throw Failure(
                "mlopsd (pid \(running)) is running on \(config.spoolDir); stop it first (systemctl stop mlopsd)"
            )
        }
        let state = config.stateDir
        let store = state + "/" + BackupManifest.databaseName
        do {
            try BackupFiles.makeDirectories(state)
            var st = stat()
            if lstat(store, &st) == 0 {
                guard force else {
                    throw Failure(
                        "\(state) holds a store already; pass --force to replace it (it is moved to \(state)/replaced-<time>/, not deleted)"
                    )
                }
                let aside = state + "/replaced-" + Timestamp.string(Date()).replacingOccurrences(of: ":", with: "")
                try BackupFiles.makeDirectories(aside)
                for name in [
                    BackupManifest.databaseName, BackupManifest.databaseName + "-wal",
                    BackupManifest.databaseName + "-shm", BackupManifest.artifactsName,
                ] where lstat(state + "/" + name, &st) == 0 {
                    try BackupFiles.renameNoReplace(state + "/" + name, to: aside + "/" + name)
                }
                lines.append("the previous store and artifacts were moved to \(aside)")
            }
            // Artifacts first (content-addressed: one already there is the same bytes).
            var artifacts = Set<String>()
            for entry in manifest.files where entry.path.hasPrefix(BackupManifest.artifactsName + "/") {
                let target = state + "/" + entry.path
                try BackupFiles.makeDirectories((target as NSString).deletingLastPathComponent)
                if lstat(target, &st) != 0 { _ = try BackupFiles.copy(directory + "/" + entry.path, to: target) }
                artifacts.insert(String(entry.path.split(separator: "/")[1]))
            }
            // The store last, renamed into place.
            let temp = state + "/.restore-\(getpid()).sqlite"
            BackupFiles.removeTree(temp)
            _ = try BackupFiles.copy(directory + "/" + BackupManifest.databaseName, to: temp)
            try BackupFiles.renameNoReplace(temp, to: store)
            try BackupFiles.syncDirectory(state)
            // Restored as root: the files take the state directory's owner (the daemon's user).
            var owner = stat()
            if geteuid() == 0, stat(state, &owner) == 0 {
                _ = chown(store, owner.st_uid, owner.st_gid)
                let artifactsDir = state + "/" + BackupManifest.artifactsName
                _ = chown(artifactsDir, owner.st_uid, owner.st_gid)
                if let paths = FileManager.default.subpaths(atPath: artifactsDir) {
                    for path in paths { _ = lchown(artifactsDir + "/" + path, owner.st_uid, owner.st_gid) }
                }
            }
            lines.append("restored the store and \(ReportFormat.count(artifacts.count, "artifact")) into \(state)")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("restore into \(state) failed: \(error)")
        }
        do {
            let queue = try DatabaseQueue(path: store)
            let check = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
            guard check == ["ok"] else {
                throw Failure("the restored store fails integrity_check: \(check.prefix(5).joined(separator: "; "))")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("cannot open the restored store: \(error)")
        }
        lines.append("integrity_check: ok; start the daemon (it reconciles the serving links with the restored store)")
        return Summary(lines: lines)
    }

    /// The manifest of the backup in `directory`, once every file is proved against it.
    public static func verify(_ directory: String) throws(Failure) -> BackupManifest {
        let manifestPath = directory + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw Failure(
                "\(directory) is not a backup: it has no \(BackupManifest.fileName) (a backup cut short has none)"
            )
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw Failure("\(manifestPath) cannot be read: \(error)")
        }
        var found: [String: (size: Int, sha256: String)] = [:]
        do {
            for path in try BackupFiles.files(under: directory) where path != BackupManifest.fileName {
                found[path] = try BackupFiles.measure(directory + "/" + path)
            }
        } catch {
            throw Failure("cannot read the backup: \(error)")
        }
        let problems = manifest.problems(found: found)
        guard problems.isEmpty else {
            throw Failure(
                "\(directory) does not match its manifest: " + problems.prefix(10).joined(separator: "; ")
                    + (problems.count > 10 ? "; and \(problems.count - 10) more" : "")
            )
        }
        return manifest
    }

    /// The pid of a live `mlopsd` that `spool/status.json` names, if any.
    static func runningDaemon(spool: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: spool + "/status.json"),
            let status = try? JSONDecoder().decode(StatusDocument.self, from: data)
        else { return nil }
        let pid = Int32(truncatingIfNeeded: status.pid)
        guard pid > 0, kill(pid, 0) == 0,
            let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
            comm.hasPrefix("mlopsd")
        else { return nil }
        return pid
    }
}
