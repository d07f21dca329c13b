import Foundation
import Glibc
import MLOpsCore

/// One complete benchmark: the raw filesystem reference, then the daemon's latency on an
/// idle daemon, live-drop throughput, queued-at-start throughput and latency with a
/// populated store (each daemon run on a fresh spool in one temporary directory, so that
/// every figure comes from the same filesystem), then the raw reference again.
struct BenchRun {
    let options: Options

    /// Runs everything and removes the temporary directory (unless `--keep`).
    func run() throws(BenchError) -> Report {
        let daemon = try daemonExecutable()
        let root = try FileSystem.makeTemporaryDirectory(in: options.baseDirectory, prefix: "mlopsd-bench")
        defer { cleanUp(root) }
        let rawDirectory = root + "/rawfs"
        try FileSystem.makeDirectory(rawDirectory)
        let benchmark = DaemonBenchmark(executable: daemon, root: root)
        let n = Report.grouped(options.jobs)
        let loadBefore = BenchRun.loadAverage()
        let startedAt = Timestamp.string(Date())

        progress("temporary directory \(root) (\(FileSystem.filesystemType(of: root)))")
        progress("raw filesystem reference: \(n) × create+write 1 KiB+fsync+rename+fsync(dir), then without fsync")
        let rawBenchmark = RawFilesystemBenchmark(directory: rawDirectory, count: options.jobs)
        let before = try rawBenchmark.run(label: "before")
        progress(
            "  \(Report.grouped(Double(options.jobs) / before.durableSeconds)) files/s durable, "
                + "\(Report.grouped(Double(options.jobs) / before.unsyncedSeconds)) files/s without fsync"
        )

        progress("latency: \(options.latencyJobs) jobs one at a time on an idle daemon")
        let latency = try benchmark.latency(count: options.latencyJobs)
        progress("  p50 \(Report.ms(latency.milliseconds.p50)) ms")

        progress("throughput: \(n) jobs dropped into a running daemon")
        let live = try benchmark.liveDrop(jobs: options.jobs)
        progress("  \(Report.grouped(live.jobsPerSecond)) jobs/s")

        progress("throughput: \(n) jobs queued before the daemon starts, then \(options.latencyJobs) one at a time")
        let (queued, populated) = try benchmark.queuedAtStart(jobs: options.jobs, latencyJobs: options.latencyJobs)
        progress("  \(Report.grouped(queued.jobsPerSecond)) jobs/s")

        var promotions: PromotionBenchmark.Figures?
        if options.promotions > 0 {
            progress(
                "registry: \(options.promotions) promotions queued back to back, 100 one at a time (drop → symlink switched)"
            )
            promotions = try PromotionBenchmark(executable: daemon, root: root).run(
                promotions: options.promotions,
                oneAtATime: 100
            )
            progress("  \(Report.grouped(promotions?.promotionsPerSecond ?? 0)) promotions/s")
        }

        var drift: DriftBenchmark.Figures?
        if options.driftRows > 0 {
            let ctl = URL(fileURLWithPath: daemon).deletingLastPathComponent().appendingPathComponent("mlopsctl").path
            guard access(ctl, X_OK) == 0 else { throw .system("no executable mlopsctl beside \(daemon)") }
            drift = try DriftBenchmark(
                root: root,
                ctl: ctl,
                script: BenchRun.driftScript(),
                venv: options.noPython ? nil : options.venv,
                rows: options.driftRows
            ).run(progress: progress)
        }

        var reports: ReportBenchmark.Figures?
        if options.reportChecks > 0 {
            reports = try ReportBenchmark(executable: daemon, root: root).run(
                checks: options.reportChecks,
                reportChecks: 1_000,
                progress: progress
            )
        }

        var ingestion: IngestionBenchmark.Figures?
        if options.ingestRows > 0 {
            ingestion = try IngestionBenchmark(executable: daemon, root: root).run(
                rows: options.ingestRows,
                progress: progress
            )
        }

        progress("raw filesystem reference again (the disk's rate drifts on a shared machine)")
        let after = try rawBenchmark.run(label: "after")
        progress("  \(Report.grouped(Double(options.jobs) / after.durableSeconds)) files/s durable")
        let raw = RawFilesystemBenchmark.Result(count: options.jobs, passes: [before, after])

        let setup = Report.Setup(
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            filesystem: FileSystem.filesystemType(of: root),
            directory: options.baseDirectory,
            daemon: daemon,
            startedAt: startedAt,
            loadBefore: loadBefore,
            loadAfter: BenchRun.loadAverage()
        )
        var report = Report(
            setup: setup,
            raw: raw,
            live: live,
            queued: queued,
            latency: latency,
            latencyPopulated: populated
        )
        report.promotions = promotions
        report.drift = drift
        report.reports = reports
        report.ingestion = ingestion
        return report
    }

    /// `--mlopsd`, or `mlopsd` beside this executable; it must be executable.
    private func daemonExecutable() throws(BenchError) -> String {
        let path: String
        if let given = options.daemonPath {
            path = given
        } else {
            let me =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("mlopsd").path
        }
        guard access(path, X_OK) == 0 else {
            throw .system(
                "no executable mlopsd at \(path) (build it with `swift build -c release`, or pass --mlopsd PATH)"
            )
        }
        return path
    }

    /// scripts/bench/drift_reference.py: under the working directory (make bench runs from the
    /// repository), else above this executable (.build/<triple>/release/).
    static func driftScript() -> String { script("scripts/bench/drift_reference.py") }

    /// `relative` (a script of the repository): under the working directory, else above this
    /// executable.
    static func script(_ relative: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/" + relative
        if FileManager.default.fileExists(atPath: here) { return here }
        let me =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        for _ in 0..<5 {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return here
    }

    /// The 1-minute load average from /proc/loadavg.
    static func loadAverage() -> Double? {
        guard let data = FileManager.default.contents(atPath: "/proc/loadavg") else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.flatMap { Double($0) }
    }

    private func cleanUp(_ root: String) {
        if options.keep {
            progress("kept \(root) (daemon logs: \(root)/*/mlopsd.log)")
            return
        }
        progress("removing \(root)")
        if let problem = FileSystem.removeTree(root) { progress(problem) }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("mlopsd-bench: \(text)\n".utf8))
    }
}
