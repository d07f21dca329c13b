import Foundation
import GRDB
import MLOpsClient
import MLOpsCore

/// The result of a long job (a `run-pipeline` job) after its handler returned: progress
/// documents while the work goes on, then exactly one final document.
///
/// The job's row in `jobs` stays `running` and its file stays in `active/` until
/// ``complete(_:job:status:result:error:at:)`` records the final state, in the same
/// transaction as the work's own final state; ``publish(_:)`` then writes the result
/// file and moves the job file to `done/` or `failed/`. After a crash between the two,
/// the engine's recovery finds the finished row and rewrites the result from it.
public struct LongJobs: Sendable {
    let spool: Spool

    /// What to write once the final state is committed.
    public struct Publication: Sendable {
        var resultName: String
        var document: Data
        var fileName: String
        var inode: UInt64
        var final: Bool
        var succeeded: Bool
    }

    /// The document for job `id` with `status` and `result`; for a final status the job's
    /// row is updated too. Nil when the job is unknown or already final.
    public static func complete(
        _ db: Database,
        job id: String,
        status: ResultDocument.Status,
        result: JSONValue?,
        error: JobError?,
        at: Date
    ) throws -> Publication? {
        guard let job = try JobStore.running(db, id: id) else { return nil }
        let document = ResultDocument(
            job: id,
            kind: job.kind,
            model: job.model,
            status: status,
            submittedBy: job.submittedBy,
            submittedAt: job.submittedAt,
            startedAt: job.startedAt,
            finishedAt: status.isFinal ? Timestamp.string(at) : nil,
            file: job.fileName,
            fileInode: job.inode,
            result: result,
            error: error.map { ResultDocument.ErrorInfo($0) }
        )
        let data = try document.encoded()
        if status.isFinal {
            try JobStore.finish(db, id: id, status: status, finishedAt: document.finishedAt, document: data)
        }
        return Publication(
            resultName: id + ".json",
            document: data,
            fileName: job.fileName,
            inode: job.inode,
            final: status.isFinal,
            succeeded: status == .succeeded
        )
    }

    /// Writes the result file (durably when final) and, when final, retires the job file.
    public func publish(_ publication: Publication) throws(SystemError) {
        try spool.results.writeAtomically(
            publication.resultName,
            data: publication.document,
            syncFile: publication.final,
            syncDirectory: publication.final
        )
        if publication.final {
            do {
                try spool.retire(publication.fileName, inode: publication.inode, succeeded: publication.succeeded)
            } catch  where error.errno == ENOENT {
                // Already moved (a recovery got there first): nothing left to do.
            }
        }
    }
}
