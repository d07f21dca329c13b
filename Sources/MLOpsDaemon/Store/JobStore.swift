import Foundation
import GRDB
import MLOpsCore

/// The owner of the `jobs` and `claims` tables: every job id that was accepted or rejected
/// with its result, and the files being processed with their attempts (the poison guard).
/// All SQL on the two tables is here; the engine calls these methods inside its batch
/// transactions.
enum JobStore {
    /// A job file's identity in the store: which file, with which content.
    struct FileIdentity {
        /// The file's device.
        var device: UInt64
        /// The file's inode.
        var inode: UInt64
        /// The file's name in the spool.
        var name: String
        /// The file's text ("" when unreadable).
        var content: String
    }

    /// A finished job recorded for a file: what a recovered file replays.
    struct Recorded {
        /// The job id.
        var id: String
        /// The kind, when the job had one.
        var kind: JobKind?
        /// The model, when the job named one.
        var model: String?
        /// The final state.
        var status: ResultDocument.Status
        /// The result document as written.
        var document: Data
    }

    /// Who holds a job id: its state and submitter.
    struct Holder {
        /// The job's state (`rejected`, `succeeded`, …).
        var state: String
        /// The submitter's uid.
        var submitterUID: Int64?
        /// The submitter's name.
        var submittedBy: String?
    }

    /// What the store holds for this very file (same device, inode, name and content).
    enum Found {
        /// A long job of this file is running (its file is still in active/).
        case running
        /// Its job finished and committed; a recovered file replays the result.
        case finished(Recorded)
    }

    /// The job recorded for this very file, if any: one look-up on the job path.
    static func recorded(_ db: Database, file: FileIdentity) throws -> Found? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, kind, model, state, result FROM jobs WHERE device = ? AND inode = ? AND file_name = ?
                        AND content = ? ORDER BY state = 'running' DESC LIMIT 1
                    """,
                arguments: [Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.name, file.content]
            )
        else { return nil }
        let state: String = row["state"]
        if state == ResultDocument.Status.running.rawValue { return .running }
        let result: String = row["result"] ?? "{}"
        return .finished(
            Recorded(
                id: row["id"],
                kind: (row["kind"] as String?).flatMap(JobKind.init(rawValue:)),
                model: row["model"],
                status: ResultDocument.Status(rawValue: state) ?? .failed,
                document: Data(result.utf8)
            )
        )
    }

    /// Counts one more attempt at processing the file (less `forgiven` attempts the daemon
    /// took back itself) and returns the count.
    static func countAttempt(_ db: Database, file: FileIdentity, forgiven: Int, at: Date) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                INSERT INTO claims (device, inode, file_name, attempts, first_at) VALUES (?, ?, ?, 1, ?)
                ON CONFLICT (device, inode) DO UPDATE SET attempts = MAX(1, attempts + 1 - ?)
                RETURNING attempts
                """,
            arguments: [
                Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.name, Timestamp.string(at),
                forgiven,
            ]
        ) ?? 1
    }

    /// Forgets the claim on a file: it finished (or its result is replayed).
    static func releaseClaim(_ db: Database, device: UInt64, inode: UInt64) throws {
        try db.execute(
            sql: "DELETE FROM claims WHERE device = ? AND inode = ?",
            arguments: [Int64(bitPattern: device), Int64(bitPattern: inode)]
        )
    }

    /// Who holds job id `id`, if anyone.
    static func holder(of id: String, _ db: Database) throws -> Holder? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT state, submitter_uid, submitted_by FROM jobs WHERE id = ?",
                arguments: [id]
            )
        else { return nil }
        return Holder(state: row["state"], submitterUID: row["submitter_uid"], submittedBy: row["submitted_by"])
    }

    /// Records job `id` of `file` with its result `document` (the row is replaced: an id
    /// only a rejected submission of the same submitter held is free again).
    static func record(
        _ db: Database,
        id: String,
        kind: JobKind?,
        model: String?,
        file: JobFile,
        document: ResultDocument,
        documentData: Data,
        attempts: Int
    ) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO jobs (id, kind, model, file_name, content, device, inode, submitter_uid,
                    submitted_by, submitted_at, state, attempts, started_at, finished_at, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, kind?.rawValue, model, file.name, file.text ?? "",
                Int64(bitPattern: file.device), Int64(bitPattern: file.inode), Int64(file.ownerUID),
                file.submittedBy, document.submittedAt, document.status.rawValue, attempts,
                document.startedAt, document.finishedAt, String(decoding: documentData, as: UTF8.self),
            ]
        )
    }

    /// A running job as recorded at its start: what its later result documents repeat.
    struct Running {
        /// The kind's name.
        var kind: String?
        /// The model.
        var model: String?
        /// Who submitted it.
        var submittedBy: String
        /// When.
        var submittedAt: String
        /// When it started.
        var startedAt: String?
        /// The job file's name.
        var fileName: String
        /// The job file's inode.
        var inode: UInt64
    }

    /// Job `id` when it is still running, else nil.
    static func running(_ db: Database, id: String) throws -> Running? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]),
            (row["state"] as String) == ResultDocument.Status.running.rawValue
        else { return nil }
        return Running(
            kind: row["kind"],
            model: row["model"],
            submittedBy: row["submitted_by"],
            submittedAt: row["submitted_at"],
            startedAt: row["started_at"],
            fileName: row["file_name"],
            inode: UInt64(bitPattern: row["inode"] as Int64)
        )
    }

    /// Records the final state and result of a long job.
    static func finish(
        _ db: Database,
        id: String,
        status: ResultDocument.Status,
        finishedAt: String?,
        document: Data
    ) throws {
        try db.execute(
            sql: "UPDATE jobs SET state = ?, finished_at = ?, result = ? WHERE id = ?",
            arguments: [status.rawValue, finishedAt, String(decoding: document, as: UTF8.self), id]
        )
    }

    /// How many jobs the store records (a backup reports it).
    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0
    }
}
