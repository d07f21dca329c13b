import Foundation
import Glibc
import MLOpsCore

/// Label-free performance estimation (CBPE) and multivariate drift: their cost in a daemon
/// check, how close the estimate is to the truth, how often the estimated-decay rule cries
/// wolf, and NannyML 0.13.1 on the same file pair for time (`mlopsd-bench --estimate-only`).
///
/// - Data: a seeded binary classifier over 5 features (three informative, two correlated
///   noise); its score is overconfident, so calibration matters. 100,000 reference rows with
///   labels; 100,000 current rows in ten chunks of 10,000 under a pure covariate shift (the
///   most informative feature's mean moves 0 → 1.35 and its spread shrinks 1 → 0.46), where
///   CBPE's assumption holds and the realized ROC AUC falls.
/// - Estimate time: ``PerformanceEstimator/estimate(_:labels:)`` of one 10,000-row window,
///   the estimator fitted once beforehand (as the daemon keeps it with a version); median of
///   `repetitions`. Also the fit, and the PCA fit and one window's reconstruction error.
/// - Accuracy: |estimated − realized| ROC AUC per current chunk.
/// - False alarms: `windows` windows of 1,000 rows with no shift at all, each judged by
///   ``EstimatedDecay`` against the reference's ROC AUC (threshold 0.05, the daemon's
///   `model_decay_threshold` default), and by NannyML's own alert (outside the reference
///   chunks' mean ± 3σ).
/// - NannyML: `scripts/nannyml_reference.py` op `timing` on the same two files (read, fit,
///   estimate ten chunks), and our `mlopsctl drift` with the same options, both as processes.
struct EstimationBenchmark {
    struct Figures: Sendable, Codable {
        var referenceRows: Int
        var currentRows: Int
        var fitMilliseconds: Double
        var estimateMilliseconds: Percentiles
        var pcaFitMilliseconds: Double
        var pcaWindowMilliseconds: Percentiles
        var absoluteErrors: [Double]
        var realizedAUC: [Double]
        var windows: Int
        var decayAlarms: Int
        var thresholdAlerts: Int
        var ctlSeconds: Double?
        var nannymlCBPESeconds: Double?
        var nannymlDRCSeconds: Double?
        var nannymlUnavailable: String?
    }

    static let features = ["f1", "f2", "f3", "f4", "f5"]
    static let chunk = 10_000

    /// `rows` rows; f1 ~ N(shift, spread²). The true P(1 | x) = σ(1.2·f1 − 0.8·f2 + 0.5·f3 − 0.3);
    /// the score σ(1.8·f1 − 1.2·f2 + 0.75·f3 − 0.1), predicted 1 above 0.5.
    static func data(
        rows: Int,
        seed: UInt64,
        shift: Double = 0,
        spread: Double = 1
    ) -> (
        features: [[Double]], scores: [Double], predictions: [String], labels: [String]
    ) {
        var rng = DriftBenchmark.Random(state: seed)
        var features = [[Double]](repeating: [], count: 5)
        var scores: [Double] = []
        var predictions: [String] = []
        var labels: [String] = []
        for _ in 0..<rows {
            let x1 = spread * rng.normal() + shift
            let x2 = rng.normal()
            let x3 = rng.normal()
            let x4 = rng.normal()
            let x5 = 0.7 * x4 + 0.71 * rng.normal()
            for (f, v) in [x1, x2, x3, x4, x5].enumerated() { features[f].append(v) }
            let truth = 1 / (1 + exp(-(1.2 * x1 - 0.8 * x2 + 0.5 * x3 - 0.3)))
            let score = 1 / (1 + exp(-(1.8 * x1 - 1.2 * x2 + 0.75 * x3 - 0.1)))
            scores.append(score)
            predictions.append(score > 0.5 ? "1" : "0")
            labels.append(rng.uniform() < truth ? "1" : "0")
        }
        return (features, scores, predictions, labels)
    }

    static func csv(_ d: (features: [[Double]], scores: [Double], predictions: [String], labels: [String])) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(d.scores.count * 120)
        out += Array("f1,f2,f3,f4,f5,score,prediction,label\n".utf8)
        for r in d.scores.indices {
            var line = d.features.map { "\($0[r])" }
            line += ["\(d.scores[r])", d.predictions[r], d.labels[r]]
            out += Array((line.joined(separator: ",") + "\n").utf8)
        }
        return out
    }

    static func outputs(_ scores: [Double], _ predictions: [String]) throws(BenchError) -> ClassifierOutputs {
        do {
            return try ClassifierOutputs(classes: ["0", "1"], predictions: predictions, scores: [scores])
        } catch { throw .system("outputs: \(error)") }
    }

    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let start = MonotonicClock.now()
        try body()
        return MonotonicClock.seconds(from: start, to: MonotonicClock.now()) * 1000
    }

    /// Runs everything; `directory` holds the two CSV files; `ctl` and `python` (NannyML's
    /// environment) are optional.
    static func run(
        rows: Int = 100_000,
        windows: Int = 1_000,
        repetitions: Int = 20,
        directory: String,
        ctl: String?,
        nannymlPython: String?,
        script: String,
        progress: (String) -> Void
    ) throws(BenchError) -> Figures {
        progress("estimation: \(Report.grouped(rows)) reference rows, \(Report.grouped(rows)) current rows")
        let reference = data(rows: rows, seed: 1)
        var current = data(rows: 0, seed: 0)
        let chunks = max(rows / chunk, 1)
        for c in 0..<chunks {
            let part = data(
                rows: min(chunk, rows),
                seed: 100 + UInt64(c),
                shift: 0.15 * Double(c),
                spread: 1 - 0.06 * Double(c)
            )
            for f in 0..<5 { current.features[f] += part.features[f] }
            current.scores += part.scores
            current.predictions += part.predictions
            current.labels += part.labels
        }
        let referenceOutputs = try outputs(reference.scores, reference.predictions)
        var estimator: PerformanceEstimator?
        var fitError: (any Error)?
        let fitMs = milliseconds {
            do {
                estimator = try PerformanceEstimator.fit(
                    reference: referenceOutputs,
                    labels: reference.labels,
                    chunkSize: chunk
                )
            } catch { fitError = error }
        }
        guard let estimator else { throw .system("fit: \(String(describing: fitError))") }
        progress("  fit \(Report.ms(fitMs)) ms (calibration \(estimator.calibrations.map(\.method)))")

        // One 10,000-row window, many times.
        let window = try outputs(Array(current.scores[0..<chunk]), Array(current.predictions[0..<chunk]))
        var samples: [Double] = []
        for _ in 0..<repetitions {
            samples.append(milliseconds { _ = estimator.estimate(window) })
        }
        let estimateTimes = Percentiles(samples)
        progress("  estimate of a 10,000-row window: median \(Report.ms(estimateTimes.p50)) ms")

        // PCA.
        var model: ReconstructionDrift?
        let pcaFitMs = milliseconds {
            model = try? ReconstructionDrift.fit(columns: reference.features, names: features, chunkSize: chunk)
        }
        guard let model else { throw .system("PCA fit failed") }
        var pcaSamples: [Double] = []
        let windowColumns = current.features.map { Array($0[0..<chunk]) }
        for _ in 0..<repetitions { pcaSamples.append(milliseconds { _ = model.evaluate(windowColumns) }) }
        let pcaTimes = Percentiles(pcaSamples)
        progress("  PCA fit \(Report.ms(pcaFitMs)) ms; a 10,000-row window \(Report.ms(pcaTimes.p50)) ms")

        // Accuracy per chunk under the covariate shift.
        var errors: [Double] = []
        var realized: [Double] = []
        for c in 0..<chunks {
            let range = (c * chunk)..<min((c + 1) * chunk, current.scores.count)
            let part = try outputs(Array(current.scores[range]), Array(current.predictions[range]))
            let estimate = estimator.estimate(part, labels: Array(current.labels[range]))
            guard let auc = estimate[.rocAUC], let e = auc.estimated, let r = auc.realized else { continue }
            errors.append(abs(e - r))
            realized.append(r)
        }
        progress(
            "  |estimated − realized| ROC AUC over \(errors.count) chunks: max \(Report.fixed(errors.max() ?? 0, 4)), "
                + "realized \(Report.fixed(realized.first ?? 0, 3)) → \(Report.fixed(realized.last ?? 0, 3))"
        )

        // False alarms over no-shift windows of 1,000 rows (thresholds for that size).
        let small: PerformanceEstimator
        do {
            small = try PerformanceEstimator.fit(
                reference: referenceOutputs,
                labels: reference.labels,
                chunkSize: 1_000
            )
        } catch { throw .system("fit: \(error)") }
        let baseline = small.references.first { $0.metric == .rocAUC }?.realized ?? 0
        var alarms = 0
        var alerts = 0
        for w in 0..<windows {
            let d = data(rows: 1_000, seed: 10_000 + UInt64(w))
            guard let auc = small.estimate(try outputs(d.scores, d.predictions))[.rocAUC] else { continue }
            if EstimatedDecay.judge(auc, baseline: baseline, threshold: 0.05)?.decayed == true { alarms += 1 }
            if auc.alert { alerts += 1 }
        }
        progress("  \(windows) no-shift windows: \(alarms) estimated-decay alarms, \(alerts) threshold alerts")

        var figures = Figures(
            referenceRows: rows,
            currentRows: current.scores.count,
            fitMilliseconds: fitMs,
            estimateMilliseconds: estimateTimes,
            pcaFitMilliseconds: pcaFitMs,
            pcaWindowMilliseconds: pcaTimes,
            absoluteErrors: errors,
            realizedAUC: realized,
            windows: windows,
            decayAlarms: alarms,
            thresholdAlerts: alerts
        )

        // The same files through mlopsctl drift and NannyML.
        let referencePath = directory + "/estimation-reference.csv"
        let currentPath = directory + "/estimation-current.csv"
        try FileSystem.writeFile(referencePath, csv(reference))
        try FileSystem.writeFile(currentPath, csv(current))
        if let ctl {
            let run = try DriftBenchmark.timed(
                ctl,
                [
                    "drift", "--reference", referencePath, "--current", currentPath, "--prediction", "prediction",
                    "--score", "score", "--target", "label", "--chunk-size", "\(chunk)", "--json",
                ],
                stdout: directory + "/estimation-ctl.json",
                stderr: directory + "/estimation-ctl.err"
            )
            if run.status == 0 { figures.ctlSeconds = run.figures.seconds }
            progress(
                "  mlopsctl drift with the estimate: \(Report.fixed(run.figures.seconds, 2)) s (exit \(run.status))"
            )
        }
        guard let nannymlPython else {
            figures.nannymlUnavailable = "no NannyML environment (run scripts/nannyml-venv.sh)"
            return figures
        }
        for kind in ["cbpe", "drc"] {
            let request: [String: Any] = [
                "op": "timing",
                "cases": [
                    [
                        "kind": kind, "reference": referencePath, "analysis": currentPath, "target": "label",
                        "prediction": "prediction", "scores": ["1": "score"], "positive": "1", "chunk_size": chunk,
                        "metrics": ["roc_auc", "accuracy", "precision", "recall", "f1"], "columns": features,
                    ]
                ],
            ]
            let requestPath = directory + "/nannyml-\(kind).request.json"
            let responsePath = directory + "/nannyml-\(kind).response.json"
            guard let body = try? JSONSerialization.data(withJSONObject: request),
                FileManager.default.createFile(atPath: requestPath, contents: body)
            else { throw .system("cannot write \(requestPath)") }
            let run = try DriftBenchmark.timed(
                nannymlPython,
                [script, requestPath, responsePath],
                stdout: directory + "/nannyml-\(kind).out",
                stderr: directory + "/nannyml-\(kind).err"
            )
            guard run.status == 0 else {
                figures.nannymlUnavailable =
                    "nannyml_reference.py exited \(run.status): \(DriftBenchmark.tail(directory + "/nannyml-\(kind).err"))"
                return figures
            }
            if kind == "cbpe" {
                figures.nannymlCBPESeconds = run.figures.seconds
            } else {
                figures.nannymlDRCSeconds = run.figures.seconds
            }
            progress(
                "  NannyML \(kind == "cbpe" ? "CBPE" : "data reconstruction"): \(Report.fixed(run.figures.seconds, 2)) s"
            )
        }
        return figures
    }

    /// The figures as lines for people.
    static func lines(_ f: Figures) -> [String] {
        let meanError = f.absoluteErrors.isEmpty ? 0 : f.absoluteErrors.reduce(0, +) / Double(f.absoluteErrors.count)
        var lines = [
            "estimation (CBPE, binary): \(Report.grouped(f.referenceRows)) labelled reference rows, "
                + "\(Report.grouped(f.currentRows)) current rows",
            "  fit once per version            \(Report.ms(f.fitMilliseconds)) ms",
            "  estimate, 10,000-row window     median \(Report.ms(f.estimateMilliseconds.p50)) ms, "
                + "p90 \(Report.ms(f.estimateMilliseconds.p90)) ms (goal < 50 ms)",
            "  PCA fit / 10,000-row window     \(Report.ms(f.pcaFitMilliseconds)) ms / "
                + "\(Report.ms(f.pcaWindowMilliseconds.p50)) ms",
            "  |estimated − realized| ROC AUC  mean \(Report.fixed(meanError, 4)), max "
                + "\(Report.fixed(f.absoluteErrors.max() ?? 0, 4)) over \(f.absoluteErrors.count) chunks of 10,000 "
                + "(goal ≤ 0.02); realized "
                + f.realizedAUC.map { Report.fixed($0, 3) }.joined(separator: " "),
            "  no-shift windows of 1,000       \(f.decayAlarms) of \(f.windows) estimated-decay alarms "
                + "(\(Report.fixed(100 * Double(f.decayAlarms) / Double(max(f.windows, 1)), 1))%, goal ≤ 1%); "
                + "\(f.thresholdAlerts) outside NannyML's ±3σ thresholds",
        ]
        if let s = f.ctlSeconds {
            lines.append("  mlopsctl drift (estimate + PCA) \(Report.fixed(s, 2)) s for the file pair")
        }
        if let c = f.nannymlCBPESeconds, let d = f.nannymlDRCSeconds {
            lines.append(
                "  NannyML 0.13.1 same pair       CBPE \(Report.fixed(c, 2)) s, data reconstruction "
                    + "\(Report.fixed(d, 2)) s (processes: imports, read_csv, fit, estimate)"
            )
        } else if let why = f.nannymlUnavailable {
            lines.append("  NannyML: \(why)")
        }
        return lines
    }
}
