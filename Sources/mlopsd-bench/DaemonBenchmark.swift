import Foundation
import Glibc
import MLOpsCore

/// Throughput and latency of the real release `mlopsd`, each run on a fresh spool and
/// state directory under `root`.
struct DaemonBenchmark {
    /// What one throughput run measured.
    struct Throughput: Sendable, Codable {
        var jobs: Int
        /// From the first drop (live) or the spawn (queued) to the last final result.
        var seconds: Double
        var jobsPerSecond: Double
        /// How long the submitter took to drop every job (live run; 0 when queued).
        var dropSeconds: Double
        /// From spawn to `state: ready` in status.json.
        var startSeconds: Double
        /// CPU seconds (user + system) the daemon used in the timed window, per job, in µs.
        var daemonCPUMicrosecondsPerJob: Double?
        /// inotify queue overflows while watching results/ (then results/ was listed).
        var watcherOverflows: Int
        /// Jobs per second in each fifth of the run (results in arrival order): shows
        /// whether the rate holds as the store fills up.
        var jobsPerSecondByFifth: [Double]

        /// The rate in each of `parts` consecutive slices of `arrivals` (sorted), the first
        /// slice timed from `start`.
        static func rates(from start: UInt64, arrivals: [UInt64], parts: Int = 5) -> [Double] {
            guard arrivals.count >= parts else { return [] }
            var rates: [Double] = []
            var sliceStart = start
            for k in 0..<parts {
                let lower = k * arrivals.count / parts
                let upper = (k + 1) * arrivals.count / parts
                let end = arrivals[upper - 1]
                rates.append(Double(upper - lower) / max(MonotonicClock.seconds(from: sliceStart, to: end), 1e-9))
                sliceStart = end
            }
            return rates
        }
    }

    /// What one latency run measured.
    struct Latency: Sendable, Codable {
        /// Models in the store when the run began (registered by earlier jobs).
        var modelsInStore: Int
        /// Drop → final result file, in milliseconds (each job dropped once the daemon was
        /// idle again: its previous batch had finished).
        var milliseconds: Percentiles
        /// Result file → the job file's move into `done/`, in milliseconds: the rest of a
        /// one-job batch after its result.
        var retireMilliseconds: Percentiles
    }

    let executable: String
    let root: String
    /// Largest number of seconds any one wait for results may take without progress.
    let stallSeconds: Double = 60

    /// Starts the daemon on an empty spool, waits until ready, drops `jobs` jobs as fast
    /// as one submitter can, and times first drop → last result.
    func liveDrop(jobs: Int) throws(BenchError) -> Throughput {
        let layout = DaemonProcess.Layout(root: root + "/live")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        let names = JobDropper.names(prefix: "live", count: jobs)
        let texts = names.map(JobDropper.registerModel)
        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 60)
        let startSeconds = MonotonicClock.seconds(from: daemon.spawnedAt, to: MonotonicClock.now())
        let watcher = try ResultWatcher(directory: layout.results)
        let dropper = JobDropper(layout: layout)

        let cpuBefore = daemon.cpuSeconds()
        let start = MonotonicClock.now()
        for (name, text) in zip(names, texts) {
            try dropper.drop(name, text)
        }
        let dropped = MonotonicClock.now()
        try waitForAll(jobs, watcher: watcher, daemon: daemon)
        let cpuAfter = daemon.cpuSeconds()
        let seconds = MonotonicClock.seconds(from: start, to: watcher.lastArrival)

        try verify(layout: layout, names: names)
        try daemon.stop(timeout: 60)
        return Throughput(
            jobs: jobs,
            seconds: seconds,
            jobsPerSecond: Double(jobs) / max(seconds, 1e-9),
            dropSeconds: MonotonicClock.seconds(from: start, to: dropped),
            startSeconds: startSeconds,
            daemonCPUMicrosecondsPerJob: DaemonBenchmark.perJob(cpuBefore, cpuAfter, jobs),
            watcherOverflows: watcher.overflows,
            jobsPerSecondByFifth: Throughput.rates(from: start, arrivals: watcher.arrivalTimes)
        )
    }

    /// Places `jobs` jobs in `incoming/` while no daemon runs, then starts it and times
    /// spawn → last result. Afterwards, with every model registered, runs `latencyJobs`
    /// one-at-a-time jobs on the same daemon (a populated store), if any.
    func queuedAtStart(jobs: Int, latencyJobs: Int) throws(BenchError) -> (Throughput, Latency?) {
        let layout = DaemonProcess.Layout(root: root + "/queued")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        let names = JobDropper.names(prefix: "queued", count: jobs)
        let dropper = JobDropper(layout: layout)
        for name in names {
            try dropper.drop(name, JobDropper.registerModel(name))
        }
        // Make the queued files durable and settle the disk, as after a reboot.
        sync()
        let watcher = try ResultWatcher(directory: layout.results)
        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 120)
        let startSeconds = MonotonicClock.seconds(from: daemon.spawnedAt, to: MonotonicClock.now())
        try waitForAll(jobs, watcher: watcher, daemon: daemon)
        let cpu = daemon.cpuSeconds()
        let seconds = MonotonicClock.seconds(from: daemon.spawnedAt, to: watcher.lastArrival)
        let byFifth = Throughput.rates(from: daemon.spawnedAt, arrivals: watcher.arrivalTimes)
        try verify(layout: layout, names: names)

        var latency: Latency?
        if latencyJobs > 0 {
            latency = try oneAtATime(
                count: latencyJobs,
                prefix: "populated",
                modelsInStore: jobs,
                layout: layout,
                watcher: watcher,
                daemon: daemon
            )
        }
        try daemon.stop(timeout: 60)
        let throughput = Throughput(
            jobs: jobs,
            seconds: seconds,
            jobsPerSecond: Double(jobs) / max(seconds, 1e-9),
            dropSeconds: 0,
            startSeconds: startSeconds,
            daemonCPUMicrosecondsPerJob: DaemonBenchmark.perJob(0, cpu, jobs),
            watcherOverflows: watcher.overflows,
            jobsPerSecondByFifth: byFifth
        )
        return (throughput, latency)
    }

    /// Starts the daemon on an empty spool and drops `count` jobs one at a time, each after
    /// the previous one's result arrived; a few warm-up jobs run first and are not counted.
    func latency(count: Int) throws(BenchError) -> Latency {
        let layout = DaemonProcess.Layout(root: root + "/latency")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 60)
        let watcher = try ResultWatcher(directory: layout.results)
        let result = try oneAtATime(
            count: count,
            prefix: "latency",
            modelsInStore: 0,
            layout: layout,
            watcher: watcher,
            daemon: daemon
        )
        try daemon.stop(timeout: 60)
        return result
    }

    /// Jobs not counted before a latency series: the first jobs warm the daemon's caches.
    static let warmUpJobs = 5

    private func oneAtATime(
        count: Int,
        prefix: String,
        modelsInStore: Int,
        layout: DaemonProcess.Layout,
        watcher: ResultWatcher,
        daemon: DaemonProcess
    ) throws(BenchError) -> Latency {
        let dropper = JobDropper(layout: layout)
        let retired = try RetireWatcher(directory: layout.spool + "/done")
        let names = JobDropper.names(prefix: prefix, count: count + DaemonBenchmark.warmUpJobs)
        var samples: [Double] = []
        var refreshes: [Double] = []
        samples.reserveCapacity(count)
        for (index, name) in names.enumerated() {
            let text = JobDropper.registerModel(name)
            let resultName = name + ".json"
            let start = MonotonicClock.now()
            try dropper.drop(name, text)
            try watcher.wait(timeout: 30, stall: 30, "the result of \(name)") { watcher.arrival(of: resultName) != nil }
            guard let arrived = watcher.arrival(of: resultName) else { continue }
            // The batch ends with the job file's move into done/; then the daemon is idle.
            let moved = try retired.waitForMove(of: name + ".yaml", timeout: 30)
            if index >= DaemonBenchmark.warmUpJobs {
                samples.append(Double(arrived - start) / 1e6)
                refreshes.append(Double(moved > arrived ? moved - arrived : 0) / 1e6)
            }
            // A little idle time, so the next job finds the daemon waiting.
            usleep(2_000)
        }
        try daemon.checkRunning("during the latency run")
        try verify(layout: layout, names: names, alreadyThere: modelsInStore)
        return Latency(
            modelsInStore: modelsInStore,
            milliseconds: Percentiles(samples),
            retireMilliseconds: Percentiles(refreshes)
        )
    }

    // MARK: - Checks

    /// Waits for `count` final results, checking that the daemon stays alive, with an
    /// overall deadline and a limit on how long no new result may arrive.
    private func waitForAll(_ count: Int, watcher: ResultWatcher, daemon: DaemonProcess) throws(BenchError) {
        let timeout = max(120, Double(count) / 20)
        let start = MonotonicClock.now()
        var lastCount = watcher.count
        var lastProgress = start
        while watcher.count < count {
            try daemon.checkRunning("with \(watcher.count) of \(count) results written")
            let now = MonotonicClock.now()
            if watcher.count != lastCount {
                lastCount = watcher.count
                lastProgress = now
            }
            if MonotonicClock.seconds(from: start, to: now) >= timeout {
                throw .timeout("only \(watcher.count) of \(count) results after \(Int(timeout)) s\(daemon.logTail())")
            }
            if MonotonicClock.seconds(from: lastProgress, to: now) >= stallSeconds {
                throw .timeout(
                    "no new result for \(Int(stallSeconds)) s; \(watcher.count) of \(count) results\(daemon.logTail())"
                )
            }
            watcher.waitForEvents(seconds: 1)
        }
    }

    /// Checks the spool after a run: exactly one result per job (`alreadyThere` results
    /// from earlier runs on the same spool besides), every one `succeeded`, nothing left in
    /// `incoming/` or `active/`.
    private func verify(layout: DaemonProcess.Layout, names: [String], alreadyThere: Int = 0) throws(BenchError) {
        let results = Set(try FileSystem.visibleNames(in: layout.results).filter(ResultWatcher.isFinalResult))
        guard results.count == names.count + alreadyThere else {
            throw .daemon("results/ holds \(results.count) result files; expected \(names.count + alreadyThere)")
        }
        var notSucceeded: [String] = []
        for name in names {
            let path = "\(layout.results)/\(name).json"
            guard results.contains(name + ".json") else { throw .daemon("no result file \(path)") }
            guard let data = FileManager.default.contents(atPath: path) else { throw .daemon("cannot read \(path)") }
            do {
                let document = try ResultDocument.decode(data)
                if document.status != .succeeded {
                    notSucceeded.append("\(name): \(document.status.rawValue) \(document.error?.message ?? "")")
                }
            } catch {
                throw .daemon("\(path) is not a result document: \(error)")
            }
        }
        guard notSucceeded.isEmpty else {
            throw .daemon(
                "\(notSucceeded.count) jobs did not succeed, e.g. \(notSucceeded.prefix(3).joined(separator: "; "))"
            )
        }
        // Job files move to done/ just after their batch's results are durable: give the
        // last batch a moment.
        let deadline = MonotonicClock.now() + 10_000_000_000
        for directory in ["incoming", "active"] {
            while true {
                let left = try FileSystem.visibleNames(in: "\(layout.spool)/\(directory)")
                if left.isEmpty { break }
                if MonotonicClock.now() > deadline {
                    throw .daemon(
                        "\(left.count) files still in \(directory)/ 10 s after every result arrived, e.g. \(left.prefix(3))"
                    )
                }
                usleep(5_000)
            }
        }
    }

    private static func perJob(_ before: Double?, _ after: Double?, _ jobs: Int) -> Double? {
        guard let before, let after, jobs > 0 else { return nil }
        return (after - before) / Double(jobs) * 1e6
    }
}
