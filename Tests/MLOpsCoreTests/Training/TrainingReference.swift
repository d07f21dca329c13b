import Foundation
import Testing

@testable import MLOpsCore

/// Runs `scripts/training_reference.py` (numpy/scipy) on data a test made, through the
/// same python3 as the statistics tests (``ScipyReference``); enabled only when python3
/// imports numpy and scipy.
enum TrainingReference {
    static let script = ScipyReference.repositoryRoot.appendingPathComponent("scripts/training_reference.py").path

    /// Sends `cases` to the script's operation `op`; one result per case.
    static func compute<Case: Encodable, Result: Decodable>(
        _ op: String,
        _ cases: [Case],
        as: Result.Type = Result.self
    ) throws -> [Result] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlops-training-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = directory.appendingPathComponent("request.json")
        let response = directory.appendingPathComponent("response.json")
        try JSONEncoder().encode(ScipyReference.Request(op: op, cases: cases)).write(to: request)
        let (status, errors) = try ScipyReference.runPython([script, request.path, response.path])
        guard status == 0 else {
            throw ScipyReference.ReferenceFailure(message: "training_reference.py \(op) exited \(status): \(errors)")
        }
        let results = try JSONDecoder().decode(ScipyReference.Response<Result>.self, from: Data(contentsOf: response))
            .results
        guard results.count == cases.count else {
            throw ScipyReference.ReferenceFailure(message: "\(op): \(results.count) results for \(cases.count) cases")
        }
        return results
    }

    /// One feature column as the script's "fit" reads it.
    struct Column: Encodable {
        var type: String
        var values: [JSONValue]
        var declared: [String]?
    }

    /// A "fit" request: raw columns, class indices, outputs (1 = logistic), λ.
    struct FitCase: Encodable {
        var features: [Column]
        var labels: [Int]
        var outputs: Int
        var l2: Double
    }

    /// What "fit" answers.
    struct FitResult: Decodable {
        var weights: [[Double]]
        var intercepts: [Double]
        var objective: Double
        var gradient_norm: Double
        var encodings: [Encoding]

        struct Encoding: Decodable {
            var mean: Double?
            var std: Double?
            var categories: [String]?
        }
    }

    /// An "evaluate" request: a model.json, rows (feature values in order) and labels.
    struct EvaluateCase: Encodable {
        var model: JSONValue
        var rows: [[JSONValue]]
        var labels: [String]
    }

    /// What "evaluate" answers.
    struct EvaluateResult: Decodable {
        var probabilities: [[Double]]
        var predicted: [String]
        var accuracy: Double
        var precision: [Double]
        var recall: [Double]
        var f1: [Double]
        var support: [Int]
        var log_loss: Double
        var roc_auc: Double?
        var sklearn: Bool
    }

    /// Feature values as the script takes them.
    static func json(_ value: FeatureValue) -> JSONValue {
        switch value {
        case .number(let x): return .double(x)
        case .category(let c): return .string(c)
        }
    }

    /// The columns of `data` restricted to `rows`.
    static func columns(_ data: TrainingData, rows: [Int]) -> [Column] {
        data.features.enumerated().map { f, feature in
            Column(type: feature.type.rawValue, values: rows.map { json(data.values[$0][f]) }, declared: feature.values)
        }
    }
}

/// Synthetic training sets with a known signal, the same for every run.
enum SyntheticData {
    /// Features: `age` and `dose` (numerical), `calibration` (numerical, constant 7),
    /// `site` (categorical, declared a–d, `d` never drawn).
    static let features: [ModelSpec.Feature] = [
        .init(name: "age", type: .numerical),
        .init(name: "dose", type: .numerical),
        .init(name: "calibration", type: .numerical),
        .init(name: "site", type: .categorical, values: ["a", "b", "c", "d"]),
    ]

    /// `count` rows labelled from a linear score through a sigmoid (two classes) or a
    /// softmax (`classes.count` classes).
    static func make(count: Int, classes: [String], seed: UInt64) -> TrainingData {
        var rng = SeededGenerator(seed: seed)
        let sites = ["a", "b", "c"]
        var values: [[FeatureValue]] = []
        var labels: [String] = []
        for _ in 0..<count {
            let age: Double = 50 + 15 * rng.normal()
            let dose: Double = 3 + rng.normal()
            let siteIndex = Int.random(in: 0..<3, using: &rng)
            let siteEffect: Double = [0.0, 0.7, -0.5][siteIndex]
            values.append([.number(age), .number(dose), .number(7), .category(sites[siteIndex])])
            if classes.count == 2 {
                let z: Double = 0.06 * (age - 50) + 0.8 * (dose - 3) + siteEffect
                let p: Double = 1 / (1 + exp(-z))
                labels.append(Double.random(in: 0..<1, using: &rng) < p ? classes[1] : classes[0])
            } else {
                var scores: [Double] = []
                for k in classes.indices {
                    let ageTerm: Double = Double(k) * 0.04 * (age - 50)
                    let doseTerm: Double = (k == 1 ? 1.1 : -0.3) * (dose - 3)
                    scores.append(ageTerm + doseTerm + (k == 2 ? siteEffect : 0))
                }
                let m = scores.max() ?? 0
                let weights = scores.map { exp($0 - m) }
                var u = Double.random(in: 0..<1, using: &rng) * weights.reduce(0, +)
                var pick = classes.count - 1
                for (k, w) in weights.enumerated() {
                    if u < w {
                        pick = k
                        break
                    }
                    u -= w
                }
                labels.append(classes[pick])
            }
        }
        return TrainingData(features: features, values: values, labels: labels)
    }

    /// A spec for these features.
    static func spec(classes: [String]?, task: ModelSpec.Task) -> ModelSpec {
        ModelSpec(task: task, features: features, target: "outcome", classes: classes)
    }
}

/// The parent of the training suites: `swift test --filter TrainingTests` runs them all.
@Suite enum TrainingTests {}
