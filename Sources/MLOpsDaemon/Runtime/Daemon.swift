import CPosix
import Dispatch
import Foundation
import GRDB
import Glibc
import Logging
import MLOpsClient
import MLOpsCore

/// Wires config, logging, systemd notification, the store, the spool and the engine, and
/// runs until SIGTERM (docs/design.md §12).
///
/// Signals arrive through Dispatch signal sources created here in library code (a
/// handler closure written in `main.swift` would be main-actor code and trap when Dispatch
/// runs it on another queue).
///
/// Its mutable state (config, state, timers, the status cache) is isolated to
/// ``EngineActor``, like the engine's: the compiler checks every access. `main` creates it
/// on that actor; `start()` and the signal handlers are nonisolated and hop onto the
/// engine queue.
@EngineActor
public final class Daemon {
    /// Where the daemon is in its life, as `status.json` and the status line show it.
    enum State: String {
        case starting
        case ready
        case reloading
        case stopping
    }

    /// Why the daemon could not start; `exitCode` follows sysexits.h.
    public enum StartError: Error, CustomStringConvertible {
        case config(String)
        case spool(String)
        case store(String)
        /// Another daemon holds the spool or the state directory (``InstanceLock``).
        case alreadyRunning(String)

        public var description: String {
            switch self {
            case .config(let text): return "configuration refused: \(text)"
            case .spool(let text): return "spool unusable: \(text)"
            case .store(let text): return text
            case .alreadyRunning(let text): return text
            }
        }

        /// EX_CONFIG for configuration, EX_TEMPFAIL when another daemon runs (systemd's
        /// Restart= tries again once it is gone), EX_CANTCREAT/EX_IOERR for the rest.
        public var exitCode: Int32 {
            switch self {
            case .config: return 78
            case .spool: return 73
            case .store: return 74
            case .alreadyRunning: return 75
            }
        }
    }

    public let configPath: String
    let logger: Logger
    let notifier: ServiceNotifier
    let spool: Spool
    let store: Store
    let engine: Engine
    let registry: ModelRegistry
    let pipelines: PipelineService
    let pruner: SpoolPruner
    /// Held for the daemon's lifetime: no second daemon on the same spool or state.
    let instanceLock: InstanceLock
    private var config: DaemonConfig
    private var state = State.starting
    private let startedAt = Date()
    private var statusTimer: DispatchSourceTimer?
    private var watchdogTimer: DispatchSourceTimer?
    private var monitorTimer: DispatchSourceTimer?
    private var retrainTimer: DispatchSourceTimer?
    private var lastStatusAt = DispatchTime(uptimeNanoseconds: 0)
    private var statusPending = false
    private var modelsCache: (generation: Int, list: [StatusDocument.Model], total: Int)?
    private let metrics: MetricsWriter
    /// Whether writes to disk work (every writer reports to it; the engine settles the alert).
    let health = StorageHealth()
    private var signalSources: [DispatchSourceSignal] = []

    /// Reads and validates the config file at `path` (relative paths resolve against the
    /// working directory; environment variables override file values).
    public nonisolated static func loadConfig(path: String) throws(StartError) -> DaemonConfig {
        do {
            return try ConfigFile.load(path: path)
        } catch {
            throw .config(error.description)
        }
    }

    /// Opens everything; does not start serving yet. On the engine's actor (see ``main(configPath:)``).
    public init(
        configPath: String,
        config: DaemonConfig,
        logger: Logger,
        notifier: ServiceNotifier
    ) throws(StartError) {
        self.configPath = configPath
        self.config = config
        self.logger = logger
        self.notifier = notifier
        metrics = MetricsWriter(logger: logger, health: health)
        do {
            spool = try Spool(root: config.spoolDir)
        } catch {
            throw .spool("\(error)")
        }
        do {
            try DirectoryHandle.makeDirectories(config.stateDir)
        } catch {
            throw .store("cannot create the state directory \(config.stateDir): \(error)")
        }
        // Before the store is opened (migrations write) and before any job is claimed.
        do {
            instanceLock = try InstanceLock(spoolDir: config.spoolDir, stateDir: config.stateDir)
        } catch {
            if case .held = error { throw .alreadyRunning("\(error)") }
            throw .store("\(error)")
        }
        do {
            store = try Store(path: config.stateDir + "/mlopsd.sqlite")
        } catch {
            throw .store("\(error)")
        }
        do {
            registry = try ModelRegistry(
                stateDir: config.stateDir,
                alertsDirectory: spool.alerts,
                logger: logger,
                health: health
            )
        } catch {
            throw .store("cannot open the registry's directories under \(config.stateDir): \(error)")
        }
        let catalog: PipelineCatalog
        do {
            catalog = try PipelineCatalog.load(
                directory: config.pipelinesDir,
                searchPath: PipelineCatalog.defaultSearchPath()
            )
        } catch {
            throw .config("pipeline definitions refused:\n\(error)")
        }
        let pipelines = PipelineService(
            store: store,
            spool: spool,
            registry: registry,
            logger: logger,
            engineQueue: EngineActor.queue,
            catalog: catalog,
            config: config
        )
        self.pipelines = pipelines
        engine = Engine(
            spool: spool,
            store: store,
            handlers: .standard,
            config: config,
            logger: logger,
            registry: registry,
            pipelines: pipelines,
            health: health
        )
        pruner = SpoolPruner(spool: spool, retention: Daemon.retention(config), logger: logger)
    }

    nonisolated static func retention(_ config: DaemonConfig) -> SpoolPruner.Retention {
        SpoolPruner.Retention(
            doneDays: config.doneRetentionDays,
            failedDays: config.failedRetentionDays,
            resultsDays: config.resultsRetentionDays,
            interval: config.pruneInterval
        )
    }

    /// Starts serving: recovery, rescan, signals, timers, READY=1. Returns once ready.
    /// Called on the main thread; the engine's part runs on its queue.
    public nonisolated func start() throws(StartError) {
        let startedAt = Date()
        EngineActor.sync { self.installSignalHandlers() }
        // Temp files of writes a kill -9 cut short (results, alerts, reports, status.json,
        // the metrics file); never the submitters' in tmp/.
        let sweepConfig = EngineActor.sync { self.config }
        let temps = StaleTempFiles.remove(
            from: StaleTempFiles.places(spool: spool, metricsFile: sweepConfig.metricsFile),
            startedAt: startedAt
        )
        if temps > 0 {
            logger.info(
                "removed \(temps) temp files of writes cut short by a crash",
                metadata: ["event": LogEvent.spoolPruned.metadataValue, "removed": "\(temps)", "reason": "temp_files"]
            )
        }
        // Before any job runs: drop half-copied artifacts and make the serving links agree
        // with the store (a deployment the daemon died in is undone or completed).
        let leftovers = registry.artifacts.removeLeftovers()
        if leftovers > 0 {
            logger.info(
                "removed \(leftovers) half-copied artifact directories",
                metadata: ["event": LogEvent.daemonStarted.metadataValue]
            )
        }
        let reconcileConfig = EngineActor.sync { self.config }
        registry.reconcile(store: store, config: reconcileConfig, logger: logger)
        // Backups a stopped daemon was writing (hidden `.<name>.partial-<pid>`: never mistaken
        // for a backup, which has its name and a manifest).
        let partials = BackupWriter.removePartials(in: sweepConfig.backupDir)
        if partials > 0 {
            logger.info(
                "removed \(partials) backups cut short in \(sweepConfig.backupDir)",
                metadata: [
                    "event": LogEvent.spoolPruned.metadataValue, "removed": "\(partials)", "reason": "partial_backups",
                ]
            )
        }
        // Predictions of large files a stopped daemon was storing (not seen: their jobs never
        // committed); the jobs, still in active/, run again from their first row.
        do {
            let cut = try PendingIngestions.purgeAll(store)
            if cut > 0 {
                logger.notice(
                    "deleted the rows of \(cut) data files being stored when the daemon stopped; their jobs run again",
                    metadata: ["event": LogEvent.jobRecovered.metadataValue]
                )
            }
        } catch {
            logger.error(
                "cannot delete the rows of data files being stored when the daemon stopped: \(error)",
                metadata: ["event": LogEvent.storeError.metadataValue]
            )
        }
        // Runs a dead daemon left: children killed, running runs interrupted (their jobs'
        // results are then rewritten by the engine's recovery of active/), queued ones kept.
        let queuedRuns = pipelines.recover()
        let started = EngineActor.sync {
            Result { () throws(SystemError) in try self.engine.start() }
        }
        if case .failure(let error) = started {
            throw .spool("\(error)")
        }
        pipelines.resume(queuedRuns)
        pruner.start()
        let (summary, spoolDir, stateDir) = EngineActor.sync {
            self.engine.onBatch = { [weak self] in self?.batchFinished() }
            // The service calls this on the engine queue.
            self.pipelines.onRunEnded { [weak self] in EngineActor.assumeIsolated { self?.batchFinished() } }
            self.state = .ready
            self.startTimers()
            self.publishStatus()
            return (self.statusLine(), self.config.spoolDir, self.config.stateDir)
        }
        notifier.ready(status: summary)
        logger.notice(
            "mlopsd \(MLOpsDaemonInfo.version) ready: spool \(spoolDir), state \(stateDir)",
            metadata: ["event": LogEvent.daemonReady.metadataValue]
        )
    }

    /// Runs the daemon until SIGTERM; never returns.
    public nonisolated static func main(configPath: String) -> Never {
        // Keep no descriptor we inherited (stdin/out/err stay).
        _ = mlopsd_close_from(3)
        let config: DaemonConfig
        do {
            config = try loadConfig(path: configPath)
        } catch {
            JournalLogHandler.bootstrap(identifier: "mlopsd", mode: .automatic, level: .info)
            let logger = Logger(label: "mlopsd")
            logger.critical("\(error)", metadata: ["event": LogEvent.configInvalid.metadataValue])
            FileHandle.standardError.write(Data("mlopsd: \(error)\n".utf8))
            exit(error.exitCode)
        }
        JournalLogHandler.bootstrap(identifier: "mlopsd", mode: .automatic, level: Logger.Level(config.logLevel))
        let logger = Logger(label: "mlopsd")
        let notifier = ServiceNotifier()
        logger.info(
            "mlopsd \(MLOpsDaemonInfo.version) starting with \(configPath)",
            metadata: ["event": LogEvent.daemonStarted.metadataValue]
        )
        do {
            let daemon = try EngineActor.sync {
                Result { () throws(StartError) in
                    try Daemon(configPath: configPath, config: config, logger: logger, notifier: notifier)
                }
            }.get()
            try daemon.start()
            withExtendedLifetime(daemon) { dispatchMain() }
        } catch {
            logger.critical("\(error)", metadata: ["event": LogEvent.internalError.metadataValue])
            FileHandle.standardError.write(Data("mlopsd: \(error)\n".utf8))
            exit(error.exitCode)
        }
    }

    // MARK: - Signals

    /// Ignores the signals the daemon handles itself and delivers them to Dispatch sources
    /// on a queue of their own (the handlers hop onto the engine queue).
    private func installSignalHandlers() {
        for signo in [SIGTERM, SIGINT, SIGHUP] {
            signal(signo, SIG_IGN)
        }
        signal(SIGPIPE, SIG_IGN)
        // A process opening a job file for writing while the daemon holds a read lease on it
        // (Spool.readiness, JobFile.read) makes the kernel send SIGIO, whose default action
        // ends the process: a submitter looping open(O_WRONLY) on their own file could kill
        // the daemon. Ignored, the lease break still works (the opener waits until the lease
        // is released). Children get every signal back at its default (ProcessLauncher).
        signal(SIGIO, SIG_IGN)
        let control = DispatchQueue(label: "mlopsd.signals")
        for signo in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signo, queue: control)
            source.setEventHandler { @Sendable [weak self] in self?.shutDown(signal: signo) }
            source.resume()
            signalSources.append(source)
        }
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: control)
        hup.setEventHandler { @Sendable [weak self] in self?.reload() }
        hup.resume()
        signalSources.append(hup)
    }

    /// SIGTERM: STOPPING=1, finish the batch in progress, exit 0.
    private nonisolated func shutDown(signal signo: Int32) {
        notifier.stopping()
        logger.notice(
            "stopping on signal \(signo); finishing the jobs in progress",
            metadata: ["event": LogEvent.daemonStopping.metadataValue]
        )
        pruner.stop()
        // Queued behind the batch in progress.
        EngineActor.queue.async { EngineActor.assumeIsolated { self.stopServing() } }
    }

    /// The engine-side half of ``shutDown(signal:)``: no new jobs, last status, then the
    /// pipelines are stopped and the process exits.
    private func stopServing() {
        engine.stop()
        state = .stopping
        statusTimer?.cancel()
        monitorTimer?.cancel()
        retrainTimer?.cancel()
        publishStatus()
        // Running pipelines: their children's groups get SIGTERM, then SIGKILL after
        // stop_grace; the runs end `interrupted`. The watchdog keeps pinging meanwhile (the
        // task waits off the engine queue and comes back to it, on the actor, to exit).
        let pipelines = self.pipelines
        let stager = engine.stager
        Task {
            await pipelines.shutdown()
            // A data file being stored stops between two blocks; its job runs again at start.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    stager.waitUntilIdle()
                    done.resume()
                }
            }
            self.watchdogTimer?.cancel()
            self.logger.notice("mlopsd stopped", metadata: ["event": LogEvent.daemonStopped.metadataValue])
            exit(0)
        }
    }

    /// SIGHUP: RELOADING=1, read the config again; a bad one is refused and the old one
    /// stays in force; READY=1 either way.
    private nonisolated func reload() {
        notifier.reloading()
        EngineActor.queue.async { EngineActor.assumeIsolated { self.reloadNow() } }
    }

    /// The engine-side half of ``reload()``.
    private func reloadNow() {
        self.state = .reloading
        let old = self.config
        do {
            var new = try Daemon.loadConfig(path: self.configPath)
            var ignored: [String] = []
            if new.spoolDir != old.spoolDir {
                ignored.append("spool_dir")
                new.spoolDir = old.spoolDir
            }
            if new.stateDir != old.stateDir {
                ignored.append("state_dir")
                new.stateDir = old.stateDir
            }
            if new.logLevel != old.logLevel {
                ignored.append("log_level")
                new.logLevel = old.logLevel
            }
            let catalog: PipelineCatalog
            do {
                catalog = try PipelineCatalog.load(
                    directory: new.pipelinesDir,
                    searchPath: PipelineCatalog.defaultSearchPath()
                )
            } catch {
                throw StartError.config("pipeline definitions refused:\n\(error)")
            }
            self.config = new
            self.engine.apply(new)
            self.pipelines.update(catalog: catalog, config: new)
            self.pruner.update(Daemon.retention(new))
            self.startTimers()
            var message = "configuration reloaded from \(self.configPath)"
            if !ignored.isEmpty {
                message += "; \(ignored.joined(separator: " and ")) take effect only after a restart"
            }
            self.logger.notice("\(message)", metadata: ["event": LogEvent.configReloaded.metadataValue])
        } catch {
            self.logger.error(
                "reload refused, the previous configuration stays in force: \(error)",
                metadata: ["event": LogEvent.configReloadRefused.metadataValue]
            )
        }
        self.state = .ready
        self.publishStatus()
        self.notifier.ready(status: self.statusLine())
    }

    // MARK: - Timers and status

    private func startTimers() {
        statusTimer?.cancel()
        let status = DispatchSource.makeTimerSource(queue: engine.queue)
        status.schedule(deadline: .now() + config.statusInterval, repeating: config.statusInterval, leeway: .seconds(1))
        status.setEventHandler { [weak self] in EngineActor.assumeIsolated { self?.publishStatus() } }
        status.resume()
        statusTimer = status

        monitorTimer?.cancel()
        let monitor = DispatchSource.makeTimerSource(queue: engine.queue)
        let every = config.monitoringCheckInterval
        monitor.schedule(deadline: .now() + every, repeating: every, leeway: .milliseconds(Int(min(every * 100, 5000))))
        monitor.setEventHandler { [weak self] in EngineActor.assumeIsolated { self?.monitorAll() } }
        monitor.resume()
        monitorTimer = monitor

        // The scheduled retraining trigger: once right away (a slot missed while the daemon
        // was down fires once, at start), then every retrainTickInterval and, with a
        // calendar schedule (retrain_schedule), also just after each of its elapses.
        retrainTimer?.cancel()
        let retrain = DispatchSource.makeTimerSource(queue: engine.queue)
        retrain.schedule(deadline: .now() + 1, leeway: .milliseconds(100))
        // One-shot, re-armed after each pass (on the engine queue, like startTimers, so the
        // timer re-armed is always the one in force).
        retrain.setEventHandler { [weak self] in
            EngineActor.assumeIsolated {
                guard let self else { return }
                self.retrainingTick()
                let delay = Daemon.retrainDelay(self.config, now: Date(), timeZone: TimeZone.current)
                self.retrainTimer?.schedule(deadline: .now() + delay, leeway: .milliseconds(100))
            }
        }
        retrain.resume()
        retrainTimer = retrain

        watchdogTimer?.cancel()
        if let interval = notifier.watchdogInterval {
            let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
            let watchdog = DispatchSource.makeTimerSource(queue: engine.queue)
            watchdog.schedule(deadline: .now(), repeating: seconds, leeway: .milliseconds(100))
            watchdog.setEventHandler { [weak self] in self?.notifier.watchdogPing() }
            watchdog.resume()
            watchdogTimer = watchdog
        }
    }

    /// The context of work the daemon's timers start on its own (submitter `mlopsd`).
    private func timerContext(_ afterCommit: AfterCommit) -> JobContext {
        JobContext(
            submittedBy: "mlopsd",
            submitterUID: getuid(),
            now: Date(),
            config: config,
            logger: logger,
            registry: registry,
            afterCommit: afterCommit,
            pipelines: pipelines
        )
    }

    /// The periodic monitoring pass of docs/design.md §8 (every `monitoring_check_interval`), on
    /// the engine queue like every job, in one transaction for all production models.
    private func monitorAll() {
        let afterCommit = AfterCommit()
        let context = timerContext(afterCommit)
        do {
            let checked = try store.write { db in
                try Kinds.MonitorAll.checkAll(db, trigger: "timer", context: context, job: nil)
            }
            afterCommit.run()
            publishStatus()
            logger.debug(
                "periodic monitoring pass: \(checked.count) models",
                metadata: ["event": LogEvent.monitoringChecked.metadataValue]
            )
        } catch {
            logger.error(
                "periodic monitoring pass failed: \(error)",
                metadata: ["event": LogEvent.storeError.metadataValue]
            )
        }
    }

    /// Seconds between looks at the scheduled retraining trigger: hourly, or as often as
    /// the monitoring pass when that is more frequent.
    static func retrainTickInterval(_ config: DaemonConfig) -> Double {
        min(3600, config.monitoringCheckInterval)
    }

    /// Seconds until the next look at the scheduled trigger: ``retrainTickInterval(_:)``, or
    /// sooner when the calendar schedule elapses first — then just after the elapse, so its
    /// slot is due when the tick looks. A tick that comes early by the wall clock (the
    /// timer runs on the monotonic one) finds the elapse still ahead and looks again
    /// 50 ms later.
    static func retrainDelay(_ config: DaemonConfig, now: Date, timeZone: TimeZone) -> Double {
        let tick = retrainTickInterval(config)
        guard let calendar = config.retrainCalendar, let next = calendar.nextElapse(after: now, localTimeZone: timeZone)
        else { return tick }
        return min(tick, max(0.05, next.timeIntervalSince(now) + 0.05))
    }

    /// The retraining timer's pass (docs/retraining.md): the scheduled trigger of every
    /// model whose automated retraining is on, in one transaction, on the engine queue.
    private func retrainingTick() {
        let afterCommit = AfterCommit()
        let context = timerContext(afterCommit)
        do {
            _ = try store.write { db in try RetrainingAutomation.tick(db, context: context) }
            afterCommit.run()
        } catch {
            logger.error("retraining pass failed: \(error)", metadata: ["event": LogEvent.storeError.metadataValue])
        }
    }

    private func statusLine() -> String {
        let c = engine.counters
        let staging = engine.stagingJobs.count
        return "\(state.rawValue): \(modelsSummary().total) models, \(engine.queueDepth) queued, "
            + (staging > 0 ? "\(staging) data file being stored, " : "")
            + "\(c.succeeded) succeeded, \(c.failed) failed, \(c.rejected) rejected"
    }

    /// After a batch: publish the status at most once a second (a batch takes milliseconds;
    /// rewriting status.json after each one cost a third of the daemon's time in `make bench`).
    private func batchFinished() {
        guard !statusPending else { return }
        let next = lastStatusAt + .seconds(1)
        if DispatchTime.now() >= next {
            publishStatus()
        } else {
            statusPending = true
            engine.queue.asyncAfter(deadline: next) { [weak self] in
                EngineActor.assumeIsolated {
                    guard let self else { return }
                    self.statusPending = false
                    self.publishStatus()
                }
            }
        }
    }

    /// The models listed in status.json: read from the store only when a job changed them.
    private func modelsSummary() -> (list: [StatusDocument.Model], total: Int) {
        let generation = engine.modelsGeneration
        if let cached = modelsCache, cached.generation == generation { return (cached.list, cached.total) }
        let limit = Daemon.statusModelLimit
        let (models, total) =
            store.readOrLog("read the models for status.json", logger: logger) { db in
                try ModelSpecs.summaries(db, limit: limit)
            } ?? ([], 0)
        let list = models.map { model in
            StatusDocument.Model(
                name: model.name,
                task: model.task,
                metric: model.metric,
                revision: model.revision,
                updatedAt: model.updatedAt
            )
        }
        modelsCache = (generation, list, total)
        return (list, total)
    }

    /// status.json lists at most this many models (by name); `models_total` counts all.
    static let statusModelLimit = 500

    /// Writes `spool/status.json` (what `mlopsctl status` reads) and the metrics file, and
    /// sends STATUS=.
    private func publishStatus() {
        lastStatusAt = .now()
        let c = engine.counters
        let models = modelsSummary()
        let status = StatusDocument(
            pid: Int(getpid()),
            version: MLOpsDaemonInfo.version,
            state: state.rawValue,
            config: configPath,
            startedAt: Timestamp.string(startedAt),
            updatedAt: Timestamp.string(Date()),
            spool: config.spoolDir,
            stateDir: config.stateDir,
            queueDepth: engine.queueDepth,
            jobs: .init(succeeded: c.succeeded, failed: c.failed, rejected: c.rejected, recovered: c.replayed),
            models: models.list,
            modelsTotal: models.total,
            kinds: HandlerRegistry.standard.implementedKinds.map(\.rawValue)
        )
        if let data = try? JSONEncoder.mlopsPretty.encode(status) {
            do {
                try spool.top.writeAtomically(
                    "status.json",
                    data: data,
                    mode: 0o644,
                    syncFile: false,
                    syncDirectory: false
                )
                health.succeeded(site: "status.json")
            } catch {
                health.failed(
                    site: "status.json",
                    path: spool.root + "/status.json",
                    errno: error.errno,
                    message:
                        "cannot write \(spool.root)/status.json: \(error); it is written again every status interval",
                    logger: logger,
                    rateLimit: 60
                )
            }
        }
        metrics.write(metricsSnapshot(), to: config.metricsFile)
        engine.settleStorage()
        notifier.status(statusLine())
    }

    /// The metrics as of now.
    private func metricsSnapshot() -> MetricsSnapshot {
        var snapshot = MetricsSnapshot(
            up: state != .stopping,
            version: MLOpsDaemonInfo.version,
            startTime: startedAt,
            lastBatch: engine.lastBatchAt,
            queueDepth: engine.queueDepth,
            models: modelsSummary().total,
            jobs: engine.tally,
            recovered: engine.counters.replayed
        )
        (snapshot.checks, snapshot.openAlerts) = metrics.monitoring(store)
        snapshot.pipelines = MetricsWriter.pipelines(store, logger: logger)
        return snapshot
    }
}
