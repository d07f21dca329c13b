import Foundation
import Testing

@testable import MLOpsCore

private func register(_ params: String) -> JobValidation {
    let text = "kind: register-model\nmodel: chest-xray\nparams:\n" + params
    return JobValidator.validate(text: text, fileName: "reg.yaml")
}

private func problems(_ params: String) -> [JobError] {
    if case .rejected(_, _, _, let failure) = register(params) { return failure.errors }
    return []
}

/// A valid minimal spec; tests append or vary lines. `params:` content starts on line 4.
private let minimal = """
      task: binary_classification
      features:
        - name: age
          type: numerical
        - name: sex
          type: categorical
      target: label

    """

@Suite struct RegisterModelTests {
    @Test func fullSpecDecodesWithItsValues() throws {
        let params = """
              task: binary_classification
              features:
                - name: age
                  type: numerical
                  min: 0
                  max: 120
                - name: sex
                  type: categorical
                  values: [f, m]
              target: label
              classes: [normal, pneumonia]
              segments:
                equipment: [scanner_model, site]
                population: [age_band]
              metric: roc_auc
              pipeline: chest.v2
              description: Chest X-ray triage
              owner: radiology-ml
              policy:
                window_size: 500
                min_samples: 100
                drift_alpha: 0.05
                promotion:
                  min_metric: 0.8
                  require_ab_test: true

            """
        guard case .valid(let job) = register(params) else {
            Issue.record("expected valid: \(register(params))")
            return
        }
        let spec = try ModelSpec.decode(from: job.params)
        #expect(spec.task == .binaryClassification)
        #expect(
            spec.features == [
                ModelSpec.Feature(name: "age", type: .numerical, min: 0, max: 120),
                ModelSpec.Feature(name: "sex", type: .categorical, values: ["f", "m"]),
            ]
        )
        #expect(spec.classes == ["normal", "pneumonia"])
        #expect(spec.segmentFields == ["scanner_model", "site", "age_band"])
        #expect(spec.allColumns == ["age", "sex", "label", "scanner_model", "site", "age_band"])
        #expect(spec.metric == "roc_auc")
        #expect(spec.pipeline == "chest.v2")
        #expect(spec.policy.windowSize == 500)
        #expect(spec.policy.minSamples == 100)
        #expect(spec.policy.checkEveryPredictions == 100)
        #expect(spec.policy.driftAlpha == 0.05)
        #expect(spec.policy.promotion == ModelSpec.Promotion(minMetric: 0.8, requireABTest: true))
    }

    @Test func minimalSpecGetsEveryDefault() throws {
        guard case .valid(let job) = register(minimal) else {
            Issue.record("expected valid")
            return
        }
        let spec = try ModelSpec.decode(from: job.params)
        #expect(spec.metric == "accuracy")
        #expect(spec.pipeline == "default")
        #expect(spec.segments == ModelSpec.Segments())
        #expect(spec.policy == ModelSpec.Policy())
        #expect(spec.classes == nil)
        #expect(spec.description == nil)
    }

    @Test func regressionDefaultsToRMSE() throws {
        let params = "  task: regression\n  features: [{name: x, type: numerical}]\n  target: y\n"
        guard case .valid(let job) = register(params) else {
            Issue.record("expected valid")
            return
        }
        #expect(try ModelSpec.decode(from: job.params).metric == "rmse")
    }

    @Test func specRoundTripsThroughJSONWithSnakeCaseKeys() throws {
        let spec = ModelSpec(
            task: .regression,
            features: [.init(name: "x", type: .numerical)],
            target: "y",
            policy: .init(promotion: .init(maxMetricDrop: 0.02, requireABTest: true))
        )
        let data = try JSONEncoder().encode(spec)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"require_ab_test\":true"))
        #expect(json.contains("\"window_size\":1000"))
        #expect(try JSONDecoder().decode(ModelSpec.self, from: data) == spec)
    }

    @Test func misspeltFeaturesSuggestsFeatures() throws {
        let e = problems("  task: regression\n  featurs: [{name: x, type: numerical}]\n  target: y\n")
        let unknown = try #require(e.first { $0.code == .unknownKey })
        #expect(unknown.fix == "did you mean `features`?")
        #expect(unknown.line == 5)
        #expect(unknown.column == 3)
        // The misspelling explains the missing field; it is not reported twice.
        #expect(!e.contains { $0.code == .missingField && $0.message.hasPrefix("params.features is missing") })
    }

    @Test func duplicateFeatureNameIsRefusedAtTheSecond() throws {
        let e = problems(minimal.replacingOccurrences(of: "name: sex", with: "name: age"))
        #expect(e.count == 1)
        #expect(e.first?.message == "feature `age` is declared twice")
        #expect(e.first?.line == 8)
        #expect(e.first?.column == 13)
    }

    @Test func targetThatIsAFeatureIsRefusedAtTheTarget() throws {
        let e = problems(minimal.replacingOccurrences(of: "target: label", with: "target: age"))
        #expect(e.first?.message == "target `age` is also a feature")
        #expect(e.first?.line == 10)
        #expect(e.first?.column == 11)
    }

    @Test func segmentColumnsMustNotBeFeaturesTargetOrRepeated() throws {
        let e = problems(minimal + "  segments:\n    equipment: [site, age]\n    population: [label, site]\n")
        #expect(
            e.map(\.message) == [
                "segment column `age` is also a feature",
                "segment column `label` is the target",
                "segment column `site` is listed twice",
            ]
        )
        #expect(e.map { [$0.line, $0.column] } == [[12, 23], [13, 18], [13, 25]])
    }

    @Test func classesOnlyForClassificationAndBinaryNeedsTwo() throws {
        let three = problems(minimal + "  classes: [a, b, c]\n")
        #expect(three.first?.message.contains("exactly 2 classes") == true)
        #expect(three.first?.line == 11)
        #expect(three.first?.column == 12)

        let repeated = problems(minimal + "  classes: [a, a]\n")
        #expect(repeated.first?.message == "class `a` is listed twice")
        #expect(repeated.first?.column == 16)

        let regression = problems(
            minimal.replacingOccurrences(of: "binary_classification", with: "regression")
                + "  metric: rmse\n  classes: [a, b]\n"
        )
        #expect(regression.first?.message.contains("classification tasks") == true)
        #expect(regression.first?.line == 12)
        #expect(regression.first?.column == 3)
    }

    @Test func metricMustFitTheTask() throws {
        let e = problems(minimal + "  metric: rmse\n")
        #expect(e.count == 1)
        #expect(e.first?.message == "metric `rmse` does not fit task binary_classification")
        #expect(e.first?.fix?.contains("accuracy") == true)
        #expect(e.first?.line == 11)
        #expect(e.first?.column == 11)
    }

    @Test func featureCrossRules() throws {
        let params = """
              task: regression
              features:
                - name: a
                  type: numerical
                  values: [x]
                - name: b
                  type: categorical
                  min: 1
                - name: c
                  type: numerical
                  min: 5
                  max: 1
              target: y

            """
        let e = problems(params)
        #expect(e.map(\.line) == [8, 11, 15])
        #expect(e[0].message.contains("only categorical"))
        #expect(e[1].message.contains("only applies to numerical"))
        #expect(e[2].message.contains("max (1.0) must be at least min (5.0)"))
    }

    @Test func minSamplesAboveWindowIsRefusedAtMinSamples() throws {
        let e = problems(minimal + "  policy:\n    window_size: 100\n    min_samples: 200\n")
        #expect(e.count == 1)
        #expect(e.first?.message.contains("min_samples (200) must be at most window_size (100)") == true)
        #expect(e.first?.line == 13)
        #expect(e.first?.column == 18)
    }

    @Test func policyBoundsAreChecked() throws {
        let e = problems(
            minimal + "  policy:\n    drift_alpha: 0\n    keep_versions: 0\n    promotion: {max_metric_drop: -1}\n"
        )
        #expect(e.map(\.line) == [13, 14])  // drift_alpha is only checked once the rest of policy is valid
        let alpha = problems(minimal + "  policy:\n    drift_alpha: 0\n")
        #expect(alpha.first?.message == "drift_alpha must be greater than 0")
    }

    @Test func badFeatureNameAndTaskAreReportedTogether() throws {
        let e = problems("  task: clasification\n  features:\n    - name: 9lives\n      type: numerical\n  target: y\n")
        #expect(e.map(\.code) == [.invalidValue, .invalidValue])
        #expect(e.first?.fix == nil || e.first?.fix?.hasPrefix("did you mean") == true)
        #expect(e.last?.message.hasPrefix("params.features[0].name must be a column name") == true)
    }
}

@Suite struct RegisterModelDocsTests {
    /// The `register-model` example in docs/jobs-reference.md, found from this file's path.
    static func documentedExample() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/jobs-reference.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "## `register-model`"))
        let start = try #require(doc.range(of: "```yaml\n", range: section.upperBound..<doc.endIndex))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        return String(doc[start.upperBound..<end.lowerBound])
    }

    @Test func documentedExampleIsValid() throws {
        let text = try Self.documentedExample()
        let v = JobValidator.validate(text: text, fileName: "x.yaml")
        guard case .valid(let job) = v else {
            Issue.record("documented example rejected: \(v)")
            return
        }
        #expect(job.id == "register-chest-xray")
        #expect(try ModelSpec.decode(from: job.params).policy.promotion.minMetric == 0.85)
    }

    @Test func documentedMisspellingErrorIsWhatTheValidatorSays() throws {
        let text = try Self.documentedExample().replacingOccurrences(of: "  features:", with: "  featurs:")
        let v = JobValidator.validate(text: text, fileName: "x.yaml")
        guard case .rejected(_, _, _, let failure) = v else {
            Issue.record("expected a rejection")
            return
        }
        let expected = JobError(
            .unknownKey,
            "unknown key `featurs` in params",
            at: SourceMark(line: 7, column: 3),
            fix: "did you mean `features`?"
        )
        #expect(failure.errors.contains(expected))
    }
}
