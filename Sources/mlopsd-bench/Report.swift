import Foundation
import MLOpsCore

/// Every figure of one benchmark run: printed as a table and optionally written as JSON.
struct Report: Sendable, Codable {
    /// Where and how it ran.
    struct Setup: Sendable, Codable {
        var build = "release"
        var cores: Int
        var filesystem: String
        var directory: String
        var daemon: String
        var startedAt: String
        /// 1-minute load average before and after the run: other work on the machine
        /// competes for the same cores and disk.
        var loadBefore: Double?
        var loadAfter: Double?
    }

    /// Our throughput divided by the raw filesystem's durable rate.
    struct Ratios: Sendable, Codable {
        var liveDrop: Double
        var queuedAtStart: Double
    }

    var setup: Setup
    var rawFilesystem: RawFilesystemBenchmark.Result
    var liveDrop: DaemonBenchmark.Throughput
    var queuedAtStart: DaemonBenchmark.Throughput
    var ratios: Ratios
    var latency: DaemonBenchmark.Latency
    /// The same latency run on the daemon that just finished the queued run (its store
    /// holds every model those jobs registered).
    var latencyPopulated: DaemonBenchmark.Latency?
    /// The registry run, when it ran.
    var promotions: PromotionBenchmark.Figures?
    /// The drift run (`mlopsctl drift` beside pandas + scipy and evidently), when it ran.
    var drift: DriftBenchmark.Figures?
    /// The report and history run, when it ran.
    var reports: ReportBenchmark.Figures?
    /// The ingestion run (log-predictions of one large file beside SQLite's bulk insert).
    var ingestion: IngestionBenchmark.Figures?

    init(
        setup: Setup,
        raw: RawFilesystemBenchmark.Result,
        live: DaemonBenchmark.Throughput,
        queued: DaemonBenchmark.Throughput,
        latency: DaemonBenchmark.Latency,
        latencyPopulated: DaemonBenchmark.Latency?
    ) {
        self.setup = setup
        rawFilesystem = raw
        liveDrop = live
        queuedAtStart = queued
        let reference = max(raw.durableFilesPerSecond, 1e-9)
        ratios = Ratios(liveDrop: live.jobsPerSecond / reference, queuedAtStart: queued.jobsPerSecond / reference)
        self.latency = latency
        self.latencyPopulated = latencyPopulated
    }

    /// The compact table `make bench` prints.
    var table: String {
        let raw = rawFilesystem
        let jobs = Report.grouped(liveDrop.jobs)
        let label = 40
        let load = [setup.loadBefore, setup.loadAfter].map { $0.map { Report.fixed($0, 1) } ?? "?" }
        var lines = [
            "mlopsd-bench (\(setup.build), \(setup.cores) cores, \(setup.filesystem) \(setup.directory); load \(load[0]) → \(load[1]))"
        ]
        func row(_ name: String, _ value: String, _ note: String = "") {
            lines.append(Report.pad(name, label) + Report.pad(value, 18) + note)
        }
        let passes = raw.durableFilesPerSecondByPass.map { Report.grouped($0) }.joined(separator: " / ")
        row(
            "raw fs create+fsync+rename+fsync(dir)",
            "\(Report.grouped(raw.durableFilesPerSecond)) files/s",
            "(p50 \(Report.ms(raw.durableOperationMs.p50)) ms, p99 \(Report.ms(raw.durableOperationMs.p99)) ms; before / after: \(passes))"
        )
        row("raw fs the same without fsync", "\(Report.grouped(raw.unsyncedFilesPerSecond)) files/s")
        row(
            "mlopsd \(jobs) jobs (live drop)",
            "\(Report.grouped(liveDrop.jobsPerSecond)) jobs/s",
            "ratio \(Report.fixed(ratios.liveDrop, 2)) of raw fs"
        )
        lines.append(Report.details(liveDrop))
        row(
            "mlopsd \(Report.grouped(queuedAtStart.jobs)) jobs (queued at start)",
            "\(Report.grouped(queuedAtStart.jobsPerSecond)) jobs/s",
            "ratio \(Report.fixed(ratios.queuedAtStart, 2))"
        )
        lines.append(Report.details(queuedAtStart))
        func latencyRow(_ name: String, _ l: DaemonBenchmark.Latency, _ note: String) {
            let m = l.milliseconds
            row(name, "\(Report.ms(m.p50)) / \(Report.ms(m.p90)) / \(Report.ms(m.p99)) / \(Report.ms(m.max)) ms", note)
        }
        latencyRow(
            "drop→result p50 / p90 / p99 / max",
            latency,
            "(\(latency.milliseconds.count) jobs; raw fs op p50 \(Report.ms(raw.durableOperationMs.p50)) ms)"
        )
        lines.append("    result → job file in done/ p50 \(Report.ms(latency.retireMilliseconds.p50)) ms")
        if let populated = latencyPopulated {
            latencyRow(
                "  the same, \(Report.grouped(populated.modelsInStore)) models in store",
                populated,
                "(\(populated.milliseconds.count) jobs)"
            )
            lines.append("    result → job file in done/ p50 \(Report.ms(populated.retireMilliseconds.p50)) ms")
        }
        if let p = promotions {
            row("raw fs symlink+rename+fsync(dir)", "\(Report.grouped(p.rawSwitchesPerSecond)) switches/s")
            row(
                "mlopsd \(Report.grouped(p.promotions)) promote-version jobs",
                "\(Report.grouped(p.promotionsPerSecond)) promotions/s",
                "ratio \(Report.fixed(p.ratio, 2)) of raw switches"
            )
            let l = p.dropToSymlinkMilliseconds
            row(
                "promote drop→symlink p50 / p90 / p99",
                "\(Report.ms(l.p50)) / \(Report.ms(l.p90)) / \(Report.ms(l.p99)) ms",
                "(\(l.count) one at a time; drop→result p50 \(Report.ms(p.dropToResultMilliseconds.p50)) ms)"
            )
        }
        if let d = drift { lines += Report.driftLines(d) }
        if let r = reports { lines += Report.reportLines(r) }
        if let i = ingestion { lines += IngestionBenchmark.lines(i) }
        return lines.joined(separator: "\n")
    }

    /// The report run's rows: the report beside the raw write of its bytes, the history.
    static func reportLines(_ r: ReportBenchmark.Figures) -> [String] {
        var lines: [String] = []
        func row(_ name: String, _ value: String, _ note: String = "") {
            lines.append(pad(name, 40) + pad(value, 18) + note)
        }
        let megabytes = Double(r.reportBytes) / 1e6
        row(
            "report \(grouped(r.columns)) columns × \(grouped(r.reportChecks)) checks",
            "\(ms(r.reportMilliseconds.p50)) ms",
            "drop→result p50 (daemon \(ms(r.reportDaemonMilliseconds.p50)) ms); \(fixed(megabytes, 2)) MB page; "
                + "goal < 1,000 ms, < 2 MB"
        )
        row(
            "raw fs write+fsync+rename the same bytes",
            "\(ms(r.rawWriteMilliseconds)) ms",
            "report is \(fixed(r.reportMilliseconds.p50 / max(r.rawWriteMilliseconds, 1e-9), 0))× the raw write"
        )
        row(
            "monitoring-history \(grouped(r.historyChecks)) of \(grouped(r.checks))",
            "\(ms(r.historyMilliseconds.p50)) ms",
            "drop→result p50 (daemon \(ms(r.historyDaemonMilliseconds.p50)) ms); result "
                + "\(fixed(Double(r.historyResultBytes) / 1e6, 2)) MB; goal < 100 ms"
        )
        row(
            "monitoring-history 100 (default) of \(grouped(r.checks))",
            "\(ms(r.historyDefaultMilliseconds.p50)) ms",
            "drop→result p50 (daemon \(ms(r.historyDefaultDaemonMilliseconds.p50)) ms); result "
                + "\(fixed(Double(r.historyDefaultResultBytes) / 1e6, 2)) MB"
        )
        row(
            "  store filled at",
            "\(grouped(r.checksPerSecond)) checks/s",
            "(log-predictions of 100 rows + a check each)"
        )
        return lines
    }

    /// The drift run's rows: ours, each reference with its ratio to ours, the daemon check.
    static func driftLines(_ d: DriftBenchmark.Figures) -> [String] {
        var lines: [String] = []
        func row(_ name: String, _ value: String, _ note: String = "") {
            lines.append(pad(name, 40) + pad(value, 18) + note)
        }
        func seconds(_ s: Double) -> String { s < 10 ? "\(fixed(s, 2)) s" : "\(fixed(s, 1)) s" }
        row(
            "mlopsctl drift \(grouped(d.rows)) × 52, 2 files",
            seconds(d.oursSeconds),
            "peak RSS \(fixed(d.oursPeakRSSMegabytes, 0)) MB; \(fixed(d.fileMegabytes, 1)) MB per file; "
                + "\(d.oursDrifted.count) columns drift; runs "
                + d.ours.map { fixed($0.seconds, 2) }.joined(separator: " / ") + " s"
        )
        for reference in [d.scipy, d.evidently] {
            guard let s = reference.seconds else {
                row(reference.name, "unavailable", reference.unavailable ?? "")
                continue
            }
            let memory =
                reference.peakRSSMegabytes.map {
                    "peak RSS \(fixed($0, 0)) MB (ours \(fixed(d.oursPeakRSSMegabytes / max($0, 1e-9), 2))×)"
                } ?? ""
            row(reference.name, seconds(s), "ours \(fixed(s / max(d.oursSeconds, 1e-9), 1))× faster; \(memory)")
            var phases: [String] = []
            if let v = reference.importSeconds { phases.append("imports \(fixed(v, 2)) s") }
            if let v = reference.readSeconds { phases.append("read_csv \(fixed(v, 2)) s") }
            if let v = reference.testSeconds { phases.append("tests \(fixed(v, 2)) s") }
            if let read = reference.readSeconds, let tests = reference.testSeconds {
                phases.append("without imports ours \(fixed((read + tests) / max(d.oursSeconds, 1e-9), 1))× faster")
            }
            if let drifted = reference.drifted {
                phases.append(
                    drifted.sorted() == d.oursDrifted
                        ? "same drifted columns" : "drifted: \(drifted.joined(separator: ","))"
                )
            }
            if !phases.isEmpty { lines.append("    " + phases.joined(separator: "; ")) }
        }
        lines.append(
            DriftBenchmark.checkLine(
                total: d.checkMilliseconds,
                decode: d.checkDecodeMilliseconds,
                analyse: d.checkAnalyseMilliseconds
            )
        )
        return lines
    }

    /// Writes the report as pretty JSON to `path`.
    func writeJSON(to path: String) throws(BenchError) {
        do {
            try JSONEncoder.mlopsPretty.encode(self).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .system("cannot write \(path): \(error.localizedDescription)")
        }
    }

    // MARK: - Formatting

    private static func details(_ t: DaemonBenchmark.Throughput) -> String {
        var parts: [String] = []
        if let cpu = t.daemonCPUMicrosecondsPerJob { parts.append("daemon CPU \(grouped(cpu)) µs/job") }
        if !t.jobsPerSecondByFifth.isEmpty {
            parts.append("jobs/s by fifth " + t.jobsPerSecondByFifth.map { grouped($0) }.joined(separator: " → "))
        }
        if t.dropSeconds > 0 { parts.append("dropping took \(fixed(t.dropSeconds, 2)) s") }
        parts.append("start \(fixed(t.startSeconds * 1000, 0)) ms")
        if t.watcherOverflows > 0 { parts.append("\(t.watcherOverflows) inotify overflows") }
        return "    " + parts.joined(separator: "; ")
    }

    /// One row of the table: the name, the figure, a note.
    static func row(_ name: String, _ value: String, _ note: String = "") -> String {
        pad(name, 40) + pad(value, 18) + note
    }

    /// `12,345` (rounded to a whole number).
    static func grouped(_ value: Double) -> String {
        grouped(Int(value.rounded()))
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// Milliseconds with two decimals below 10 ms, one below 100 ms, none above.
    static func ms(_ value: Double) -> String {
        value < 10 ? fixed(value, 2) : value < 100 ? fixed(value, 1) : fixed(value, 0)
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? text + " " : text + String(repeating: " ", count: width - count)
    }
}
