import Foundation

@testable import MLOpsCore

/// Seeded synthetic classifier outputs with a known truth, for the estimation tests.
///
/// Three standard normal features f1, f2, f3. Binary: the true P(label 1 | x) is
/// σ(1.2·f1 − 0.8·f2 + 0.5·f3 − 0.3); the model's score is the overconfident and shifted
/// σ(1.8·f1 − 1.2·f2 + 0.75·f3 − 0.1) (so calibration has work to do), predicted 1 above 0.5.
/// Multiclass (a, b, c): true probabilities softmax(z) with z = (f1 + 0.2, −0.8·f1 + 0.7·f2,
/// 0.5·f3 − 0.4·f2); the model's softmax(1.5·z + (0.1, −0.1, 0)), predicting its largest.
///
/// - `shift` moves f1's mean and `spread` scales its standard deviation: a covariate shift,
///   P(label | x) unchanged (CBPE's assumption). A narrower f1 lowers the ROC AUC.
/// - `concept`: the true coefficient of f1 becomes −0.2 (binary) while x keeps its
///   distribution: a concept shift that no confidence can see.
struct SyntheticOutputs {
    static let featureNames = ["f1", "f2", "f3"]

    var classes: [String]
    var features: [[Double]]
    var scores: [[Double]]
    var predictions: [String]
    var labels: [String]

    var count: Int { labels.count }
    var isBinary: Bool { classes.count == 2 }
    var scoreNames: [String] { isBinary ? ["score"] : classes.map { "p_\($0)" } }

    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    static func softmax(_ z: [Double]) -> [Double] {
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }

    static func binary(
        rows: Int,
        seed: UInt64,
        shift: Double = 0,
        spread: Double = 1,
        concept: Bool = false
    ) -> SyntheticOutputs {
        var rng = SeededGenerator(seed: seed)
        var data = SyntheticOutputs(
            classes: ["0", "1"],
            features: [[], [], []],
            scores: [[]],
            predictions: [],
            labels: []
        )
        for _ in 0..<rows {
            let x = [spread * rng.normal() + shift, rng.normal(), rng.normal()]
            let truth = sigmoid((concept ? -0.2 : 1.2) * x[0] - 0.8 * x[1] + 0.5 * x[2] - 0.3)
            let score = sigmoid(1.8 * x[0] - 1.2 * x[1] + 0.75 * x[2] - 0.1)
            let label = Double.random(in: 0..<1, using: &rng) < truth
            for f in 0..<3 { data.features[f].append(x[f]) }
            data.scores[0].append(score)
            data.predictions.append(score > 0.5 ? "1" : "0")
            data.labels.append(label ? "1" : "0")
        }
        return data
    }

    static func multiclass(rows: Int, seed: UInt64, shift: Double = 0) -> SyntheticOutputs {
        var rng = SeededGenerator(seed: seed)
        let classes = ["a", "b", "c"]
        var data = SyntheticOutputs(
            classes: classes,
            features: [[], [], []],
            scores: [[], [], []],
            predictions: [],
            labels: []
        )
        for _ in 0..<rows {
            let x = [rng.normal() + shift, rng.normal(), rng.normal()]
            let z = [x[0] + 0.2, -0.8 * x[0] + 0.7 * x[1], 0.5 * x[2] - 0.4 * x[1]]
            let truth = softmax(z)
            let model = softmax([1.5 * z[0] + 0.1, 1.5 * z[1] - 0.1, 1.5 * z[2]])
            let u = Double.random(in: 0..<1, using: &rng)
            let label = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2
            var best = 0
            for k in 1..<3 where model[k] > model[best] { best = k }
            for f in 0..<3 { data.features[f].append(x[f]) }
            for k in 0..<3 { data.scores[k].append(model[k]) }
            data.predictions.append(classes[best])
            data.labels.append(classes[label])
        }
        return data
    }

    /// These rows, then `other`'s.
    func appending(_ other: SyntheticOutputs) -> SyntheticOutputs {
        var copy = self
        for f in features.indices { copy.features[f] += other.features[f] }
        for k in scores.indices { copy.scores[k] += other.scores[k] }
        copy.predictions += other.predictions
        copy.labels += other.labels
        return copy
    }

    /// Rows `range`.
    func slice(_ range: Range<Int>) -> SyntheticOutputs {
        SyntheticOutputs(
            classes: classes,
            features: features.map { Array($0[range]) },
            scores: scores.map { Array($0[range]) },
            predictions: Array(predictions[range]),
            labels: Array(labels[range])
        )
    }

    var outputs: ClassifierOutputs {
        // The shape is right by construction.
        (try? ClassifierOutputs(classes: classes, predictions: predictions, scores: scores))
            ?? { preconditionFailure("synthetic outputs have the wrong shape") }()
    }

    var optionalLabels: [String?] { labels.map { $0 } }

    /// The CSV text: f1, f2, f3, the score columns, prediction, and label when asked.
    func csv(labels withLabels: Bool = true) -> String {
        var lines = [
            (Self.featureNames + scoreNames + ["prediction"] + (withLabels ? ["label"] : [])).joined(separator: ",")
        ]
        lines.reserveCapacity(count + 1)
        for r in 0..<count {
            var cells = features.map { "\($0[r])" } + scores.map { "\($0[r])" } + [predictions[r]]
            if withLabels { cells.append(labels[r]) }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``csv(labels:)`` into `directory`; returns the path.
    func write(_ name: String, in directory: URL, labels withLabels: Bool = true) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try csv(labels: withLabels).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
