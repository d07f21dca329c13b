import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

extension MLOpsCtl {
    /// `mlopsctl backup DIR`: a `backup` job; prints where the backup is and what it holds.
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up the daemon's store and artifacts into a new directory (a backup job).",
            discussion: """
                The daemon copies its SQLite store as of one snapshot (online: jobs go on meanwhile) and every \
                artifact a version references into DIR, which must be a new directory inside the config's \
                backup_dir, then writes MANIFEST.json with every file's size and SHA-256. Restore with \
                `mlopsd --restore DIR` on a stopped daemon.
                A relative DIR is taken inside backup_dir of the config file.
                Exit status: 0 written, 1 failed (the disk refused a write), 65 rejected (outside backup_dir, \
                exists already), 124 timed out.
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The new backup directory (absolute, or relative to backup_dir).") var directory: String

        func run() throws {
            var path = directory
            if !path.hasPrefix("/") {
                path = try backupDir() + "/" + path
            }
            try submitAndWait(
                Kinds.Backup.self,
                spoolOptions,
                parameters: Kinds.Backup.Parameters(directory: path),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no backup written" }
                return
                    "\(result.directory)\n\(ReportFormat.count(result.files, "file")), \(result.bytes) bytes "
                    + "(store \(result.databaseBytes) bytes, \(ReportFormat.count(result.jobs, "job")), "
                    + "\(ReportFormat.count(result.artifacts, "artifact"))), as of \(result.snapshotAt), in \(result.seconds) s"
            }
        }

        /// backup_dir of the config file (for a relative DIR).
        func backupDir() throws -> String {
            let path =
                spoolOptions.config
                ?? (FileManager.default.fileExists(atPath: "etc/mlopsd.yaml")
                    ? "etc/mlopsd.yaml" : "/etc/mlopsd/mlopsd.yaml")
            do {
                return try ConfigFile.load(path: path).backupDir
            } catch {
                throw ValidationError("a relative DIR needs backup_dir from the config \(path): \(error)")
            }
        }
    }
}
