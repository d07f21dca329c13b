import Foundation
import Glibc
import Testing

/// The real `mlopsctl drift` with a model's outputs named: output drift, the CBPE estimate of
/// the current file and the multivariate drift, as text, JSON and HTML; and its refusals.
/// (The numbers themselves are compared with NannyML in MLOpsCoreTests' EstimationTests.)
@Suite struct MLOpsCtlEstimateTests {
    /// A binary classifier's file: x1, x2 (correlated by `rho`), score (overconfident),
    /// prediction and, when asked, label; x1 shifted by `shift`.
    static func write(
        _ path: String,
        rows: Int,
        seed: UInt64,
        shift: Double = 0,
        rho: Double = 0.6,
        labels: Bool
    ) throws {
        var rng = MLOpsCtlDriftTests.Random(state: seed)
        var text = "x1,x2,score,prediction" + (labels ? ",label" : "") + "\n"
        for _ in 0..<rows {
            let z1 = rng.normal()
            let x1 = z1 + shift
            let x2 = rho * z1 + (1 - rho * rho).squareRoot() * rng.normal()
            let truth = 1 / (1 + exp(-(1.2 * x1 - 0.7 * x2)))
            let score = 1 / (1 + exp(-(2 * x1 - 1.1 * x2)))
            var cells = [String(format: "%.5f", x1), String(format: "%.5f", x2), String(format: "%.6f", score)]
            cells.append(score > 0.5 ? "yes" : "no")
            if labels { cells.append(rng.uniform() < truth ? "yes" : "no") }
            text += cells.joined(separator: ",") + "\n"
        }
        try writeFile(path, Data(text.utf8))
    }

    static let model = ["--prediction", "prediction", "--score", "score", "--target", "label"]

    @Test func estimateOutputDriftAndMultivariateDriftInJSONTextAndHTML() throws {
        let dir = try MLOpsCtlDriftTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir + "/ref.csv", rows: 6_000, seed: 1, labels: true)
        try Self.write(dir + "/cur.csv", rows: 3_000, seed: 2, shift: 0.8, rho: -0.6, labels: false)
        let files = ["drift", "--reference", dir + "/ref.csv", "--current", dir + "/cur.csv"]
        let run = try Ctl.run(
            files + Self.model + ["--chunk-size", "1000", "--json", "--html", dir + "/page.html"],
            in: dir
        )
        #expect(run.exitCode == 0, "\(run)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let columns = try #require(json["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == ["x1", "x2", "score", "prediction"])
        #expect(columns.map { $0["type"] as? String } == ["numerical", "numerical", "output", "output"])
        #expect((json["outputs_drifted"] as? [String])?.contains("score") == true, "\(json)")
        let estimate = try #require(json["estimate"] as? [String: Any])
        #expect(estimate["classes"] as? [String] == ["no", "yes"])
        #expect(estimate["calibration"] as? [String] == ["isotonic"])
        #expect(estimate["threshold_chunk_size"] as? Int == 1000)
        let chunks = try #require(estimate["chunks"] as? [[String: Any]])
        #expect(chunks.count == 3)
        let metrics = try #require((chunks.first?["value"] as? [String: Any])?["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["metric"] as? String } == ["roc_auc", "accuracy", "precision", "recall", "f1"])
        #expect(metrics.allSatisfy { ($0["estimated"] as? Double).map { $0 > 0.5 && $0 <= 1 } == true }, "\(metrics)")
        #expect(metrics.allSatisfy { $0["realized"] is NSNull }, "no labels in the current file")
        let multivariate = try #require(json["multivariate"] as? [String: Any])
        #expect(multivariate["columns"] as? [String] == ["x1", "x2"])
        let mvChunks = try #require(multivariate["chunks"] as? [[String: Any]])
        #expect(mvChunks.allSatisfy { ($0["value"] as? [String: Any])?["drift"] as? Bool == true }, "\(mvChunks)")
        let page = try String(contentsOfFile: dir + "/page.html", encoding: .utf8)
        #expect(page.contains("Estimated performance") && page.contains("Multivariate drift"))
        if try HeadlessBrowser.available() {
            // Strict parse, no console error, no request, a PDF with something on it.
            _ = try ReportBrowserTests.renderCleanly(dir + "/page.html", into: dir)
        }

        let text = try Ctl.run(files + Self.model, in: dir)
        #expect(text.exitCode == 0, "\(text)")
        #expect(text.stdout.contains("of 2 input columns drift"), "\(text)")
        #expect(text.stdout.contains("output columns drift"), "\(text)")
        #expect(text.stdout.contains("estimated performance (CBPE): classes no, yes; calibration isotonic"), "\(text)")
        #expect(text.stdout.contains("multivariate drift (PCA reconstruction error of 2 numerical columns"), "\(text)")
    }

    @Test func badModelOptionsExit64AndABadScoreCellExits65() throws {
        let dir = try MLOpsCtlDriftTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir + "/ref.csv", rows: 50, seed: 3, labels: true)
        try writeFile(dir + "/bad.csv", Data("x1,x2,score,prediction\n1,2,0.5,yes\n1,2,high,no\n".utf8))
        let files = ["drift", "--reference", dir + "/ref.csv", "--current", dir + "/ref.csv"]
        let cases: [([String], String)] = [
            (["--score", "proba", "--prediction", "prediction"], "--score names 'proba'"),
            (["--score", "score", "--probability", "a=x", "--probability", "b=y"], "not both"),
            (["--probability", "a=x"], "every class"),
            (["--probability", "ax", "--probability", "b=y"], "CLASS=COLUMN"),
            (["--positive", "yes"], "--positive goes with --score"),
            (["--chunk-size", "0"], "--chunk-size"),
            (["--pca-variance", "1"], "--pca-variance"),
        ]
        for (options, message) in cases {
            let run = try Ctl.run(files + options, in: dir)
            #expect(run.exitCode == 64 && run.stderr.contains(message), "\(options): \(run)")
        }
        let bad = try Ctl.run(
            ["drift", "--reference", dir + "/ref.csv", "--current", dir + "/bad.csv"] + Self.model,
            in: dir
        )
        #expect(bad.exitCode == 65, "\(bad)")
        #expect(bad.stderr.contains("bad.csv: line 3, column 'score': 'high' is not a number"), "\(bad)")
    }
}
