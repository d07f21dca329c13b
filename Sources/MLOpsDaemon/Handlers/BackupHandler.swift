import Foundation
import GRDB
import MLOpsCore

/// `backup`: staged (``StagedJobHandling``), so the copy runs beside the engine while other
/// jobs go on; its commit records the result. Backups run one at a time.
extension Kinds.Backup: StagedJobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        switch context.staging {
        case .staged(let value as Result): return .succeeded(value)
        case .rejected(let error): return .rejected(error)
        case .failed(let error): return .failed(error)
        default:
            return .failed(JobError(.internalError, "job \(job.id) reached its commit without its backup"))
        }
    }

    static func needsStaging(_ job: Job<Self>, config: DaemonConfig) -> Bool { true }

    static func stage(_ job: Job<Self>, context: StagingContext) -> StagingResult {
        let writer = BackupWriter(
            storePath: context.config.stateDir + "/mlopsd.sqlite",
            artifactsRoot: context.config.stateDir + "/artifacts",
            backupDir: context.config.backupDir,
            job: job.id
        )
        do {
            let target = try writer.destination(job.parameters.directory, mark: job.mark(ofParam: "directory"))
            return .staged(try writer.write(to: target, isCancelled: context.isCancelled))
        } catch {
            switch error {
            case .refused(let refusal): return .rejected(refusal)
            case .storage(let message):
                if context.isCancelled() { return .cancelled }
                return .failed(
                    JobError(
                        .writeFailed,
                        "the backup could not be written: \(message); nothing was left under its name",
                        at: job.mark(ofParam: "directory"),
                        fix: "free space in backup_dir or fix its permissions, then submit the backup again"
                    )
                )
            }
        }
    }
}
