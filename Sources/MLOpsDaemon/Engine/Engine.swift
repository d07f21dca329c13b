import Dispatch
import Foundation
import Glibc
import Logging
import MLOpsClient
import MLOpsCore

/// The loop that turns files in `incoming/` into results.
///
/// Everything mutable here is isolated to ``EngineActor``, whose executor is `queue`, one
/// serial Dispatch queue: inotify events, rescans, batches, timers and the watchdog ping
/// all run on it, so a batch that hangs also stops the watchdog pings and systemd restarts
/// the daemon. The compiler checks every access; Dispatch callbacks enter the actor with
/// ``EngineActor/assumeIsolated(_:)``.
@EngineActor
public final class Engine {

    /// Counters for the status line and `status.json`.
    public struct Counters: Sendable, Equatable {
        public var succeeded = 0
        public var failed = 0
        public var rejected = 0
        public var replayed = 0
        public init() {}
    }

    /// The engine's serial queue (``EngineActor/queue``).
    public nonisolated let queue: DispatchQueue
    let spool: Spool
    let store: Store
    let processor: JobProcessor
    let logger: Logger
    private(set) var config: DaemonConfig

    /// Names to look at, oldest first; `pending[pendingHead...]` are still waiting.
    private var pending: [String] = []
    private var pendingHead = 0
    private var pendingSet: Set<String> = []
    /// Names that were still being written; looked at again by `busyTimer`.
    private var busyNames: Set<String> = []
    /// Names an inotify event reported as closed or renamed in (so finished).
    private var announced: Set<String> = []
    private var drainScheduled = false
    /// Set while a pass over names claimed by their bytes is queued.
    private var rawNamesScheduled = false
    private var stopping = false
    private var watcher: DirectoryWatcher?
    private var rescanTimer: DispatchSourceTimer?
    private var retryTimer: DispatchSourceTimer?
    /// Set while claiming is paused after a claim failed on the disk.
    private var claimRetryTimer: DispatchSourceTimer?
    private var busyTimer: DispatchSourceTimer?
    private(set) var counters = Counters()
    /// Finished jobs by kind and status since start, for the metrics.
    private(set) var tally = JobTally()
    /// When the last batch (or recovered job) finished; nil before the first.
    private(set) var lastBatchAt: Date?
    /// Bumped whenever a job may have changed the registered models.
    private(set) var modelsGeneration = 0
    /// Called after each batch (the daemon refreshes its status from it).
    var onBatch: (@EngineActor () -> Void)?
    /// Whether the daemon's writes work; failed batches are reported here.
    var health: StorageHealth { storageAlert.health }
    /// The alert that follows ``health``.
    private let storageAlert: StorageAlert
    /// Failed retries of `active/` in a row, for the backoff.
    private var retryFailures = 0
    /// Runs the staging of large data files beside the engine (``StagedJobHandling``).
    let stager = Stager()

    init(
        spool: Spool,
        store: Store,
        handlers: HandlerRegistry,
        config: DaemonConfig,
        logger: Logger,
        registry: ModelRegistry? = nil,
        pipelines: PipelineService? = nil,
        health: StorageHealth = StorageHealth()
    ) {
        self.queue = EngineActor.queue
        self.spool = spool
        self.store = store
        self.config = config
        self.logger = logger
        self.storageAlert = StorageAlert(health: health, store: store, logger: logger)
        let processor = JobProcessor(spool: spool, store: store, handlers: handlers, logger: logger, registry: registry)
        processor.pipelines = pipelines
        self.processor = processor
    }

    /// Jobs waiting in `incoming/` as far as the engine knows.
    var queueDepth: Int { pending.count - pendingHead + busyNames.count }

    /// Starts watching, finishes what a crash left in `active/`, then scans `incoming/`;
    /// returns once the engine is serving.
    func start() throws(SystemError) {
        // Watch first so that nothing dropped during recovery is missed.
        watcher = try DirectoryWatcher(path: spool.incoming.path, queue: queue, creations: true) { [weak self] events in
            EngineActor.assumeIsolated { self?.handle(events) }
        }
        storageAlert.inherit()
        recoverActive()
        rescan(reason: "start")
        scheduleRescans()
    }

    /// Applies a reloaded config.
    func apply(_ newConfig: DaemonConfig) {
        config = newConfig
        scheduleRescans()
        kick()
    }

    /// Stops taking new jobs. Being on the actor, it runs between batches, never during one.
    func stop() {
        stopping = true
        stager.cancel()
        watcher?.cancel()
        watcher = nil
        rescanTimer?.cancel()
        retryTimer?.cancel()
        claimRetryTimer?.cancel()
        busyTimer?.cancel()
    }

    // MARK: - Events

    private func handle(_ events: [DirectoryWatcher.Event]) {
        for event in events {
            switch event {
            case .overflow:
                logger.warning(
                    "inotify queue overflowed; rescanning incoming/",
                    metadata: ["event": LogEvent.spoolOverflow.metadataValue]
                )
                rescan(reason: "overflow")
            case .file(let name) where Engine.mayBeRawName(name):
                // Not UTF-8 (inotify's name was decoded with replacement characters) or a
                // control character: a pass over the directory's bytes claims it.
                scheduleRawNames()
                if !Spool.needsRawHandling(name) { enqueue(name) }  // a real U+FFFD, perhaps
            case .created(let name) where Engine.mayBeRawName(name):
                scheduleRawNames()
            case .file(let name):
                guard !Spool.isIgnored(name) else { continue }
                announced.insert(name)
                enqueue(name)
            case .created(let name):
                guard !Spool.isIgnored(name) else { continue }
                enqueue(name)
            }
        }
        kick()
    }

    /// Whether an inotify name may stand for a name that must be claimed by its bytes.
    private static func mayBeRawName(_ name: String) -> Bool {
        name.unicodeScalars.contains { $0 == "\u{FFFD}" } || Spool.needsRawHandling(name)
    }

    /// Queues one pass of ``claimRawNames()`` unless one is queued.
    private func scheduleRawNames() {
        guard !rawNamesScheduled, !stopping else { return }
        rawNamesScheduled = true
        queue.async { EngineActor.assumeIsolated { self.claimRawNames() } }
    }

    /// Claims (up to `batch_size`) and processes the files of `incoming/` whose names are
    /// not UTF-8 or hold a control character (``Spool/claimRawNames(limit:)``): each is
    /// rejected `invalid_id` under an id derived from its bytes. Waits, like any claim,
    /// while a failed batch or claim waits for its retry.
    private func claimRawNames() {
        rawNamesScheduled = false
        guard !stopping, retryTimer == nil, claimRetryTimer == nil else { return }
        let claimed: [String]
        let more: Bool
        do {
            (claimed, more) = try spool.claimRawNames(limit: config.batchSize)
        } catch {
            logger.error(
                "cannot claim a file of incoming/ whose name is not UTF-8 or holds a control character: \(error); it is tried again at the next rescan",
                metadata: ["event": LogEvent.internalError.metadataValue]
            )
            return
        }
        if !claimed.isEmpty { runBatch(claimed) }
        if more { scheduleRawNames() }
    }

    private func enqueue(_ name: String) {
        if pendingSet.insert(name).inserted { pending.append(name) }
    }

    private func rescan(reason: String) {
        do {
            let names = try spool.scanIncoming()
            for name in names { enqueue(name) }
            if reason != "periodic" || !names.isEmpty {
                logger.debug(
                    "rescanned incoming/: \(names.count) files",
                    metadata: ["event": LogEvent.spoolRescan.metadataValue, "reason": "\(reason)"]
                )
            }
        } catch {
            logger.error("cannot list incoming/: \(error)", metadata: ["event": LogEvent.internalError.metadataValue])
        }
        scheduleRawNames()
        kick()
    }

    private func scheduleRescans() {
        rescanTimer?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = config.rescanInterval
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(500))
        timer.setEventHandler { [weak self] in EngineActor.assumeIsolated { self?.rescan(reason: "periodic") } }
        timer.resume()
        rescanTimer = timer
    }

    /// Schedules one drain pass unless one is already queued. While a failed batch waits
    /// in `active/` for its retry, or a claim failed on the disk, nothing new is claimed:
    /// later jobs must not overtake earlier ones (a promotion before its version).
    private func kick() {
        guard !drainScheduled, !stopping, pendingHead < pending.count, retryTimer == nil, claimRetryTimer == nil else {
            return
        }
        drainScheduled = true
        queue.async { EngineActor.assumeIsolated { self.drain() } }
    }

    /// Claims up to `batch_size` ready files and processes them; then yields the queue
    /// (timers, signals) before the next batch.
    private func drain() {
        drainScheduled = false
        guard !stopping else { return }
        var claimed: [String] = []
        var unmovable: [String] = []
        var busy: [String] = []
        let batchSize = config.batchSize
        claiming: while claimed.count < batchSize, pendingHead < pending.count {
            let name = pending[pendingHead]
            pendingHead += 1
            pendingSet.remove(name)
            let closed = announced.remove(name) != nil
            switch spool.readiness(of: name, closedOrMoved: closed, settle: 2) {
            case .ignore:
                continue
            case .busy:
                busy.append(name)
            case .ready:
                do {
                    switch try spool.claim(name) {
                    case .claimed:
                        claimed.append(name)
                        health.succeeded(site: "claims")
                    case .nameInUse: busy.append(name)
                    case .gone: continue
                    case .unmovable: unmovable.append(name)
                    }
                } catch {
                    if StorageFailure.isStorageErrno(error.errno) {
                        health.failed(
                            site: "claims",
                            path: spool.incoming.path + "/" + name,
                            errno: error.errno,
                            message:
                                "cannot claim incoming/\(name): \(error); it stays in incoming/ and is tried again",
                            logger: logger
                        )
                        // Keep the submission order: this file stays first, and claiming
                        // pauses until the retry (the files claimed so far still run).
                        pendingHead -= 1
                        pendingSet.insert(name)
                        if closed { announced.insert(name) }
                        claimRetryTimer = oneShot(after: retryDelay) { engine in
                            engine.claimRetryTimer = nil
                            engine.kick()
                        }
                        break claiming
                    } else {
                        logger.error(
                            "cannot claim incoming/\(name): \(error)",
                            metadata: ["event": LogEvent.internalError.metadataValue]
                        )
                    }
                    busy.append(name)
                }
            }
        }
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 4096 {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        if !busy.isEmpty { scheduleBusyRecheck(busy) }
        if !claimed.isEmpty { runBatch(claimed) }
        if !unmovable.isEmpty { runBatch(unmovable, unmovable: true) }
        kick()
    }

    /// Files still being written are looked at again shortly (their CLOSE_WRITE also wakes us).
    private func scheduleBusyRecheck(_ names: [String]) {
        busyNames.formUnion(names)
        guard busyTimer == nil else { return }
        busyTimer = oneShot(after: 1) { engine in
            engine.busyTimer = nil
            let names = engine.busyNames.sorted()
            engine.busyNames.removeAll()
            for name in names { engine.enqueue(name) }
            engine.kick()
        }
    }

    private func runBatch(_ names: [String], unmovable: Bool = false) {
        do {
            let finished = try processor.process(names, config: config, unmovable: unmovable)
            health.succeeded(site: "job batch")
            record(finished)
            lastBatchAt = Date()
        } catch {
            reportBatchFailure(
                error,
                what: "a batch of \(names.count) jobs could not be finished and stays in active/ to be retried"
            )
            scheduleRetryOfActive()
        }
        startStaging()
        settleStorage()
        onBatch?()
    }

    // MARK: - Staging

    /// Jobs whose data file is being read and stored beside the engine.
    var stagingJobs: [String] { processor.stagingJobs }

    /// Starts the staging the last batch asked for (after its commit: the staging's rows
    /// must come after every row that batch stored).
    private func startStaging() {
        for request in processor.takeStagingRequests() {
            let context = StagingContext(
                store: store,
                config: config,
                submitterUID: request.submitterUID,
                now: Date(),
                logger: logger,
                isCancelled: { [stager] in stager.isCancelled }
            )
            let work = request.work
            let startedAt = Date()
            logger.debug(
                "job \(request.job): running beside the engine; later jobs of \(request.key) wait for it",
                metadata: ["job": "\(request.job)"]
            )
            stager.run(
                { work(context) },
                then: { [weak self] result in
                    self?.stagingFinished(key: request.key, job: request.job, since: startedAt, result: result)
                }
            )
        }
    }

    /// A staging returned: its job (and the jobs held behind it) finish now, or, when the
    /// store failed, wait in `active/` for the retry.
    private func stagingFinished(key: String, job: String, since startedAt: Date, result: StagingResult) {
        switch result {
        case .cancelled:
            processor.abandon(key: key)
            return
        case .storageFailed(let error):
            processor.abandon(key: key)
            reportBatchFailure(
                .store(error, since: startedAt, systemErrno: store.lastSystemErrno()),
                what: "the data file of job \(job) could not be stored; the job stays in active/ to be retried"
            )
            scheduleRetryOfActive()
        default:
            guard !stopping else {
                processor.abandon(key: key)
                return
            }
            do {
                let finished = try processor.resume(key: key, result: result, config: config)
                health.succeeded(site: "job batch")
                record(finished)
                lastBatchAt = Date()
                if finished.first(where: { $0.id == job })?.status != .succeeded {
                    // Refused or failed at its commit: what it stored goes (its staging
                    // deleted it already when it refused the file itself).
                    let store = self.store
                    stager.clean { try? PendingIngestions.purge(store, job: job) }
                }
            } catch {
                reportBatchFailure(
                    error,
                    what:
                        "job \(job) could not be finished after its data file was stored; it stays in active/ to be retried"
                )
                scheduleRetryOfActive()
            }
            startStaging()
        }
        settleStorage()
        onBatch?()
        kick()
    }

    /// Logs a failed batch: a `storage_write_failed` entry naming the path and errno (and
    /// the storage alert) when the disk refused a write, a `store_error` entry otherwise.
    private func reportBatchFailure(_ error: JobProcessor.BatchError, what: String) {
        let path: String
        switch error {
        case .store(_, _, let logged): path = logged ?? store.path
        case .spool(let failure): path = failure.path ?? spool.root
        case .storage(let failure): path = failure.error.path ?? config.stateDir
        }
        let message = "\(what): cannot write \(path): \(error)"
        if let errno = error.errno, StorageFailure.isStorageErrno(errno) {
            health.failed(site: "job batch", path: path, errno: errno, message: message, logger: logger)
        } else {
            logger.error("\(message)", metadata: ["event": LogEvent.storeError.metadataValue, "path": .string(path)])
        }
    }

    private func record(_ finished: [JobProcessor.Finished]) {
        for job in finished {
            var metadata: Logger.Metadata = ["job": "\(job.id)", "status": "\(job.status.rawValue)"]
            if let kind = job.kind { metadata["kind"] = "\(kind.rawValue)" }
            if let model = job.model { metadata["model"] = "\(model)" }
            if let error = job.error {
                metadata["error_code"] = "\(error.code.rawValue)"
                if let line = error.line { metadata["error_line"] = "\(line)" }
            }
            if job.replayed {
                counters.replayed += 1
                metadata["event"] = LogEvent.jobRecovered.metadataValue
                logger.notice(
                    "job \(job.id) had finished before a restart; its result was rewritten",
                    metadata: metadata
                )
                continue
            }
            tally.add(kind: job.kind, status: job.status)
            switch job.status {
            case .succeeded:
                counters.succeeded += 1
                if job.kind == .registerModel { modelsGeneration += 1 }
                metadata["event"] = LogEvent.jobSucceeded.metadataValue
                logger.info("job \(job.id) succeeded", metadata: metadata)
            case .failed:
                counters.failed += 1
                metadata["event"] =
                    job.error?.code == .poison ? LogEvent.jobPoisoned.metadataValue : LogEvent.jobFailed.metadataValue
                logger.error("job \(job.id) failed: \(job.error?.message ?? "")", metadata: metadata)
            case .rejected:
                counters.rejected += 1
                metadata["event"] = LogEvent.jobRejected.metadataValue
                let position = job.error?.line.map { " (line \($0), column \(job.error?.column ?? 0))" } ?? ""
                logger.warning("job \(job.id) rejected: \(job.error?.message ?? "")\(position)", metadata: metadata)
            case .running:
                break
            }
        }
    }

    /// Finishes the files a crash (or a failed batch) left in `active/`, one job at a time
    /// so that only a job that really kills the daemon accumulates attempts.
    private func recoverActive() {
        let names: [String]
        do {
            let held = processor.heldNames
            names = try spool.active.names().filter {
                (!Spool.isIgnored($0) || RawFileName(activeName: $0) != nil) && !held.contains($0)
            }
            .sorted()
        } catch {
            logger.error("cannot list active/: \(error)", metadata: ["event": LogEvent.internalError.metadataValue])
            return
        }
        if !names.isEmpty {
            logger.notice(
                "finishing \(names.count) jobs left in active/",
                metadata: ["event": LogEvent.jobRecovered.metadataValue]
            )
        }
        defer { startStaging() }
        for name in names {
            do {
                record(try processor.process([name], config: config))
                health.succeeded(site: "job batch")
                lastBatchAt = Date()
            } catch {
                reportBatchFailure(
                    error,
                    what: "job file active/\(name) could not be finished and stays there to be retried"
                )
                retryFailures += 1
                scheduleRetryOfActive()
                settleStorage()
                return
            }
        }
        retryFailures = 0
        settleStorage()
    }

    /// The wait before the next retry of `active/`: 0.5 s, doubling with each failed retry
    /// in a row, at most 10 s (never a hot loop while the disk stays full, and jobs finish
    /// within seconds once it takes writes again).
    var retryDelay: Double { min(10, 0.5 * Double(1 << min(retryFailures, 5))) }

    private func scheduleRetryOfActive() {
        guard retryTimer == nil else { return }
        retryTimer = oneShot(after: retryDelay) { engine in
            engine.retryTimer = nil
            engine.recoverActive()
            engine.scheduleRawNames()
            engine.kick()
        }
    }

    // MARK: - Storage alert

    /// Brings the `storage_write_failed` alert in line with ``health`` (after every batch
    /// and every status interval); see ``StorageAlert``.
    func settleStorage() {
        storageAlert.settle(publisher: processor.registry?.alerts) {
            if let registry = processor.registry { registry.reconcile(store: store, config: config, logger: logger) }
        }
    }

    /// A timer on `queue` that fires once after `seconds`.
    private func oneShot(
        after seconds: Double,
        _ body: @escaping @EngineActor @Sendable (Engine) -> Void
    ) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler { [weak self] in
            EngineActor.assumeIsolated {
                guard let self else { return }
                body(self)
            }
        }
        timer.resume()
        return timer
    }
}
