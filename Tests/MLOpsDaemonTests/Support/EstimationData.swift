import Foundation

/// Deterministic data with the model's outputs for the label-free signals (output drift, the
/// estimate, multivariate drift), for the test model of ``Jobs/registerModel(_:id:)``.
///
/// The "model" is known exactly: P(pneumonia | age) = σ(1.5·(age − 50)/10), its score is
/// that probability (calibrated), its prediction the class above 0.5, and the label is drawn
/// from it. `scanner_kv` follows age with correlation `correlation`.
enum EstimationData {
    /// How the traffic differs from the reference.
    struct Traffic {
        /// Added to age (a covariate shift: the model stays right, its confidence follows).
        var ageShift = 0.0
        /// Age's standard deviation (the reference's is 10): a small one puts every case near
        /// the decision boundary, where the model is unsure and truly less accurate.
        var ageSpread = 10.0
        /// The correlation of scanner_kv with age (the reference's is +0.8).
        var correlation = 0.8
        /// Scores pulled towards 0.5 by this factor (1: unchanged): a synthetic loss of confidence.
        var confidence = 1.0
        /// Whether the rows carry their labels.
        var labelled = false
    }

    struct Row {
        var age: Double
        var kv: Double
        var scanner: String
        var band: String
        var score: Double
        var prediction: String
        var label: String
    }

    static func rows(_ count: Int, seed: UInt64, traffic: Traffic = Traffic()) -> [Row] {
        var rng = MonitoringData.Random(seed: seed)
        return (0..<count).map { _ in
            let z = rng.normal()
            let age = 50 + traffic.ageShift + traffic.ageSpread * z
            let rho = traffic.correlation
            let kv = 110 + 8 * (rho * z + (1 - rho * rho).squareRoot() * rng.normal())
            let p = 1 / (1 + exp(-1.5 * (age - 50) / 10))
            let label = rng.uniform() < p ? "pneumonia" : "normal"
            let score = 0.5 + (p - 0.5) * traffic.confidence
            return Row(
                age: age,
                kv: kv,
                scanner: rng.pick(["S0", "S1", "S2"]),
                band: rng.pick(MonitoringData.bands),
                score: score,
                prediction: score >= 0.5 ? "pneumonia" : "normal",
                label: label
            )
        }
    }

    /// The reference CSV with outputs and labels (`outputs: false`: the features only).
    static func reference(rows count: Int, seed: UInt64 = 1, outputs: Bool = true) -> String {
        var csv = "age,scanner_kv,scanner_model,age_band" + (outputs ? ",prediction,score,label" : "") + "\n"
        for row in rows(count, seed: seed) {
            csv += String(format: "%.4f,%.4f,", row.age, row.kv) + row.scanner + "," + row.band
            if outputs { csv += "," + row.prediction + "," + String(format: "%.6f", row.score) + "," + row.label }
            csv += "\n"
        }
        return csv
    }

    /// The accuracy of the reference's predictions: the version's baseline.
    static func referenceAccuracy(rows count: Int, seed: UInt64 = 1) -> Double {
        let all = rows(count, seed: seed)
        return Double(all.filter { $0.prediction == $0.label }.count) / Double(all.count)
    }

    /// The labels of ``predictions(prefix:rows:seed:traffic:)``'s rows, as log-ground-truth reads them.
    static func labels(prefix: String, rows count: Int, seed: UInt64, traffic: Traffic = Traffic()) -> String {
        var csv = "id,label\n"
        for (i, row) in rows(count, seed: seed, traffic: traffic).enumerated() {
            csv += "\(prefix)-\(i),\(row.label)\n"
        }
        return csv
    }

    /// A prediction CSV of `count` rows with ids `<prefix>-<n>`.
    static func predictions(prefix: String, rows count: Int, seed: UInt64, traffic: Traffic = Traffic()) -> String {
        var csv =
            "id,age,scanner_kv,scanner_model,age_band,prediction,score" + (traffic.labelled ? ",label" : "") + "\n"
        for (i, row) in rows(count, seed: seed, traffic: traffic).enumerated() {
            csv +=
                "\(prefix)-\(i)," + String(format: "%.4f,%.4f,", row.age, row.kv) + row.scanner + "," + row.band + ","
                + row.prediction + "," + String(format: "%.6f", row.score) + (traffic.labelled ? "," + row.label : "")
                + "\n"
        }
        return csv
    }

    /// A three-class model (`a`, `b`, `c`) over age: softmax of (−1.5, 0, 1.5)·(age − 50)/10,
    /// calibrated; the prediction is the most probable class, the label drawn from them.
    struct MulticlassRow {
        var age: Double
        var kv: Double
        var scanner: String
        var band: String
        var probabilities: [Double]
        var prediction: String
        var label: String
    }

    static let multiclasses = ["a", "b", "c"]

    static func multiclassRows(_ count: Int, seed: UInt64, ageSpread: Double = 10) -> [MulticlassRow] {
        var rng = MonitoringData.Random(seed: seed)
        return (0..<count).map { _ in
            let z = rng.normal()
            let age = 50 + ageSpread * z
            let kv = 110 + 8 * (0.8 * z + 0.6 * rng.normal())
            let t = (age - 50) / 10
            let logits = [-1.5 * t, 0, 1.5 * t]
            let top = logits.max() ?? 0
            let e = logits.map { exp($0 - top) }
            let p = e.map { $0 / e.reduce(0, +) }
            var u = rng.uniform()
            var label = "c"
            for (k, q) in p.enumerated() {
                u -= q
                if u < 0 {
                    label = multiclasses[k]
                    break
                }
            }
            let best = p.firstIndex(of: p.max() ?? 0) ?? 0
            return MulticlassRow(
                age: age,
                kv: kv,
                scanner: rng.pick(["S0", "S1", "S2"]),
                band: rng.pick(MonitoringData.bands),
                probabilities: p,
                prediction: multiclasses[best],
                label: label
            )
        }
    }

    /// The multiclass reference with `prediction`, `probabilities.<class>` and `label`.
    static func multiclassReference(rows count: Int, seed: UInt64 = 2) -> String {
        var csv =
            "age,scanner_kv,scanner_model,age_band,prediction,probabilities.a,probabilities.b,probabilities.c,label\n"
        for row in multiclassRows(count, seed: seed) {
            csv +=
                String(format: "%.4f,%.4f,", row.age, row.kv) + row.scanner + "," + row.band + "," + row.prediction
                + ","
                + row.probabilities.map { String(format: "%.6f", $0) }.joined(separator: ",") + "," + row.label + "\n"
        }
        return csv
    }

    /// The reference's accuracy.
    static func multiclassAccuracy(rows count: Int, seed: UInt64 = 2) -> Double {
        let all = multiclassRows(count, seed: seed)
        return Double(all.filter { $0.prediction == $0.label }.count) / Double(all.count)
    }

    /// Predictions as JSON Lines with their `probabilities` mapping.
    static func multiclassPredictions(prefix: String, rows count: Int, seed: UInt64, ageSpread: Double = 10) -> String {
        var text = ""
        for (i, row) in multiclassRows(count, seed: seed, ageSpread: ageSpread).enumerated() {
            let probabilities = zip(multiclasses, row.probabilities).map { "\"\($0)\": \(String(format: "%.6f", $1))" }
            text +=
                "{\"id\": \"\(prefix)-\(i)\", \"age\": \(String(format: "%.4f", row.age)), "
                + "\"scanner_kv\": \(String(format: "%.4f", row.kv)), \"scanner_model\": \"\(row.scanner)\", "
                + "\"age_band\": \"\(row.band)\", \"prediction\": \"\(row.prediction)\", "
                + "\"probabilities\": {\(probabilities.joined(separator: ", "))}}\n"
        }
        return text
    }
}
