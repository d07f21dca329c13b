import Foundation
import Glibc
import MLOpsCore

/// The `report` and `monitoring-history` jobs on the real release `mlopsd` over a store
/// full of checks (docs/benchmarks.md, "Reports and history").
///
/// - A model of 50 numerical features and two segment fields (52 monitored columns),
///   version 1.0.0 with a 1,000-row reference, in production.
/// - `checks` batches of 100 predictions, queued back to back; each crosses
///   `check_every_predictions` (100), so each runs one real check (window 1,000). Features
///   drift slowly over the batches, and a new scanner arrives halfway, so the checks differ
///   and alerts open like in production.
/// - Then, one at a time on the idle daemon: a `report` job (`last` = `reportChecks`) and a
///   `monitoring-history` job (`last` 1,000, the most one job returns, and the default 100),
///   each five times; the median of drop → result, and the daemon's own time (the result's
///   `started_at` → `finished_at`, millisecond resolution).
/// - The reference: the raw filesystem writing the same number of bytes as the report
///   (create, write, fsync, rename, fsync of the directory), in the same directory tree.
struct ReportBenchmark {
    struct Figures: Sendable, Codable {
        /// Checks in the store.
        var checks: Int
        /// Monitored columns of the model.
        var columns: Int
        /// Checks per second while the store was filled (log job + check each).
        var checksPerSecond: Double
        /// Checks charted by the report.
        var reportChecks: Int
        var reportBytes: Int
        /// Drop → result file, milliseconds.
        var reportMilliseconds: Percentiles
        /// The daemon's own time for the job (result `started_at` → `finished_at`), ms.
        var reportDaemonMilliseconds: Percentiles
        /// Writing the same bytes durably on the raw filesystem, ms.
        var rawWriteMilliseconds: Double
        /// Checks a monitoring-history job returned.
        var historyChecks: Int
        var historyResultBytes: Int
        var historyMilliseconds: Percentiles
        var historyDaemonMilliseconds: Percentiles
        /// The same with the default `last` (100 checks).
        var historyDefaultMilliseconds: Percentiles
        var historyDefaultDaemonMilliseconds: Percentiles
        var historyDefaultResultBytes: Int
    }

    static let features = 50
    let executable: String
    let root: String

    func run(checks: Int, reportChecks: Int, progress: (String) -> Void) throws(BenchError) -> Figures {
        let layout = DaemonProcess.Layout(root: root + "/report")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 60)
        let watcher = try ResultWatcher(directory: layout.results)
        let dropper = JobDropper(layout: layout)
        func submit(_ name: String, _ text: String) throws(BenchError) -> ResultDocument {
            try dropper.drop(name, Array(text.utf8))
            try watcher.wait(timeout: 120, stall: 120, "the result of \(name)") {
                watcher.arrival(of: name + ".json") != nil
            }
            return try layout.succeededResult(name)
        }

        _ = try submit("setup-reg", Self.registerModel())
        let artifact = layout.data + "/artifact"
        try FileSystem.makeDirectory(artifact)
        try FileSystem.writeFile(artifact + "/model.bin", Array("weights".utf8))
        try FileSystem.writeFile(artifact + "/metrics.json", Array(#"{"accuracy": 0.9}"#.utf8))
        try FileSystem.writeFile(artifact + "/reference.csv", Self.rows(1_000, batch: 0, of: 1, reference: true))
        _ = try submit("setup-cv", "kind: create-version\nmodel: wide\nparams:\n  artifact: \(artifact)\n")
        _ = try submit("setup-p", "kind: promote-version\nmodel: wide\nparams: {version: 1.0.0}\n")

        progress(
            "report: filling the store with \(Report.grouped(checks)) checks of a 52-column model (100 predictions each)"
        )
        let names = JobDropper.names(prefix: "log", count: checks)
        for (i, name) in names.enumerated() {
            let file = layout.data + "/\(name).csv"
            try FileSystem.writeFile(file, Self.rows(100, batch: i, of: checks, reference: false))
        }
        let before = watcher.count
        let start = MonotonicClock.now()
        for name in names {
            try dropper.drop(
                name,
                Array("kind: log-predictions\nmodel: wide\nparams:\n  file: \(layout.data)/\(name).csv\n".utf8)
            )
        }
        try watcher.wait(timeout: max(300, Double(checks) / 5), stall: 120, "\(checks) log-predictions results") {
            watcher.count >= before + checks
        }
        let seconds = MonotonicClock.seconds(from: start, to: watcher.lastArrival)
        for name in names.suffix(3) { _ = try layout.succeededResult(name) }
        progress("  \(Report.grouped(Double(checks) / max(seconds, 1e-9))) checks/s")

        progress(
            "report: a report of the newest \(Report.grouped(reportChecks)) checks and a monitoring-history of 1,000, five times each"
        )
        var reportWall: [Double] = []
        var reportDaemon: [Double] = []
        var reportBytes = 0
        var historyWall: [Double] = []
        var historyDaemon: [Double] = []
        var historyBytes = 0
        var historyChecks = 0
        var defaultWall: [Double] = []
        var defaultDaemon: [Double] = []
        var defaultBytes = 0
        for round in 0..<5 {
            let reportName = "report-\(round)"
            let t0 = MonotonicClock.now()
            let report = try submit(reportName, "kind: report\nmodel: wide\nparams:\n  last: \(reportChecks)\n")
            reportWall.append(Double((watcher.arrival(of: reportName + ".json") ?? t0) - t0) / 1e6)
            reportDaemon.append(Self.daemonMilliseconds(report))
            if let bytes = report.result?["bytes"]?.intValue { reportBytes = bytes }

            let historyName = "history-\(round)"
            let t1 = MonotonicClock.now()
            let history = try submit(historyName, "kind: monitoring-history\nmodel: wide\nparams:\n  last: 1000\n")
            historyWall.append(Double((watcher.arrival(of: historyName + ".json") ?? t1) - t1) / 1e6)
            historyDaemon.append(Self.daemonMilliseconds(history))
            historyChecks = history.result?["count"]?.intValue ?? 0
            historyBytes = FileSystem.size(of: layout.results + "/\(historyName).json") ?? 0

            let defaultName = "history-default-\(round)"
            let t2 = MonotonicClock.now()
            let history100 = try submit(defaultName, "kind: monitoring-history\nmodel: wide\n")
            defaultWall.append(Double((watcher.arrival(of: defaultName + ".json") ?? t2) - t2) / 1e6)
            defaultDaemon.append(Self.daemonMilliseconds(history100))
            defaultBytes = FileSystem.size(of: layout.results + "/\(defaultName).json") ?? 0
        }
        try daemon.stop(timeout: 60)
        let raw = try rawWrite(bytes: reportBytes, directory: layout.root + "/rawwrite")
        return Figures(
            checks: checks,
            columns: Self.features + 2,
            checksPerSecond: Double(checks) / max(seconds, 1e-9),
            reportChecks: min(reportChecks, checks),
            reportBytes: reportBytes,
            reportMilliseconds: Percentiles(reportWall),
            reportDaemonMilliseconds: Percentiles(reportDaemon),
            rawWriteMilliseconds: raw,
            historyChecks: historyChecks,
            historyResultBytes: historyBytes,
            historyMilliseconds: Percentiles(historyWall),
            historyDaemonMilliseconds: Percentiles(historyDaemon),
            historyDefaultMilliseconds: Percentiles(defaultWall),
            historyDefaultDaemonMilliseconds: Percentiles(defaultDaemon),
            historyDefaultResultBytes: defaultBytes
        )
    }

    /// The result's `finished_at` − `started_at`, in milliseconds.
    static func daemonMilliseconds(_ document: ResultDocument) -> Double {
        guard let started = document.startedAt.flatMap(Timestamp.parse),
            let finished = document.finishedAt.flatMap(Timestamp.parse)
        else { return 0 }
        return finished.timeIntervalSince(started) * 1000
    }

    /// Milliseconds to write `bytes` durably the way the daemon writes a report: temp file,
    /// write, fsync, rename, fsync of the directory (median of 5).
    private func rawWrite(bytes: Int, directory: String) throws(BenchError) -> Double {
        try FileSystem.makeDirectory(directory)
        let payload = [UInt8](repeating: 0x3C, count: max(bytes, 1))
        var times: [Double] = []
        for i in 0..<5 {
            let start = MonotonicClock.now()
            try FileSystem.writeDurably(directory + "/.page.tmp", payload, renameTo: directory + "/page-\(i).html")
            times.append(Double(MonotonicClock.now() - start) / 1e6)
        }
        return Percentiles(times).p50
    }

    /// A register-model job for `wide`: 50 numerical features f00 … f49, a scanner
    /// (equipment) and an age band (population).
    static func registerModel() -> String {
        var text = """
            kind: register-model
            model: wide
            reason: benchmark
            params:
              task: binary_classification
              features:

            """
        for f in 0..<features { text += "    - name: f\(f < 10 ? "0" : "")\(f)\n      type: numerical\n" }
        text += """
              target: label
              classes: [normal, pneumonia]
              segments:
                equipment: [scanner]
                population: [band]

            """
        return text
    }

    /// `count` rows of the model's columns (a reference file, or a prediction file with ids
    /// and predictions). Batch `batch` of `of`: feature `f` is shifted by
    /// `0.5 · f/50 · batch/of` standard deviations, and the second half comes from scanner
    /// `S9`, which the reference never had.
    static func rows(_ count: Int, batch: Int, of total: Int, reference: Bool) -> [UInt8] {
        var rng = DriftBenchmark.Random(state: UInt64(batch) &* 7919 &+ (reference ? 1 : 2))
        var out = reference ? "" : "id,"
        out += (0..<features).map { "f\($0 < 10 ? "0" : "")\($0)" }.joined(separator: ",")
        out += ",scanner,band" + (reference ? "\n" : ",prediction\n")
        let progress = reference ? 0 : Double(batch) / Double(max(total, 1))
        let newScanner = !reference && batch >= total / 2
        for r in 0..<count {
            if !reference { out += "b\(batch)-\(r)," }
            for f in 0..<features {
                let shift = 0.5 * Double(f) / Double(features) * progress
                out += String(format: "%.3f,", rng.normal() + shift)
            }
            out += (newScanner ? "S9" : ["S0", "S1", "S2"][Int(rng.next() % 3)]) + ","
            out += ["b0", "b1", "b2", "b3"][Int(rng.next() % 4)]
            out += reference ? "\n" : (rng.next() % 2 == 0 ? ",normal\n" : ",pneumonia\n")
        }
        return Array(out.utf8)
    }
}
