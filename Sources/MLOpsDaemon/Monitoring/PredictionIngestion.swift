import Foundation
import GRDB
import MLOpsCore

/// A large prediction file read in blocks, checked row by row and stored in chunks beside
/// the engine, not seen until its job commits (``PendingIngestions``).
///
/// Memory is one block (``DataFile/blockSize``), the rows of one chunk and the ids seen (ids must be
/// unique within a file), not the file and a table of every row. Each chunk is its own
/// short transaction, so the engine's batches wait at most one chunk for the store. All or
/// nothing: at the first problem storing stops; the rest of the file is still read to list
/// its problems (as a whole-file read would), and what was stored is deleted again.
struct PredictionIngestion {
    /// Rows stored per transaction: about 50 ms of the store's time.
    static let chunkRows = 10_000

    let store: Store
    let job: String
    let model: String
    let version: String?
    /// RFC 3339: when the job runs (stored as `logged_at`).
    let now: String
    let parser: PredictionParser

    /// What was stored, for the job's result.
    struct Staged: Sendable {
        var received = 0
        var ingested = 0
        var labelled = 0
        var duplicates = 0
        var duplicateIds: [String] = []
        var ignoredColumns: [String] = []
    }

    /// Why an ingestion stopped without storing the file.
    enum Stop: Error {
        /// The file is refused (unreadable, malformed, or rows with problems).
        case refused(JobError)
        /// The store failed.
        case store(any Error)
        /// The daemon is stopping.
        case cancelled
    }

    /// Reads `file` (opened by ``DataFile/open(_:format:roots:maxBytes:mark:submitterUID:)``)
    /// and stores its rows as a pending ingestion; `source` names it in messages, `mark` is
    /// where the job names it. Deletes what an earlier attempt of the same job left first.
    func run(
        file: DataFile.Opened,
        source: String,
        mark: SourceMark?,
        maxColumns: Int,
        isCancelled: () -> Bool
    ) throws(Stop) -> Staged {
        try purge()
        var session = PredictionParser.Session(parser: parser)
        var staged = Staged()
        var begun = false

        /// Stores the records checked so far (nothing once a problem was found).
        func flush() throws(Stop) {
            let records = session.takeRecords()
            guard !records.isEmpty, !session.hasProblems else { return }
            do {
                try store.write { db in
                    if !begun { try PendingIngestions.begin(db, job: job, model: model, at: now) }
                    let inserter = try PredictionStore.inserter(db)
                    for record in records {
                        if try inserter.insert(record, model: model, version: version, now: now, job: job) {
                            staged.ingested += 1
                            if record.label != nil { staged.labelled += 1 }
                        } else {
                            staged.duplicates += 1
                            if staged.duplicateIds.count < 20 { staged.duplicateIds.append(record.id) }
                        }
                    }
                }
            } catch {
                throw .store(error)
            }
            begun = true
        }

        do {
            // A header that lacks a needed column is the one problem: no row is read.
            var readable = true
            try file.forEachRecord(
                maxRecords: MonitoringKinds.maxFileRecords,
                maxColumns: maxColumns,
                mark: mark,
                header: { readable = session.begin(header: $0) },
                row: { fields, line in if readable { session.add(fields: fields, line: line) } },
                object: { session.add(object: $0, line: $1) },
                afterBlock: {
                    if isCancelled() { throw Stop.cancelled }
                    try flush()
                }
            )
        } catch let stop as Stop {
            if case .store = stop {} else { try? purge() }
            throw stop
        } catch let error as JobError {
            try? purge()
            throw .refused(error)
        } catch {
            try? purge()
            throw .refused(JobError(.badArtifact, "cannot read \(file.path): \(error)", at: mark))
        }

        let outcome = session.outcome()
        if !outcome.problems.isEmpty {
            try purge()
            throw .refused(Kinds.LogPredictions.rejection(outcome, source: source, mark: mark))
        }
        staged.received = session.rows
        staged.ignoredColumns = outcome.ignoredColumns
        if !begun {
            // An empty file, or one of duplicates only: the commit still needs its ingestion.
            do {
                try store.write { db in try PendingIngestions.begin(db, job: job, model: model, at: now) }
            } catch {
                throw .store(error)
            }
        }
        return staged
    }

    /// Deletes what an ingestion of this job stored, in small transactions.
    func purge() throws(Stop) {
        do {
            try PendingIngestions.purge(store, job: job, batch: Self.chunkRows * 2)
        } catch {
            throw .store(error)
        }
    }
}
