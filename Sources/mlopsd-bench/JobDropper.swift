/// Submits jobs the way a well-behaved submitter does: write `tmp/.<name>.tmp` with
/// open/write/close (no descriptor stays open, no fsync), then rename it into `incoming/`.
struct JobDropper {
    let layout: DaemonProcess.Layout

    /// A small valid `register-model` job for `model` (as the daemon tests use).
    static func registerModel(_ model: String) -> [UInt8] {
        let text = """
            kind: register-model
            model: \(model)
            reason: benchmark
            params:
              task: binary_classification
              features:
                - name: age
                  type: numerical
                - name: scanner_kv
                  type: numerical
              target: label
              classes: [normal, pneumonia]
              segments:
                equipment: [scanner_model]
                population: [age_band]

            """
        return Array(text.utf8)
    }

    /// The job names of one run: `<prefix>-00000` ... (the id is the file name's stem, the
    /// result is `results/<name>.json`, the model has the same name).
    static func names(prefix: String, count: Int) -> [String] {
        (0..<count).map { i in
            let digits = String(i)
            return "\(prefix)-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        }
    }

    /// Drops job `name` (file `incoming/<name>.yaml`) with content `bytes`.
    func drop(_ name: String, _ bytes: [UInt8]) throws(BenchError) {
        let temp = "\(layout.tmp)/.\(name).tmp"
        try FileSystem.writeFile(temp, bytes)
        try FileSystem.rename(temp, "\(layout.incoming)/\(name).yaml")
    }
}
