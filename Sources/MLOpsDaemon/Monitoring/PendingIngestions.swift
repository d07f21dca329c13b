import Foundation
import GRDB
import MLOpsCore

/// The one owner of the `ingestions` table: predictions of a large file stored beside the
/// engine, in chunks, before the job that logs them commits.
///
/// Exactly-once and all-or-nothing hold as for a file stored inside its job's transaction:
/// - rows of an ingestion are in `predictions` but every reader of the model stops below
///   the ingestion's `first_seq` (``visibleBelow(_:model:)``): no other job of the model
///   runs while it goes on (the engine holds them back), so every row of the model at or
///   above `first_seq` is the ingestion's;
/// - the job's commit deletes its row here (``commit(_:job:)``), in the transaction that
///   records the job's completion: the rows are seen from that commit on, never before;
/// - a job that ends another way, and every ingestion a stopped daemon left, has its rows
///   deleted (``purge(_:job:limit:)``, ``purgeAll(_:)``) before its job runs again.
enum PendingIngestions {
    /// Records the ingestion of job `job` for `model`, starting now: its rows will be the
    /// predictions stored from this transaction on.
    static func begin(_ db: Database, job: String, model: String, at: String) throws {
        try db.execute(
            sql: "INSERT INTO ingestions (job_id, model, first_seq, started_at) VALUES (?, ?, ?, ?)",
            arguments: [job, model, try PredictionStore.nextSeq(db), at]
        )
    }

    /// Whether job `job` has an ingestion under way.
    static func exists(_ db: Database, job: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM ingestions WHERE job_id = ?", arguments: [job]) ?? false
    }

    /// Makes the rows of job `job` seen (in the job's own commit); false when it has no
    /// ingestion (its rows were deleted).
    static func commit(_ db: Database, job: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM ingestions WHERE job_id = ?", arguments: [job])
        return db.changesCount == 1
    }

    /// The `seq` below which the predictions of `model` are seen: the first row of an
    /// ingestion under way, or nil when none is.
    static func visibleBelow(_ db: Database, model: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(first_seq) FROM ingestions WHERE model = ?", arguments: [model])
    }

    /// Deletes up to `limit` rows of job `job`'s ingestion, and the ingestion itself once
    /// none is left; returns true when it is gone. Small transactions, so the engine never
    /// waits long behind one.
    static func purge(_ db: Database, job: String, limit: Int) throws -> Bool {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT model, first_seq FROM ingestions WHERE job_id = ?",
                arguments: [job]
            )
        else { return true }
        let model: String = row["model"]
        let first: Int64 = row["first_seq"]
        let deleted = try PredictionStore.deleteLogged(db, model: model, from: first, job: job, limit: limit)
        if deleted < limit {
            try db.execute(sql: "DELETE FROM ingestions WHERE job_id = ?", arguments: [job])
            return true
        }
        return false
    }

    /// The jobs with an ingestion under way (at start: what a stopped daemon left).
    static func jobs(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT job_id FROM ingestions ORDER BY job_id")
    }

    /// Deletes every ingestion and its rows, in transactions of `batch` rows: at start,
    /// before any job runs, so a job whose file was being stored runs again from nothing.
    /// Returns how many ingestions there were.
    @discardableResult
    static func purgeAll(_ store: Store, batch: Int = 20_000) throws -> Int {
        let jobs = try store.read { try Self.jobs($0) }
        for job in jobs { try purge(store, job: job, batch: batch) }
        return jobs.count
    }

    /// Deletes job `job`'s ingestion and its rows in transactions of `batch` rows (the
    /// engine never waits long behind one).
    static func purge(_ store: Store, job: String, batch: Int = 20_000) throws {
        while try !store.write({ try Self.purge($0, job: job, limit: batch) }) {}
    }
}
