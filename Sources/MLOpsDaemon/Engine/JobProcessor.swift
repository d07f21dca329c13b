import Foundation
import GRDB
import Logging
import MLOpsClient
import MLOpsCore

/// Turns claimed job files (in `active/`) into exactly one final result each.
///
/// A batch goes through two store transactions: the first counts an attempt for every file
/// (so a job that kills the daemon is failed after `max_attempts`, not retried forever),
/// the second runs every job's effects in its own savepoint and records its completion in
/// the same commit. Only then are the result files written (temp, fsync, rename, one fsync
/// of `results/` per batch) and the job files moved to `done/` or `failed/`. After a crash
/// a file whose completion is recorded is recognised by its identity (device, inode, name,
/// content) and its result is rewritten from the record instead of running it again.
///
/// Not thread-safe: the engine calls it from its one serial queue only.
final class JobProcessor {
    let spool: Spool
    let store: Store
    let handlers: HandlerRegistry
    let logger: Logger
    let registry: ModelRegistry?
    /// Pipeline definitions and scheduler, for `run-pipeline` and friends.
    var pipelines: PipelineService?
    /// Deferred work of the jobs of the batch being committed.
    private var deferred: [AfterCommit] = []
    /// The job of each model (or model-less kind) being staged (``StagedJobHandling``).
    private var staging: [String: Item] = [:]
    /// Jobs of a model held back behind its staged job, in submission order.
    private var waiting: [String: [Item]] = [:]
    /// Staging to start once the batch that set the jobs aside has committed.
    private var requests: [StagingRequest] = []
    /// Attempts counted for claims whose batch then failed with an error this process
    /// handled (a full disk, an I/O error): not crashes, so they are taken back at the next
    /// attempt and a long disk-full spell never poisons a job (docs/reliability.md (Disk full and I/O errors)).
    private var forgiven: [ClaimKey: Int] = [:]

    /// A claimed file's identity in the `claims` table.
    private struct ClaimKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(spool: Spool, store: Store, handlers: HandlerRegistry, logger: Logger, registry: ModelRegistry? = nil) {
        self.spool = spool
        self.store = store
        self.handlers = handlers
        self.logger = logger
        self.registry = registry
    }

    /// One finished job, as reported to the engine.
    struct Finished: Sendable {
        var id: String
        var kind: JobKind?
        var model: String?
        var status: ResultDocument.Status
        var resultName: String
        var replayed: Bool
        var error: JobError?
    }

    /// Why a batch stopped before every job had its result.
    enum BatchError: Error, CustomStringConvertible {
        /// The store refused a transaction; `errno` and `path` of the failed system call
        /// when SQLite logged one.
        case store(String, errno: Int32?, path: String?)
        /// A spool write (result file, job file move) failed.
        case spool(SystemError)
        /// A handler's write (artifact copy, serving link) failed on the disk.
        case storage(StorageFailure)
        var description: String {
            switch self {
            case .store(let text, _, _): return "state database: \(text)"
            case .spool(let error): return "spool: \(error)"
            case .storage(let failure): return "\(failure)"
            }
        }

        /// The errno behind the failure, when known.
        var errno: Int32? {
            switch self {
            case .store(_, let errno, _): return errno
            case .spool(let error): return error.errno
            case .storage(let failure): return failure.error.errno
            }
        }

        /// The failure as the engine reports it: a store error of `error`, with the errno
        /// of SQLite's failed system call (`systemErrno`) when it was the disk.
        static func store(_ error: any Error, since: Date, systemErrno: Int32?) -> BatchError {
            if let storage = error as? StorageFailure { return .storage(storage) }
            let logged = SQLiteErrorLog.latest(since: since)
            let systemErrno = logged?.errno ?? systemErrno
            var errno: Int32?
            if let database = error as? DatabaseError {
                switch database.resultCode {
                case .SQLITE_FULL: errno = systemErrno ?? ENOSPC
                case .SQLITE_IOERR: errno = systemErrno ?? EIO
                case .SQLITE_READONLY: errno = systemErrno ?? EROFS
                case .SQLITE_CANTOPEN: errno = systemErrno ?? EACCES
                default: errno = nil
                }
            }
            return .store(
                "\(error)",
                errno: errno,
                path: errno == nil ? nil : logged.map(\.path).flatMap { $0.isEmpty ? nil : $0 }
            )
        }
    }

    private enum Disposition {
        /// A valid job to run.
        case execute(ValidatedJob)
        /// Ends without running: rejected (or failed, for a poison job) with these errors.
        case conclude(ResultDocument.Status, [JobError])
        /// Already finished before a restart: rewrite this result document.
        case replay(status: ResultDocument.Status, document: Data)
    }

    private struct Item {
        var file: JobFile
        var id: String?
        var kind: JobKind?
        var model: String?
        var attempts = 0
        var disposition: Disposition
        var resultName = ""
        var document: ResultDocument?
        var documentData = Data()
        var status: ResultDocument.Status = .failed
        var error: JobError?
        var replayed = false
        /// A long job (a pipeline run) still in progress: its file stays in `active/` and
        /// nothing is done with it here.
        var inFlight = false
        /// The result of its staging, once a staged job comes back to be committed.
        var staging: StagingResult?
        /// When it was set aside to be staged: its `started_at`.
        var stagedAt: Date?
    }

    /// Staging work for the engine to start (``Stager``): a job set aside because its data
    /// file is large.
    struct StagingRequest: Sendable {
        /// What later jobs wait on: the job's model, or `kind:<kind>` for a kind without one.
        var key: String
        /// The job's id.
        var job: String
        /// The work, given the context the engine builds.
        var work: @Sendable (StagingContext) -> StagingResult
        /// Who submitted the job.
        var submitterUID: UInt32
    }

    /// The staging to start now; the engine calls this after every batch.
    func takeStagingRequests() -> [StagingRequest] {
        defer { requests = [] }
        return requests
    }

    /// Files of `active/` that are set aside (staged, or held behind a staged job): the
    /// retry of `active/` leaves them alone.
    var heldNames: Set<String> {
        var names = Set(staging.values.map(\.file.name))
        for items in waiting.values { names.formUnion(items.map(\.file.name)) }
        return names
    }

    /// Jobs being staged, by model (for the status).
    var stagingJobs: [String] { staging.values.compactMap(\.id).sorted() }

    /// Finishes the staged job held under `key` with `result` (its work returned), then the
    /// jobs held behind it, in submission order (one of them may be staged in turn).
    func resume(key: String, result: StagingResult, config: DaemonConfig) throws(BatchError) -> [Finished] {
        guard var item = staging.removeValue(forKey: key) else { return [] }
        item.staging = result
        let items = [item] + (waiting.removeValue(forKey: key) ?? [])
        do {
            return try finishBatch(items, config: config, unmovable: false)
        } catch {
            forgive(items)
            throw error
        }
    }

    /// Drops the staged job held under `key` and the jobs held behind it: their files stay
    /// in `active/`, where the retry of `active/` (or the next start) runs them again; the
    /// attempt counted for them is taken back (not a crash).
    func abandon(key: String) {
        var items = waiting.removeValue(forKey: key) ?? []
        if let item = staging.removeValue(forKey: key) { items.insert(item, at: 0) }
        forgive(items)
    }

    /// Takes back the attempts counted for `items` (their batch failed with a handled error).
    private func forgive(_ items: [Item]) {
        for item in items where item.attempts > 0 {
            forgiven[ClaimKey(device: item.file.device, inode: item.file.inode), default: 0] += 1
        }
    }

    /// Processes the claimed files `names` (in `active/`) as one batch. With
    /// `unmovable`, `names` are entries of `incoming/` that could not be claimed
    /// (``Spool/ClaimOutcome/unmovable``): each is rejected where it is and set aside; one
    /// that turned out to be a regular file after all is left for a normal claim.
    func process(_ names: [String], config: DaemonConfig, unmovable: Bool = false) throws(BatchError) -> [Finished] {
        let batchStart = Date()
        let maxBytes = config.maxJobBytes
        var items = names.map { name in
            Item(
                file: JobFile.read(name, in: unmovable ? spool.incoming : spool.active, maxBytes: maxBytes),
                disposition: .conclude(.failed, [])
            )
        }
        if unmovable { items.removeAll { $0.file.problem?.code != .notRegularFile } }

        // 1. Replays and attempt counts, before any parsing (the parser could be what crashes).
        do {
            try store.write { db in
                for i in items.indices {
                    try self.countAttempt(&items[i], db: db, maxAttempts: config.maxAttempts)
                }
            }
        } catch {
            throw .store(error, since: batchStart, systemErrno: store.lastSystemErrno())
        }
        for item in items { forgiven[ClaimKey(device: item.file.device, inode: item.file.inode)] = nil }
        do {
            return try finishBatch(items, config: config, unmovable: unmovable)
        } catch {
            // Handled, not a crash: this attempt does not count towards max_attempts.
            forgive(items)
            throw error
        }
    }

    /// Steps 2 to 4 of ``process(_:config:unmovable:)``, after the attempts were counted.
    private func finishBatch(_ counted: [Item], config: DaemonConfig, unmovable: Bool) throws(BatchError) -> [Finished]
    {
        // Its own start: a failure here is explained only by SQLite log entries from these steps.
        let batchStart = Date()
        var items = counted

        items.removeAll { $0.inFlight }

        // 2. Validation (no I/O).
        let limits = YAMLLimits(maxDepth: config.maxYamlDepth)
        // Replayed items (attempts 0) need no validation; poison ones must not be parsed.
        for i in items.indices
        where items[i].attempts > 0 && items[i].attempts <= config.maxAttempts && items[i].staging == nil {
            validate(&items[i], limits: limits)
        }

        // 2b. Jobs with a large data file are staged beside the engine; later jobs of their
        // model wait for them.
        items = setAside(items, config: config)
        guard !items.isEmpty else { return [] }

        // 3. Effects and completion records, one commit for the batch.
        let started = Date()
        deferred = []
        do {
            try store.write { db in
                for i in items.indices where !items[i].replayed {
                    try self.finish(&items[i], db: db, started: started, config: config)
                }
            }
        } catch {
            deferred = []
            // A handler may have switched a serving link before the commit failed: put
            // the links back to what the store says.
            if let registry { registry.reconcile(store: store, config: config, logger: logger) }
            throw .store(error, since: batchStart, systemErrno: store.lastSystemErrno())
        }
        for work in deferred { work.run() }
        deferred = []

        // 4. Result files, durable before any job file moves.
        do {
            for item in items {
                try spool.results.writeAtomically(item.resultName, data: item.documentData, syncDirectory: false)
            }
            try spool.results.sync()
            for item in items where item.status.isFinal {
                if unmovable {
                    try spool.setAside(item.file.name, inode: item.file.inode)
                } else {
                    try spool.retire(
                        item.file.name,
                        as: item.file.retiredName,
                        inode: item.file.inode,
                        succeeded: item.status == .succeeded
                    )
                }
            }
        } catch {
            throw .spool(error)
        }
        return items.map {
            Finished(
                id: $0.id ?? $0.resultName,
                kind: $0.kind,
                model: $0.model,
                status: $0.status,
                resultName: $0.resultName,
                replayed: $0.replayed,
                error: $0.error
            )
        }
    }

    // MARK: - Steps

    /// The items to run now: jobs of a model with a staged job are held back behind it, and
    /// a job whose data file must be staged is set aside with a ``StagingRequest`` (when
    /// its model is registered and its id free; otherwise it runs, and is refused, here).
    private func setAside(_ items: [Item], config: DaemonConfig) -> [Item] {
        var kept: [Item] = []
        for item in items {
            guard item.staging == nil, !item.replayed, case .execute(let job) = item.disposition else {
                kept.append(item)
                continue
            }
            if let model = job.model, staging[model] != nil || waiting[model] != nil {
                waiting[model, default: []].append(item)
                continue
            }
            guard let handler = handlers.handler(for: job.kind) as? any StagedJobHandling.Type,
                handler.needsStaging(validated: job, config: config), mayStage(job)
            else {
                kept.append(item)
                continue
            }
            // A kind without a model (backup) is staged one job at a time, holding back
            // only its own kind.
            let key = job.model ?? "kind:" + job.kind.rawValue
            if staging[key] != nil {
                waiting[key, default: []].append(item)
                continue
            }
            var staged = item
            staged.stagedAt = Date()
            staging[key] = staged
            requests.append(
                StagingRequest(
                    key: key,
                    job: job.id,
                    work: { context in handler.stage(validated: job, context: context) },
                    submitterUID: item.file.ownerUID
                )
            )
        }
        return kept
    }

    /// Whether `job` may be staged: its model (if it names one) is registered and its id
    /// was never used (a job that will be refused for either is refused at once, in its batch).
    private func mayStage(_ job: ValidatedJob) -> Bool {
        let ok = try? store.read { db in
            try (job.model.map { try ModelSpecs.names(db).contains($0) } ?? true)
                && JobStore.holder(of: job.id, db) == nil
        }
        return ok ?? false
    }

    private func countAttempt(_ item: inout Item, db: Database, maxAttempts: Int) throws {
        let file = item.file
        let identity = JobStore.FileIdentity(
            device: file.device,
            inode: file.inode,
            name: file.name,
            content: file.text ?? ""
        )
        switch try JobStore.recorded(db, file: identity) {
        case .running:
            item.inFlight = true
            return
        case .finished(let recorded):
            item.id = recorded.id
            item.kind = recorded.kind
            item.model = recorded.model
            item.status = recorded.status
            item.replayed = true
            item.resultName = "\(recorded.id).json"
            item.documentData = recorded.document
            item.disposition = .replay(status: item.status, document: item.documentData)
            try JobStore.releaseClaim(db, device: file.device, inode: file.inode)
            return
        case nil:
            break
        }
        let takenBack = forgiven[ClaimKey(device: file.device, inode: file.inode)] ?? 0
        let attempts = try JobStore.countAttempt(db, file: identity, forgiven: takenBack, at: Date())
        item.attempts = attempts
        if attempts > maxAttempts {
            item.id = file.derivedID ?? JobValidator.idFromFileName(file.name)
            item.disposition = .conclude(
                .failed,
                [
                    JobError(
                        .poison,
                        "processing this job began \(attempts - 1) times and each time the daemon stopped before it finished; it was not run again (max_attempts = \(maxAttempts))",
                        fix:
                            "check the journal for the crash (journalctl -u mlopsd), fix the cause, and submit the job again under a new id"
                    )
                ]
            )
        }
    }

    private func validate(_ item: inout Item, limits: YAMLLimits) {
        let name = item.file.name
        guard let text = item.file.text else {
            item.id = item.file.derivedID ?? JobValidator.idFromFileName(name)
            item.disposition = .conclude(
                .rejected,
                [item.file.problem ?? JobError(.unreadable, "the job file could not be read")]
            )
            return
        }
        switch JobValidator.validate(
            text: text,
            fileName: name,
            limits: limits,
            declaration: { self.handlers.declaration(for: $0) }
        ) {
        case .valid(let job):
            item.id = job.id
            item.kind = job.kind
            item.model = job.model
            item.disposition = .execute(job)
        case .rejected(let id, let kind, let model, let failure):
            item.id = id
            item.kind = kind
            item.model = model
            item.disposition = .conclude(.rejected, failure.errors)
        }
    }

    private func finish(_ item: inout Item, db: Database, started: Date, config: DaemonConfig) throws {
        let file = item.file
        try JobStore.releaseClaim(db, device: file.device, inode: file.inode)
        // Who owns the id? A free id is ours; so is one that only a rejected submission of
        // the same submitter used (fix the file, resubmit). Another submitter's rejected
        // result is never replaced: results/<id>.json is theirs.
        var idIsOurs = false
        if let id = item.id {
            let record = try JobStore.holder(of: id, db)
            let state = record?.state
            let holderUID = record?.submitterUID
            let holder = record?.submittedBy ?? "another user"
            let sameSubmitter = holderUID == Int64(file.ownerUID)
            idIsOurs = state == nil || (state == "rejected" && sameSubmitter)
            item.resultName = idIsOurs ? "\(id).json" : "\(id)+\(file.inode).json"
            if !idIsOurs, case .execute = item.disposition {
                let error =
                    state == "rejected"
                    ? JobError(
                        .duplicateID,
                        "the id `\(id)` belongs to a job that \(holder) submitted (results/\(id).json); only they may reuse it",
                        fix: "give this job a new `id:` (or a new file name)"
                    )
                    : JobError(
                        .duplicateID,
                        "a job with id `\(id)` was already accepted (results/\(id).json); ids are never reused",
                        fix: "give this job a new `id:` (or a new file name)"
                    )
                item.disposition = .conclude(.rejected, [error])
            }
        } else {
            item.resultName = "\(Self.sanitized(file.name))+\(file.inode).json"
        }

        var result: JSONValue?
        var errors: [JobError] = []
        switch item.disposition {
        case .replay:
            return
        case .conclude(let status, let concluded):
            item.status = status
            errors = concluded
        case .execute(let job):
            (item.status, result, errors) = try run(job, file: file, staging: item.staging, db: db, config: config)
        }
        item.error = errors.first
        let finished = Date()
        let isFinal = item.status.isFinal
        let document = ResultDocument(
            job: item.id ?? item.resultName.replacingOccurrences(of: ".json", with: ""),
            kind: item.kind?.rawValue,
            model: item.model,
            status: item.status,
            submittedBy: file.submittedBy,
            submittedAt: Timestamp.string(file.submittedAt),
            startedAt: Timestamp.string(item.stagedAt ?? started),
            finishedAt: isFinal ? Timestamp.string(finished) : nil,
            file: file.displayName,
            fileInode: file.inode,
            result: result,
            error: errors.first.map { ResultDocument.ErrorInfo($0, more: Array(errors.dropFirst())) }
        )
        item.document = document
        item.documentData = try document.encoded()
        if let id = item.id, idIsOurs {
            try JobStore.record(
                db,
                id: id,
                kind: item.kind,
                model: item.model,
                file: file,
                document: document,
                documentData: item.documentData,
                attempts: item.attempts
            )
        }
    }

    /// Runs a valid job's handler in a savepoint: its effects stay only if it succeeded.
    private func run(
        _ job: ValidatedJob,
        file: JobFile,
        staging: StagingResult?,
        db: Database,
        config: DaemonConfig
    ) throws
        -> (ResultDocument.Status, JSONValue?, [JobError])
    {
        guard let handler = handlers.handler(for: job.kind) else {
            // HandlerRegistry.standard has every kind; only a registry built without one gets here.
            return (
                .failed, nil, [JobError(.internalError, "no handler is registered for kind `\(job.kind.rawValue)`")]
            )
        }
        if handler.modelRule.mustBeRegistered, let model = job.model {
            let known = try ModelSpecs.names(db)
            if !known.contains(model) {
                let close = Suggestion.closest(to: model, among: known)
                return (
                    .rejected, nil,
                    [
                        JobError(
                            .unknownModel,
                            "model `\(model)` is not registered",
                            at: job.modelMark,
                            fix: close.map { "did you mean `\($0)`?" }
                                ?? "register it first with a `register-model` job"
                        )
                    ]
                )
            }
        }
        let afterCommit = AfterCommit()
        var context = JobContext(
            submittedBy: file.submittedBy,
            submitterUID: file.ownerUID,
            now: Date(),
            config: config,
            logger: logger,
            registry: registry,
            afterCommit: afterCommit,
            pipelines: pipelines,
            reports: spool.reports
        )
        context.staging = staging
        var outcome: JobOutcome = .failed(JobError(.internalError, "the job did not finish"))
        try db.inSavepoint {
            do {
                outcome = try handler.execute(validated: job, context: context, db: db)
            } catch let error as JobError {
                outcome = .failed(error)
            } catch let error as DatabaseError {
                throw error  // the store itself failed: the whole batch is retried
            } catch let error as StorageFailure {
                throw error  // the disk failed a handler's write: the whole batch is retried
            } catch {
                outcome = .failed(JobError(.internalError, "\(error)"))
            }
            switch outcome {
            case .succeeded, .failedKeepingRecords, .started: return .commit
            case .failed, .rejected: return .rollback
            }
        }
        switch outcome {
        case .succeeded, .failedKeepingRecords, .started: deferred.append(afterCommit)
        case .failed, .rejected: break
        }
        switch outcome {
        case .started(let value): return (.running, value, [])
        case .succeeded(let value): return (.succeeded, value, [])
        case .failed(let error, let value), .failedKeepingRecords(let error, let value):
            return (.failed, value, [error])
        case .rejected(let error): return (.rejected, nil, [error])
        }
    }

    /// A file name made safe to use in a result name: characters outside the id alphabet
    /// become `_`, and the extension goes.
    static func sanitized(_ name: String) -> String {
        var stem = Substring(name)
        for ext in [".yaml", ".yml"] where stem.hasSuffix(ext) {
            stem = stem.dropLast(ext.count)
            break
        }
        let cleaned = String(
            stem.unicodeScalars.prefix(100).map { scalar -> Character in
                let ok =
                    (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                    || scalar == "." || scalar == "_" || scalar == "-"
                return ok ? Character(scalar) : "_"
            }
        )
        let trimmed = cleaned.drop(while: { $0 == "." })
        return trimmed.isEmpty ? "job" : String(trimmed)
    }
}
