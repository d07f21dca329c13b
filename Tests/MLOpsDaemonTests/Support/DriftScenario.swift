import Foundation
import MLOpsCore
import Testing

/// A model whose scanner changes halfway, through the real daemon: registered, version
/// 1.0.0 (reference of 1,000 rows) promoted, two batches of 200 predictions like the
/// reference, then two after a new scanner `UNSEEN` and a kVp shift. Each batch crosses
/// `check_every_predictions` (100), so the model ends with four checks, the equipment alert
/// opened by the third and confirmed by the fourth.
enum DriftScenario {
    /// Runs the scenario for `model` in `h` (started).
    static func run(_ h: DaemonHarness, model: String = "xray") throws {
        try h.drop("reg.yaml", Jobs.registerModel(model))
        #expect(try h.waitForResult("reg").status == .succeeded)
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("w".utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        try writeFile(dir + "/reference.csv", Data(MonitoringData.reference(rows: 1000).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: \(model)\nparams:\n  artifact: \(dir)\n")
        #expect(try h.waitForResult("cv").status == .succeeded)
        try h.drop("p.yaml", "kind: promote-version\nmodel: \(model)\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("p").status == .succeeded)
        var drifted = MonitoringData.Traffic()
        drifted.scanners = ["UNSEEN"]
        drifted.kvpShift = 25
        for (n, traffic) in [MonitoringData.Traffic(), MonitoringData.Traffic(), drifted, drifted].enumerated() {
            let file = h.root + "/data/preds-\(n).csv"
            try writeFile(
                file,
                Data(
                    MonitoringData.predictions(prefix: "b\(n)", rows: 200, seed: UInt64(10 + n), traffic: traffic).utf8
                )
            )
            try h.drop("log-\(n).yaml", "kind: log-predictions\nmodel: \(model)\nparams:\n  file: \(file)\n")
            let logged = try h.waitForResult("log-\(n)")
            #expect(logged.status == .succeeded && logged.result?["check"] != nil, "\(logged)")
        }
    }
}
