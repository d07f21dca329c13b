import Foundation
import Testing

@testable import MLOpsCore

extension TrainingTests {
    /// Predictions and metrics against numpy computing them from the same model.json, and
    /// the trainer's determinism.
    @Suite struct ClassifierEvaluationTests {
        static let specs: [(label: String, spec: ModelSpec, seed: UInt64)] = [
            ("binary", SyntheticData.spec(classes: ["no", "yes"], task: .binaryClassification), 21),
            ("multiclass", SyntheticData.spec(classes: ["low", "mid", "high"], task: .multiclassClassification), 22),
        ]

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func predictionsAndMetricsMatchNumpyFromTheSameCoefficients() throws {
            var outcomes: [(ClassifierTrainer.Outcome, TrainingData)] = []
            var requests: [TrainingReference.EvaluateCase] = []
            for (_, spec, seed) in Self.specs {
                let data = SyntheticData.make(count: 700, classes: spec.classes ?? [], seed: seed)
                let outcome = try ClassifierTrainer.train(data, spec: spec, parameters: TrainingParameters(seed: seed))
                let model = try JSONDecoder().decode(JSONValue.self, from: try outcome.model.encoded())
                requests.append(
                    .init(
                        model: model,
                        rows: outcome.split.validation.map { r in data.values[r].map(TrainingReference.json) },
                        labels: outcome.split.validation.map { data.labels[$0] }
                    )
                )
                outcomes.append((outcome, data))
            }
            let expected = try TrainingReference.compute(
                "evaluate",
                requests,
                as: TrainingReference.EvaluateResult.self
            )
            for ((label, _, _), ((outcome, data), reference)) in zip(Self.specs, zip(outcomes, expected)) {
                let rows = outcome.split.validation.map { data.values[$0] }
                let predictions = rows.map { outcome.model.predict($0) }
                #expect(predictions.map(\.label) == reference.predicted, "\(label): predicted classes")
                var probabilities = ErrorTally()
                for (ours, theirs) in zip(predictions, reference.probabilities) {
                    for (a, b) in zip(ours.probabilities, theirs) { probabilities.record(a, b) }
                }
                #expect(probabilities.maxAbsolute <= 1e-12, "\(label): \(probabilities.summary("probabilities"))")

                let m = outcome.metrics
                #expect(m.accuracy == reference.accuracy, "\(label): accuracy \(m.accuracy) vs \(reference.accuracy)")
                #expect(m.perClass.map(\.precision) == reference.precision, "\(label): precision")
                #expect(m.perClass.map(\.recall) == reference.recall, "\(label): recall")
                #expect(m.perClass.map(\.support) == reference.support, "\(label): support")
                for (a, b) in zip(m.perClass.map(\.f1), reference.f1) {
                    #expect(abs(a - b) <= 1e-15, "\(label): f1 \(a) vs \(b)")
                }
                #expect(
                    abs(m.logLoss - reference.log_loss) <= 1e-12 * reference.log_loss,
                    "\(label): log loss \(m.logLoss) vs \(reference.log_loss)"
                )
                if let auc = reference.roc_auc, let ours = m.rocAUC {
                    #expect(abs(ours - auc) <= 1e-12, "\(label): roc_auc \(ours) vs \(auc)")
                } else {
                    Issue.record(
                        "\(label): roc_auc ours \(String(describing: m.rocAUC)) reference \(String(describing: reference.roc_auc))"
                    )
                }
                print(
                    "\(label): \(probabilities.summary("probabilities vs numpy")); accuracy \(m.accuracy), log_loss \(m.logLoss) "
                        + "vs \(reference.log_loss)\(reference.sklearn ? " (sklearn)" : " (numpy, sklearn's definitions)")"
                )
            }
        }

        @Test func theSameSeedGivesTheSameModelMetricsAndSample() throws {
            let spec = SyntheticData.spec(classes: ["no", "yes"], task: .binaryClassification)
            let data = SyntheticData.make(count: 400, classes: ["no", "yes"], seed: 31)
            let parameters = TrainingParameters(seed: 9, referenceRows: 50)
            let a = try ClassifierTrainer.train(data, spec: spec, parameters: parameters)
            let b = try ClassifierTrainer.train(data, spec: spec, parameters: parameters)
            #expect(a == b)
            #expect(try a.model.encoded() == b.model.encoded())
            let c = try ClassifierTrainer.train(
                data,
                spec: spec,
                parameters: TrainingParameters(seed: 10, referenceRows: 50)
            )
            #expect(c.split.validation != a.split.validation)
            #expect(c.split.reference != a.split.reference)
        }

        @Test func theSplitIsStratifiedAndKeepsEveryClassInTraining() {
            // 90 of class 0, 9 of class 1, 1 of class 2.
            let labels = [Int](repeating: 0, count: 90) + [Int](repeating: 1, count: 9) + [2]
            let split = DataSplit.make(labels: labels, validationShare: 0.2, seed: 5, referenceRows: 30)
            let held = split.validation.map { labels[$0] }
            #expect(held.filter { $0 == 0 }.count == 18)
            #expect(held.filter { $0 == 1 }.count == 2)
            #expect(!held.contains(2))
            #expect(split.train.contains(99))
            #expect(Set(split.train).isDisjoint(with: split.validation))
            #expect(split.train.count + split.validation.count == labels.count)
            #expect(split.train == split.train.sorted() && split.validation == split.validation.sorted())
            #expect(split.reference.count == 30 && Set(split.reference).isSubset(of: split.train))
            #expect(split.reference == split.reference.sorted())
        }

        @Test func anUnseenCategoryEncodesAsAllZeros() {
            let model = TrainedModel(
                task: .binaryClassification,
                target: "y",
                classes: ["n", "p"],
                features: [.numerical(name: "x", mean: 1, std: 2), .categorical(name: "c", categories: ["a", "b"])],
                weights: [[0.5, 1, -1]],
                intercepts: [0.25],
                fit: .init(
                    l2: 0,
                    tolerance: 1e-6,
                    seed: 0,
                    iterations: 0,
                    converged: true,
                    gradientNorm: 0,
                    objective: 0,
                    trainRows: 0,
                    validationRows: 0
                )
            )
            let unseen = model.predict([.number(3), .category("zzz")])
            let z = 0.25 + 0.5 * (3 - 1) / 2
            #expect(unseen.probabilities[1] == ClassifierObjective.sigmoid(z))
            #expect(unseen.label == "p")
            let seen = model.predict([.number(3), .category("b")])
            #expect(seen.probabilities[1] == ClassifierObjective.sigmoid(z - 1))
        }

        @Test func metricsJSONCarriesTheTopLevelMetricsVersionMetricsReads() throws {
            let spec = SyntheticData.spec(classes: ["no", "yes"], task: .binaryClassification)
            let outcome = try ClassifierTrainer.train(
                SyntheticData.make(count: 300, classes: ["no", "yes"], seed: 41),
                spec: spec,
                parameters: TrainingParameters()
            )
            let data = try JSONEncoder().encode(outcome.metricsJSON)
            for metric in ModelSpec.classificationMetrics {
                guard case .success(let parsed) = VersionMetrics.parse(data, metric: metric) else {
                    Issue.record("metrics.json lacks \(metric)")
                    continue
                }
                #expect(parsed.value >= 0 && parsed.value <= 1)
            }
            #expect(outcome.metricsJSON["rows"]?["train"]?.intValue == outcome.split.train.count)
            #expect(
                outcome.metricsJSON["per_class"]?["yes"]?["support"]?.intValue == outcome.metrics.perClass[1].support
            )
        }

        @Test func positiveClassMetricsAgreeWithMonitoringsDefinitions() throws {
            let spec = SyntheticData.spec(classes: ["no", "yes"], task: .binaryClassification)
            let data = SyntheticData.make(count: 500, classes: ["no", "yes"], seed: 42)
            let outcome = try ClassifierTrainer.train(data, spec: spec, parameters: TrainingParameters())
            let predictions = outcome.split.validation.map { outcome.model.predict(data.values[$0]) }
            let labels = outcome.split.validation.map { data.labels[$0] }
            let scores: [Double?] = predictions.map { $0.probabilities[1] }
            for (metric, ours) in [
                ("accuracy", outcome.metrics.accuracy), ("precision", outcome.metrics.precision),
                ("recall", outcome.metrics.recall), ("f1", outcome.metrics.f1),
                ("roc_auc", outcome.metrics.rocAUC ?? .nan),
            ] {
                let monitored = ModelMetric.value(
                    metric,
                    predictions: predictions.map(\.label),
                    labels: labels,
                    scores: scores,
                    positive: "yes"
                )
                #expect(
                    monitored?.value == ours,
                    "\(metric): trainer \(ours), monitoring \(String(describing: monitored?.value))"
                )
            }
        }
    }
}
