import Foundation
import Testing

@testable import MLOpsCore

extension TrainingTests {
    /// The fitted coefficients against scipy's L-BFGS on the same objective, built by numpy
    /// from the same raw values (so the encodings are checked too).
    @Suite struct ClassifierFitTests {
        struct Case {
            var label: String
            var classes: [String]
            var task: ModelSpec.Task
            var l2: Double
            var seed: UInt64
        }

        static let cases = [
            Case(label: "logistic l2=0.01", classes: ["no", "yes"], task: .binaryClassification, l2: 0.01, seed: 11),
            Case(label: "logistic l2=1e-4", classes: ["no", "yes"], task: .binaryClassification, l2: 1e-4, seed: 12),
            Case(
                label: "softmax l2=0.01",
                classes: ["low", "mid", "high"],
                task: .multiclassClassification,
                l2: 0.01,
                seed: 13
            ),
            Case(
                label: "softmax l2=1e-3",
                classes: ["low", "mid", "high"],
                task: .multiclassClassification,
                l2: 1e-3,
                seed: 14
            ),
        ]

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func coefficientsMatchScipyMinimisingTheSameObjective() throws {
            var fits: [TrainedModel] = []
            var requests: [TrainingReference.FitCase] = []
            for c in Self.cases {
                let data = SyntheticData.make(count: 600, classes: c.classes, seed: c.seed)
                let labels = data.labels.map { c.classes.firstIndex(of: $0) ?? -1 }
                let parameters = TrainingParameters(l2: c.l2, maxIterations: 10_000, tolerance: 1e-10)
                let model = try ClassifierTrainer.fit(
                    task: c.task,
                    target: "outcome",
                    classes: c.classes,
                    features: data.features,
                    values: data.values,
                    labels: labels,
                    parameters: parameters
                )
                #expect(
                    model.fit.converged,
                    "\(c.label): gradient \(model.fit.gradientNorm) after \(model.fit.iterations) iterations"
                )
                fits.append(model)
                requests.append(
                    .init(
                        features: TrainingReference.columns(data, rows: Array(data.values.indices)),
                        labels: labels,
                        outputs: model.weights.count,
                        l2: c.l2
                    )
                )
            }
            let expected = try TrainingReference.compute("fit", requests, as: TrainingReference.FitResult.self)
            for ((c, model), reference) in zip(zip(Self.cases, fits), expected) {
                var coefficients = ErrorTally()
                for (ours, theirs) in zip(model.weights, reference.weights) {
                    #expect(ours.count == theirs.count, "\(c.label): \(ours.count) inputs vs \(theirs.count)")
                    for (a, b) in zip(ours, theirs) { coefficients.record(a, b) }
                }
                for (a, b) in zip(model.intercepts, reference.intercepts) { coefficients.record(a, b) }
                #expect(coefficients.maxAbsolute <= 1e-4, "\(c.label): \(coefficients.summary("coefficients"))")
                #expect(
                    model.fit.objective <= reference.objective + 1e-12,
                    "\(c.label): objective \(model.fit.objective) vs scipy \(reference.objective)"
                )
                print(
                    "\(c.label): \(coefficients.summary("coefficients vs scipy L-BFGS-B")); objective ours \(model.fit.objective) "
                        + "scipy \(reference.objective); gradient ours \(model.fit.gradientNorm) scipy \(reference.gradient_norm); "
                        + "\(model.fit.iterations) iterations"
                )

                var encodings = ErrorTally()
                for (ours, theirs) in zip(model.features, reference.encodings) {
                    switch ours {
                    case .numerical(_, let mean, let std):
                        encodings.record(mean, theirs.mean ?? .nan)
                        encodings.record(std, theirs.std ?? .nan)
                    case .categorical(_, let categories):
                        #expect(categories == theirs.categories, "\(c.label): categories")
                    }
                }
                #expect(encodings.maxRelative <= 1e-12, "\(c.label): \(encodings.summary("means and stds"))")
            }
        }

        @Test func aConstantColumnGetsStandardDeviationOneAndNoWeight() throws {
            let data = SyntheticData.make(count: 200, classes: ["no", "yes"], seed: 3)
            let labels = data.labels.map { $0 == "yes" ? 1 : 0 }
            let model = try ClassifierTrainer.fit(
                task: .binaryClassification,
                target: "outcome",
                classes: ["no", "yes"],
                features: data.features,
                values: data.values,
                labels: labels,
                parameters: TrainingParameters(l2: 0.01)
            )
            #expect(model.features[2] == .numerical(name: "calibration", mean: 7, std: 1))
            // The standardised column is all zeros: only the penalty acts on its weight.
            #expect(model.weights[0][2] == 0)
        }

        @Test func aDeclaredCategoryNeverSeenKeepsAZeroWeight() throws {
            let data = SyntheticData.make(count: 200, classes: ["no", "yes"], seed: 4)
            let labels = data.labels.map { $0 == "yes" ? 1 : 0 }
            let model = try ClassifierTrainer.fit(
                task: .binaryClassification,
                target: "outcome",
                classes: ["no", "yes"],
                features: data.features,
                values: data.values,
                labels: labels,
                parameters: TrainingParameters(l2: 0.01)
            )
            #expect(model.inputNames == ["age", "dose", "calibration", "site=a", "site=b", "site=c", "site=d"])
            #expect(model.weights[0][6] == 0)
        }

        @Test func softmaxInterceptsAreCentred() throws {
            let classes = ["low", "mid", "high"]
            let data = SyntheticData.make(count: 300, classes: classes, seed: 5)
            let model = try ClassifierTrainer.fit(
                task: .multiclassClassification,
                target: "outcome",
                classes: classes,
                features: data.features,
                values: data.values,
                labels: data.labels.map { classes.firstIndex(of: $0) ?? 0 },
                parameters: TrainingParameters(l2: 0.01)
            )
            #expect(model.weights.count == 3)
            #expect(abs(model.intercepts.reduce(0, +)) < 1e-12)
        }

        @Test func stoppingAtMaxIterationsReportsNotConverged() throws {
            let data = SyntheticData.make(count: 200, classes: ["no", "yes"], seed: 6)
            let model = try ClassifierTrainer.fit(
                task: .binaryClassification,
                target: "outcome",
                classes: ["no", "yes"],
                features: data.features,
                values: data.values,
                labels: data.labels.map { $0 == "yes" ? 1 : 0 },
                parameters: TrainingParameters(maxIterations: 2, tolerance: 1e-12)
            )
            #expect(model.fit.iterations == 2)
            #expect(!model.fit.converged)
            #expect(model.fit.gradientNorm > 1e-12)
        }
    }
}
