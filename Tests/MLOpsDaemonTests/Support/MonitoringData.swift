import Foundation

/// Deterministic data for monitoring scenarios: reference and prediction CSV files for the
/// test model of ``Jobs/registerModel(_:id:)`` (features age, scanner_kv; equipment
/// scanner_model; population age_band; classes normal, pneumonia).
struct MonitoringData {
    /// A small PCG-style generator: the same seed gives the same files on every machine.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var x = state
            x ^= x >> 33
            x = x &* 0xff51_afd7_ed55_8ccd
            x ^= x >> 33
            return x
        }
        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// Standard normal (Box–Muller).
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300)
            let v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        mutating func pick<T>(_ items: [T], weights: [Double]? = nil) -> T {
            guard let weights else { return items[Int(uniform() * Double(items.count)) % items.count] }
            var r = uniform() * weights.reduce(0, +)
            for (item, w) in zip(items, weights) {
                r -= w
                if r < 0 { return item }
            }
            return items[items.count - 1]
        }
    }

    /// How the prediction traffic differs from the reference.
    struct Traffic {
        var kvpShift = 0.0
        var scanners = ["S0", "S1", "S2"]
        var ageBandWeights: [Double] = [1, 1, 1, 1]
        /// Share of labels equal to the prediction; nil: no labels.
        var accuracy: Double?
    }

    static let bands = ["b0", "b1", "b2", "b3"]

    /// The reference CSV (`rows` rows), as create-version reads it.
    static func reference(rows: Int, seed: UInt64 = 1) -> String {
        var rng = Random(seed: seed)
        var csv = "age,scanner_kv,scanner_model,age_band\n"
        for _ in 0..<rows {
            csv +=
                String(format: "%.3f,%.3f,", 50 + 10 * rng.normal(), 110 + 8 * rng.normal())
                + rng.pick(["S0", "S1", "S2"]) + "," + rng.pick(bands) + "\n"
        }
        return csv
    }

    /// A prediction CSV of `rows` rows with ids `<prefix>-<n>`.
    static func predictions(prefix: String, rows: Int, seed: UInt64, traffic: Traffic = Traffic()) -> String {
        var rng = Random(seed: seed)
        var csv =
            "id,age,scanner_kv,scanner_model,age_band,prediction,score" + (traffic.accuracy == nil ? "" : ",label")
            + "\n"
        for i in 0..<rows {
            let prediction = rng.uniform() < 0.5 ? "normal" : "pneumonia"
            csv +=
                "\(prefix)-\(i),"
                + String(format: "%.3f,%.3f,", 50 + 10 * rng.normal(), 110 + traffic.kvpShift + 8 * rng.normal())
                + rng.pick(traffic.scanners) + "," + rng.pick(bands, weights: traffic.ageBandWeights) + ","
                + prediction + "," + String(format: "%.3f", rng.uniform())
            if let accuracy = traffic.accuracy {
                let right = rng.uniform() < accuracy
                csv += "," + (right ? prediction : (prediction == "normal" ? "pneumonia" : "normal"))
            }
            csv += "\n"
        }
        return csv
    }
}
