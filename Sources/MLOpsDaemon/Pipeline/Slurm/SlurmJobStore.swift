import Foundation
import GRDB
import MLOpsCore

/// The `pipeline_slurm_jobs` table: which Slurm job runs which stage of which run, so that
/// a restarted daemon re-attaches instead of losing the run (docs/slurm.md).
enum SlurmJobStore {
    /// A stage's Slurm job as recorded.
    struct Record: Sendable, Equatable {
        var run: String
        var stage: PipelineStage
        var name: String
        /// Nil between the row and sbatch's answer (a daemon that died there finds the
        /// job by `name`).
        var jobID: String?
        var submittedAt: Date
        var startedAt: Date?
    }

    /// Records that `name` is about to be submitted for `stage` of `run`.
    static func submitting(_ db: Database, run: String, stage: PipelineStage, name: String, at: Date) throws {
        try db.execute(
            sql: "INSERT INTO pipeline_slurm_jobs (run_id, stage, job_name, submitted_at) VALUES (?, ?, ?, ?)",
            arguments: [run, stage.rawValue, name, Timestamp.string(at)]
        )
    }

    /// Records the job id sbatch gave.
    static func submitted(_ db: Database, run: String, stage: PipelineStage, jobID: String) throws {
        try db.execute(
            sql: "UPDATE pipeline_slurm_jobs SET job_id = ? WHERE run_id = ? AND stage = ? AND ended_at IS NULL",
            arguments: [jobID, run, stage.rawValue]
        )
    }

    /// Records when the job started on a node: Slurm's `StartTime`, which replaces a start
    /// recorded before Slurm gave one (mlopsd's clock when it first saw the job running).
    static func started(_ db: Database, run: String, stage: PipelineStage, at: Date) throws {
        try db.execute(
            sql:
                "UPDATE pipeline_slurm_jobs SET started_at = ? WHERE run_id = ? AND stage = ? AND ended_at IS NULL",
            arguments: [Timestamp.string(at), run, stage.rawValue]
        )
    }

    /// Records how the job ended (or that it never got submitted: `state` nil).
    static func ended(
        _ db: Database,
        run: String,
        stage: PipelineStage,
        state: String?,
        exitCode: String?,
        at: Date
    ) throws {
        try db.execute(
            sql:
                "UPDATE pipeline_slurm_jobs SET ended_at = ?, state = ?, exit_code = ? WHERE run_id = ? AND stage = ? AND ended_at IS NULL",
            arguments: [Timestamp.string(at), state, exitCode, run, stage.rawValue]
        )
    }

    /// The live (not ended) job of `stage` of `run`, if any.
    static func live(_ db: Database, run: String, stage: PipelineStage) throws -> Record? {
        guard
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT * FROM pipeline_slurm_jobs WHERE run_id = ? AND stage = ? AND ended_at IS NULL ORDER BY rowid DESC LIMIT 1",
                arguments: [run, stage.rawValue]
            )
        else { return nil }
        return Record(
            run: run,
            stage: stage,
            name: row["job_name"],
            jobID: row["job_id"],
            submittedAt: Timestamp.parse(row["submitted_at"] as String) ?? Date(),
            startedAt: (row["started_at"] as String?).flatMap(Timestamp.parse)
        )
    }

    /// Runs with a live Slurm job: a restart resumes them instead of interrupting them.
    static func attachableRuns(_ db: Database) throws -> Set<String> {
        let live = Set(
            try String.fetchAll(
                db,
                sql: "SELECT DISTINCT run_id FROM pipeline_slurm_jobs WHERE ended_at IS NULL"
            )
        )
        return live.intersection(try RunStore.ids(db, state: .running))
    }
}
