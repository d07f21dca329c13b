import Foundation
import MLOpsCore

/// The job stream of the load test (LoadTests): cheap but real jobs that make the store
/// grow, each with the final status the daemon must give it.
///
/// Per submitter the stream is deterministic: slot `(index * 37) % 100` (a permutation of
/// every block of 100) picks the kind, so the four submitters interleave different kinds.
///
/// | slots | job | expected |
/// |---|---|---|
/// | 0–43 | `log-predictions`, 3 inline records with fresh ids, on `chest-xray` | succeeded |
/// | 44–53 | `log-ground-truth` for the submitter's last logged ids | succeeded |
/// | 54–67 | `get-production-model chest-xray` | succeeded |
/// | 68–77 | `list-versions chest-xray` (no history) | succeeded |
/// | 78–86 | `list-alerts` (all models) | succeeded |
/// | 87–91 | `register-model load-<s>-<n>` (a new model each time) | succeeded |
/// | 92–93 | `create-version` of the submitter's newest model (a new version) | succeeded |
/// | 94–95 | `list-versions` of the submitter's newest model | succeeded |
/// | 96–97 | `get-production-model` of a model never registered | rejected `unknown_model` |
/// | 98–99 | `monitor-model chest-xray` | succeeded |
///
/// Before a submitter has logged predictions or registered a model, the slots that need
/// one log predictions or register a model instead.
struct LoadJobMix {
    /// The model set up before the load (registered, version 1.0.0 in production).
    static let model = "chest-xray"

    /// One job to submit.
    struct Job: Sendable {
        /// The job id (`id:` in the text).
        var id: String
        /// A short name of what the job does, for the outcome tally.
        var label: String
        /// The YAML text.
        var text: String
        /// The final status the daemon must give it.
        var status: ResultDocument.Status
        /// The error code the result must carry, for an expected rejection.
        var errorCode: String?
        /// Predictions it logs (log-predictions), to compare with the store.
        var records = 0
        /// Whether it registers a model.
        var registers = false
        /// Whether it creates a version.
        var createsVersion = false
    }

    let submitter: Int
    /// An artifact directory under a data root (model file, metrics.json, reference.csv).
    let artifact: String
    /// The register-model example, with `__MODEL__` and `__ID__` in place of name and id.
    let registerTemplate: String
    private var lastPredictionIDs: [String] = []
    private var newestModel: String?
    private var serial = 0

    init(submitter: Int, artifact: String, registerTemplate: String) {
        self.submitter = submitter
        self.artifact = artifact
        self.registerTemplate = registerTemplate
    }

    /// The next job of this submitter's stream.
    mutating func next() -> Job {
        let n = serial
        serial += 1
        let id = "load-\(submitter)-\(n)"
        let m = Self.model
        let slot = (n * 37) % 100
        switch slot {
        case 44..<54 where !lastPredictionIDs.isEmpty:
            var text = "kind: log-ground-truth\nmodel: \(m)\nid: \(id)\nparams:\n  labels:\n"
            for (i, pid) in lastPredictionIDs.enumerated() {
                text += "    - {id: \(pid), label: \(i % 2 == 0 ? "normal" : "pneumonia")}\n"
            }
            lastPredictionIDs = []
            return Job(id: id, label: "log-ground-truth", text: text, status: .succeeded)
        case 54..<68:
            return Job(
                id: id,
                label: "get-production-model",
                text: "kind: get-production-model\nmodel: \(m)\nid: \(id)\n",
                status: .succeeded
            )
        case 68..<78:
            return Job(
                id: id,
                label: "list-versions",
                text: "kind: list-versions\nmodel: \(m)\nid: \(id)\nparams: {history: false}\n",
                status: .succeeded
            )
        case 78..<87:
            return Job(id: id, label: "list-alerts", text: "kind: list-alerts\nid: \(id)\n", status: .succeeded)
        case 87..<92,
            92..<96 where newestModel == nil:
            let name = "load-\(submitter)-\(n)"
            newestModel = name
            let text = registerTemplate.replacingOccurrences(of: "__MODEL__", with: name).replacingOccurrences(
                of: "__ID__",
                with: id
            )
            return Job(id: id, label: "register-model", text: text, status: .succeeded, registers: true)
        case 92..<94:
            let text = "kind: create-version\nmodel: \(newestModel ?? m)\nid: \(id)\nparams:\n  artifact: \(artifact)\n"
            return Job(id: id, label: "create-version", text: text, status: .succeeded, createsVersion: true)
        case 94..<96:
            return Job(
                id: id,
                label: "list-versions (new model)",
                text: "kind: list-versions\nmodel: \(newestModel ?? m)\nid: \(id)\n",
                status: .succeeded
            )
        case 96..<98:
            return Job(
                id: id,
                label: "get-production-model (unknown model)",
                text: "kind: get-production-model\nmodel: never-registered-\(submitter)\nid: \(id)\n",
                status: .rejected,
                errorCode: "unknown_model"
            )
        case 98..<100:
            return Job(
                id: id,
                label: "monitor-model",
                text: "kind: monitor-model\nmodel: \(m)\nid: \(id)\n",
                status: .succeeded
            )
        default:
            var text = "kind: log-predictions\nmodel: \(m)\nid: \(id)\nparams:\n  records:\n"
            let ages = ["18-39", "40-64", "65+"]
            lastPredictionIDs = []
            for r in 0..<3 {
                let pid = "p-\(submitter)-\(n)-\(r)"
                lastPredictionIDs.append(pid)
                let v = n &+ r
                text +=
                    "    - {id: \(pid), prediction: \(v % 2 == 0 ? "normal" : "pneumonia"), patient_age: \(20 + v % 70), "
                    + "exposure_kvp: \(100 + v % 30).5, view_position: PA, scanner_model: AcmeRad X1, site: ward-\(1 + v % 5), "
                    + "age_band: \"\(ages[v % 3])\", sex: \(v % 2 == 0 ? "f" : "m")}\n"
            }
            return Job(id: id, label: "log-predictions", text: text, status: .succeeded, records: 3)
        }
    }
}
