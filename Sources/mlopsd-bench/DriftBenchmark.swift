import Foundation
import Glibc
import MLOpsCore
import MLOpsDaemon

/// `mlopsctl drift` end to end beside two Python references on the same files in the same
/// run, and one daemon check in process.
///
/// - Two seeded CSV files of N rows × 50 numerical + 2 categorical columns (the current one
///   with 10 numerical columns and one categorical column drifted, and a few empty cells).
/// - Ours: the release `mlopsctl drift --json` beside this program, spawned and reaped with
///   `wait4` (wall time from spawn to exit, peak RSS from `ru_maxrss`); median of 5 runs.
/// - pandas + scipy (`scripts/bench/drift_reference.py scipy`): `pandas.read_csv` on both,
///   `ks_2samp` per numerical column, `chi2_contingency` per categorical one; median of 3.
/// - evidently 0.7.23's DataDriftPreset (`drift_reference.py evidently`); one run.
/// - The Python references run in a virtual environment (`--venv`, default
///   ~/.cache/mlopsd-bench/venv) made with `python3 -m venv` and filled with pip on first
///   use; a reference that cannot be installed is reported unavailable with the reason.
/// - The daemon check: `MonitoringAnalysis.analyse` on a 10,000 × 50 window against a
///   10,000-row reference profile (sorted columns kept ready, as the daemon keeps them),
///   plus the decoding of the window's numeric BLOBs into columns as `PredictionStore.window` does;
///   median of 20.
struct DriftBenchmark {
    /// One timed process.
    struct ProcessRun: Sendable, Codable {
        var seconds: Double
        var peakRSSMegabytes: Double
    }

    /// A Python reference: its runs, what it said about its phases, or why it did not run.
    struct Reference: Sendable, Codable {
        var name: String
        var runs: [ProcessRun] = []
        /// Median wall time, spawn to exit.
        var seconds: Double?
        var peakRSSMegabytes: Double?
        /// The script's own phase times (median run): imports, read_csv, tests.
        var importSeconds: Double?
        var readSeconds: Double?
        var testSeconds: Double?
        var drifted: [String]?
        /// Why there is no figure.
        var unavailable: String?
    }

    struct Figures: Sendable, Codable {
        var rows: Int
        var fileMegabytes: Double
        var ours: [ProcessRun]
        var oursSeconds: Double
        var oursPeakRSSMegabytes: Double
        var oursDrifted: [String]
        var scipy: Reference
        var evidently: Reference
        /// In-process daemon check, 10,000 × 50 window against 10,000 reference rows.
        var checkMilliseconds: Percentiles
        var checkDecodeMilliseconds: Percentiles
        var checkAnalyseMilliseconds: Percentiles
    }

    let root: String
    let ctl: String
    let script: String
    /// Nil: the Python references are skipped (`--no-python`).
    let venv: String?
    let rows: Int

    static let categorical = ["site", "sex"]

    func run(progress: (String) -> Void) throws(BenchError) -> Figures {
        let directory = root + "/drift"
        try FileSystem.makeDirectory(directory)
        let referencePath = directory + "/reference.csv"
        let currentPath = directory + "/current.csv"
        progress("drift: writing two CSV files of \(Report.grouped(rows)) rows × 50 numerical + 2 categorical columns")
        let referenceBytes = DriftBenchmark.csv(rows: rows, seed: 11, drifted: false)
        let currentBytes = DriftBenchmark.csv(rows: rows, seed: 12, drifted: true)
        try FileSystem.writeFile(referencePath, referenceBytes)
        try FileSystem.writeFile(currentPath, currentBytes)
        let megabytes = Double(referenceBytes.count + currentBytes.count) / 2 / 1e6

        // Ours.
        var ours: [ProcessRun] = []
        var oursDrifted: [String] = []
        for i in 0..<5 {
            let out = directory + "/ours.\(i).json"
            let run = try DriftBenchmark.timed(
                ctl,
                [
                    "drift", "--reference", referencePath, "--current", currentPath, "--categorical", "site,sex",
                    "--json",
                ],
                stdout: out,
                stderr: directory + "/ours.\(i).err"
            )
            guard run.status == 0 else {
                throw .system(
                    "mlopsctl drift exited \(run.status): \(DriftBenchmark.tail(directory + "/ours.\(i).err"))"
                )
            }
            ours.append(run.figures)
            oursDrifted = DriftBenchmark.drifted(fromReport: out)
        }
        let oursMedian = DriftBenchmark.median(ours)
        progress(
            "  ours: \(Report.ms(oursMedian.seconds * 1000)) ms, peak RSS \(Report.fixed(oursMedian.peakRSSMegabytes, 0)) MB, "
                + "\(oursDrifted.count) columns drift"
        )

        // The Python references.
        var scipy = Reference(name: "pandas.read_csv + scipy per column")
        var evidently = Reference(name: "evidently 0.7.23 DataDriftPreset")
        if let venv {
            (scipy, evidently) = pythonReferences(
                scipy,
                evidently,
                venv: venv,
                paths: (referencePath, currentPath),
                directory: directory,
                progress: progress
            )
        } else {
            scipy.unavailable = "not run (--no-python)"
            evidently.unavailable = "not run (--no-python)"
        }

        progress("drift: one daemon check, 10,000 × 50 window against 10,000 reference rows, 20 times in process")
        let (total, decode, analyse) = DriftBenchmark.daemonCheck(repetitions: 20)
        progress("  median \(Report.ms(total.p50)) ms")
        return Figures(
            rows: rows,
            fileMegabytes: megabytes,
            ours: ours,
            oursSeconds: oursMedian.seconds,
            oursPeakRSSMegabytes: oursMedian.peakRSSMegabytes,
            oursDrifted: oursDrifted,
            scipy: scipy,
            evidently: evidently,
            checkMilliseconds: total,
            checkDecodeMilliseconds: decode,
            checkAnalyseMilliseconds: analyse
        )
    }

    /// pandas + scipy (3 runs) and evidently (1 run) in the environment `venv`, installed
    /// there first when missing.
    private func pythonReferences(
        _ scipyStart: Reference,
        _ evidentlyStart: Reference,
        venv: String,
        paths: (String, String),
        directory: String,
        progress: (String) -> Void
    ) -> (Reference, Reference) {
        var scipy = scipyStart
        var evidently = evidentlyStart
        let environment = PythonEnvironment(directory: venv, log: directory + "/pip.log")
        progress("  python references in \(venv) (created and filled with pip on first use)")
        if let problem = environment.ensure(
            ["pandas<3", "scipy", "numpy"],
            importing: "import pandas, scipy, numpy; assert pandas.__version__ < '3'"
        ) {
            scipy.unavailable = problem
            evidently.unavailable = problem
            return (scipy, evidently)
        }
        scipy = reference(scipy, environment, mode: "scipy", runs: 3, paths: paths, directory: directory)
        progress("  pandas + scipy: \(scipy.seconds.map { Report.fixed($0, 2) + " s" } ?? scipy.unavailable ?? "?")")
        if let problem = environment.ensure(
            ["evidently==0.7.23"],
            importing: "import evidently; assert evidently.__version__ == '0.7.23', evidently.__version__"
        ) {
            evidently.unavailable = problem
        } else {
            evidently = reference(
                evidently,
                environment,
                mode: "evidently",
                runs: 1,
                paths: paths,
                directory: directory
            )
        }
        progress("  evidently: \(evidently.seconds.map { Report.fixed($0, 2) + " s" } ?? evidently.unavailable ?? "?")")
        return (scipy, evidently)
    }

    /// Runs a Python reference `runs` times; the median run's figures.
    private func reference(
        _ start: Reference,
        _ environment: PythonEnvironment,
        mode: String,
        runs: Int,
        paths: (String, String),
        directory: String
    ) -> Reference {
        var result = start
        var phases: [(ProcessRun, [String: Any])] = []
        for i in 0..<runs {
            let out = directory + "/\(mode).\(i).json"
            let err = directory + "/\(mode).\(i).err"
            let run: (status: Int32, figures: ProcessRun)
            do {
                run = try DriftBenchmark.timed(
                    environment.python,
                    [script, mode, paths.0, paths.1, DriftBenchmark.categorical.joined(separator: ",")],
                    stdout: out,
                    stderr: err
                )
            } catch {
                result.unavailable = "\(error)"
                return result
            }
            guard run.status == 0,
                let data = FileManager.default.contents(atPath: out),
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            else {
                result.unavailable = "\(mode) reference exited \(run.status): \(DriftBenchmark.tail(err))"
                return result
            }
            result.runs.append(run.figures)
            phases.append((run.figures, object))
        }
        let sorted = phases.sorted { $0.0.seconds < $1.0.seconds }
        let (median, object) = sorted[sorted.count / 2]
        result.seconds = median.seconds
        result.peakRSSMegabytes = phases.map(\.0.peakRSSMegabytes).max()
        result.importSeconds = object["import_s"] as? Double
        result.readSeconds = object["read_s"] as? Double
        result.testSeconds = object["tests_s"] as? Double
        result.drifted = object["drifted"] as? [String]
        return result
    }

    // MARK: - Processes

    /// Spawns `executable arguments…` (our environment, stdin from /dev/null) and reaps it
    /// with wait4: the exit status, the wall time from spawn to exit and the peak RSS.
    static func timed(
        _ executable: String,
        _ arguments: [String],
        stdout: String,
        stderr: String
    )
        throws(BenchError) -> (status: Int32, figures: ProcessRun)
    {
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let start = MonotonicClock.now()
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                executable,
                arguments: arguments,
                environment: environment,
                stdout: stdout,
                stderr: stderr
            )
        } catch {
            throw .system("cannot start \(executable): \(error)")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw .errno("wait4 \(executable)") }
        }
        let seconds = MonotonicClock.seconds(from: start, to: MonotonicClock.now())
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, ProcessRun(seconds: seconds, peakRSSMegabytes: Double(usage.ru_maxrss) / 1024))
    }

    static func median(_ runs: [ProcessRun]) -> ProcessRun {
        let sorted = runs.sorted { $0.seconds < $1.seconds }
        return sorted.isEmpty ? ProcessRun(seconds: 0, peakRSSMegabytes: 0) : sorted[sorted.count / 2]
    }

    static func tail(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "(no output)" }
        return String(decoding: data.suffix(800), as: UTF8.self)
    }

    static func drifted(fromReport path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return [] }
        return (object["drifted"] as? [String] ?? []).sorted()
    }

    // MARK: - Data

    /// SplitMix64, so every run writes the same files.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    /// Column f00…f49: normal, log-normal, uniform and integer-valued features at various
    /// scales; in the current file every fifth column (f00, f05, …) is shifted by half a
    /// standard deviation. Site: six values, its mix changed in the current file; sex: two
    /// values, unchanged. About 0.2% of the cells of f01, f11, f21 and site are empty.
    static func csv(rows: Int, seed: UInt64, drifted: Bool) -> [UInt8] {
        var rng = Random(state: seed)
        var out: [UInt8] = []
        out.reserveCapacity(rows * 52 * 9 + 1024)
        out += Array(((0..<50).map { String(format: "f%02d", $0) } + categorical).joined(separator: ",").utf8)
        out.append(10)
        let sites = ["north", "south", "east", "west", "centre", "mobile"]
        let referenceMix = [0.3, 0.25, 0.2, 0.1, 0.1, 0.05]
        let currentMix = [0.1, 0.15, 0.2, 0.2, 0.2, 0.15]
        for _ in 0..<rows {
            for c in 0..<50 {
                let shift = drifted && c % 5 == 0 ? 0.5 : 0
                let missing = c % 10 == 1 && c < 30 && rng.uniform() < 0.002
                if !missing {
                    let z = rng.normal() + shift
                    switch c % 4 {
                    case 0: appendFixed(&out, 50 + 10 * z, decimals: 3)
                    case 1: appendFixed(&out, exp(0.5 * z), decimals: 5)
                    case 2: appendFixed(&out, (0.5 + 0.28 * z) * 100, decimals: 4)
                    default: appendFixed(&out, (3 * z).rounded(), decimals: 0)
                    }
                }
                out.append(UInt8(ascii: ","))
            }
            if rng.uniform() >= 0.002 {
                let mix = drifted ? currentMix : referenceMix
                var u = rng.uniform()
                var index = mix.count - 1
                for (i, share) in mix.enumerated() {
                    if u < share {
                        index = i
                        break
                    }
                    u -= share
                }
                out += Array(sites[index].utf8)
            }
            out.append(UInt8(ascii: ","))
            out.append(rng.uniform() < 0.5 ? UInt8(ascii: "F") : UInt8(ascii: "M"))
            out.append(10)
        }
        return out
    }

    /// `value` with `decimals` digits after the point, without a `String` per value.
    static func appendFixed(_ out: inout [UInt8], _ value: Double, decimals: Int) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        var scaled = (value * scale).rounded()
        if scaled < 0 {
            out.append(UInt8(ascii: "-"))
            scaled = -scaled
        }
        let units = UInt64(scaled)
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        appendInteger(&out, units / divisor)
        if decimals > 0 {
            out.append(UInt8(ascii: "."))
            var fraction = units % divisor
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: decimals)
            for i in stride(from: decimals - 1, through: 0, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            out += digits
        }
    }

    static func appendInteger(_ out: inout [UInt8], _ value: UInt64) {
        if value >= 10 { appendInteger(&out, value / 10) }
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    // MARK: - The daemon check

    /// The report's line for the daemon check (also all `--check-only` prints).
    static func checkLine(total c: Percentiles, decode: Percentiles, analyse: Percentiles) -> String {
        Report.pad("daemon check 10,000 × 50 (in process)", 40) + Report.pad("\(Report.ms(c.p50)) ms", 18)
            + "p50 of \(c.count); decode \(Report.ms(decode.p50)) ms + analyse \(Report.ms(analyse.p50)) ms; "
            + "p90 \(Report.ms(c.p90)) ms, max \(Report.ms(c.max)) ms"
    }

    /// Median, over `repetitions`, of decoding a 10,000-row window's numeric BLOBs into
    /// columns (as the daemon's PredictionStore.window does after SQLite hands it the rows) and
    /// `MonitoringAnalysis.analyse` against a 10,000-row reference profile.
    static func daemonCheck(repetitions: Int) -> (total: Percentiles, decode: Percentiles, analyse: Percentiles) {
        let features = 50
        let rows = 10_000
        var rng = Random(state: 99)
        let spec = ModelSpec(
            task: .binaryClassification,
            features: (0..<features).map { ModelSpec.Feature(name: String(format: "f%02d", $0), type: .numerical) },
            target: "label",
            classes: ["normal", "pneumonia"]
        )
        var referenceColumns: [String: [Double]] = [:]
        for f in 0..<features {
            referenceColumns[String(format: "f%02d", f)] = FiniteSample((0..<rows).map { _ in rng.normal() }).sorted
        }
        let profile = ReferenceProfile(rows: rows, numeric: referenceColumns, categorical: [:], segments: [:])
        // One BLOB of little-endian Float64 per prediction, as the store keeps them.
        let blobs: [[UInt8]] = (0..<rows).map { _ in
            PredictionRecord(
                id: "",
                at: "",
                numeric: (0..<features).map { f in rng.normal() + (f % 5 == 0 ? 0.3 : 0) },
                categorical: [],
                segments: [],
                prediction: "normal",
                score: nil,
                probabilities: nil,
                variant: nil,
                label: nil
            ).numericBlob
        }
        let thresholds = MonitoringAnalysis.Thresholds(
            dataDriftThreshold: 0.1,
            decayThreshold: 0.05,
            alpha: 0.01,
            minSamples: 200
        )
        var totals: [Double] = []
        var decodes: [Double] = []
        var analyses: [Double] = []
        for _ in 0..<repetitions {
            let start = MonotonicClock.now()
            // As the daemon's PredictionStore.window does: row blocks transposed into columns.
            var decoder = PredictionRecord.NumericColumnDecoder(width: features, capacity: rows)
            for blob in blobs {
                blob.withUnsafeBytes { decoder.append($0) }
            }
            let window = MonitoringWindow(
                count: rows,
                numeric: decoder.finish(),
                categorical: [],
                segments: [],
                predictions: Array(repeating: "normal", count: rows),
                labels: Array(repeating: nil, count: rows),
                scores: Array(repeating: nil, count: rows)
            )
            let decoded = MonotonicClock.now()
            let report = MonitoringAnalysis.analyse(
                spec: spec,
                reference: profile,
                window: window,
                baseline: 0.9,
                thresholds: thresholds
            )
            let end = MonotonicClock.now()
            _ = report
            totals.append(Double(end - start) / 1e6)
            decodes.append(Double(decoded - start) / 1e6)
            analyses.append(Double(end - decoded) / 1e6)
        }
        return (Percentiles(totals), Percentiles(decodes), Percentiles(analyses))
    }

    /// Median, over `repetitions`, of reading a multiclass window's logged probabilities (one
    /// JSON object per row, three classes, 10,000 rows) into per-class columns, as the daemon
    /// does before a check of a multiclass model with reference outputs.
    static func probabilityParsing(repetitions: Int) -> Percentiles {
        var rng = Random(state: 5)
        let texts: [String?] = (0..<10_000).map { _ in
            let a = rng.uniform()
            let b = (1 - a) * rng.uniform()
            return "{\"a\":\(a),\"b\":\(b),\"c\":\(1 - a - b)}"
        }
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = MonotonicClock.now()
            _ = MonitoringWindow.probabilityColumns(texts, classes: ["a", "b", "c"])
            times.append(Double(MonotonicClock.now() - start) / 1e6)
        }
        return Percentiles(times)
    }

    /// The report's line for the check with the label-free signals.
    static func signalsLine(analyse a: Percentiles, estimate e: Percentiles, reconstruction r: Percentiles) -> String {
        Report.pad("  with outputs, estimate, multivariate", 40) + Report.pad("\(Report.ms(a.p50)) ms", 18)
            + "p50 of \(a.count) (analyse); of which estimate \(Report.ms(e.p50)) ms, reconstruction \(Report.ms(r.p50)) ms; "
            + "p90 \(Report.ms(a.p90)) ms, max \(Report.ms(a.max)) ms"
    }

    /// Median, over `repetitions`, of `MonitoringAnalysis.analyse` on a 10,000 × 50 window
    /// with scores against a 10,000-row reference that carries the model's outputs and labels
    /// (output drift, the CBPE estimate and PCA reconstruction, fitted once beforehand), and
    /// of the estimate and the reconstruction alone.
    static func daemonCheckWithSignals(
        repetitions: Int
    ) -> (analyse: Percentiles, estimate: Percentiles, reconstruction: Percentiles) {
        let features = 50
        let rows = 10_000
        var rng = Random(state: 77)
        let names = (0..<features).map { String(format: "f%02d", $0) }
        let spec = ModelSpec(
            task: .binaryClassification,
            features: names.map { ModelSpec.Feature(name: $0, type: .numerical) },
            target: "label",
            classes: ["normal", "pneumonia"]
        )
        func sample(shift: Double) -> (columns: [[Double]], scores: [Double], labels: [String]) {
            var columns = [[Double]](repeating: [], count: features)
            var scores: [Double] = []
            var labels: [String] = []
            for _ in 0..<rows {
                let common = rng.normal()
                for f in 0..<features {
                    columns[f].append(0.6 * common + 0.8 * rng.normal() + (f % 5 == 0 ? shift : 0))
                }
                let p = 1 / (1 + exp(-(columns[0].last ?? 0) - (columns[1].last ?? 0)))
                scores.append(p)
                labels.append(rng.uniform() < p ? "pneumonia" : "normal")
            }
            return (columns, scores, labels)
        }
        let reference = sample(shift: 0)
        var tableRows: [[String]] = []
        tableRows.reserveCapacity(rows)
        for r in 0..<rows {
            var row = reference.columns.map { String($0[r]) }
            row.append(reference.scores[r] >= 0.5 ? "pneumonia" : "normal")
            row.append(String(reference.scores[r]))
            row.append(reference.labels[r])
            tableRows.append(row)
        }
        let table = CSVTable(
            header: names + ["prediction", "score", "label"],
            rows: tableRows,
            rowLines: Array(2..<(rows + 2))
        )
        var profile = ReferenceProfile(table: table, spec: spec)
        profile.signals = ReferenceSignals.fit(table: table, spec: spec, fileName: "reference.csv", windowSize: 1000)
        let current = sample(shift: 0.3)
        let window = MonitoringWindow(
            count: rows,
            numeric: current.columns,
            categorical: [],
            segments: [],
            predictions: current.scores.map { $0 >= 0.5 ? "pneumonia" : "normal" },
            labels: Array(repeating: nil, count: rows),
            scores: current.scores
        )
        let thresholds = MonitoringAnalysis.Thresholds(
            dataDriftThreshold: 0.1,
            decayThreshold: 0.05,
            alpha: 0.01,
            minSamples: 200
        )
        var analyses: [Double] = []
        var estimates: [Double] = []
        var reconstructions: [Double] = []
        let outputs = try? ClassifierOutputs(
            classes: ["normal", "pneumonia"],
            predictions: window.predictions,
            scores: [current.scores]
        )
        for _ in 0..<repetitions {
            let start = MonotonicClock.now()
            let report = MonitoringAnalysis.analyse(
                spec: spec,
                reference: profile,
                window: window,
                baseline: 0.8,
                thresholds: thresholds
            )
            let analysed = MonotonicClock.now()
            if let outputs { _ = profile.signals.estimator?.estimate(outputs, labels: window.labels) }
            let estimated = MonotonicClock.now()
            _ = profile.signals.reconstruction?.evaluate(current.columns)
            let reconstructed = MonotonicClock.now()
            _ = report
            analyses.append(Double(analysed - start) / 1e6)
            estimates.append(Double(estimated - analysed) / 1e6)
            reconstructions.append(Double(reconstructed - estimated) / 1e6)
        }
        return (Percentiles(analyses), Percentiles(estimates), Percentiles(reconstructions))
    }
}
