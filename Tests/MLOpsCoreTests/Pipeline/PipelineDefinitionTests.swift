import Foundation
import Testing

@testable import MLOpsCore

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func parse(_ text: String) throws(ValidationFailure) -> PipelineDefinition {
    try PipelineDefinitionParser.parse(text: text, name: "test")
}

private func failure(_ text: String) -> [JobError] {
    do {
        _ = try parse(text)
        return []
    } catch {
        return error.errors
    }
}

private let minimal = """
    parameters:
      data: {type: path, required: true}
    stages:
      collect_data: {copy: data}
      train: {argv: [/usr/bin/true]}
    """

@Suite struct PipelineDefinitionTests {
    @Test func theShippedDefaultPipelineParses() throws {
        let text = try String(
            contentsOf: repositoryRoot.appendingPathComponent("etc/pipelines/default.yaml"),
            encoding: .utf8
        )
        let definition = try PipelineDefinitionParser.parse(text: text, name: "default")
        #expect(definition.train.argv == ["mlops-train"])
        #expect(definition.train.timeout == 1800)
        #expect(definition.train.environment == ["OMP_NUM_THREADS": "1"])
        #expect(definition.collect == .copy(parameter: "data", holdoutShare: 0.2, seed: 7))
        #expect(definition.parameter("data")?.required == true)
        #expect(definition.parameter("l2")?.defaultValue == .double(0.001))
        #expect(definition.parameter("max_iterations")?.defaultValue == .int(1000))
        #expect(!definition.abTestEnabled)
        #expect(definition.promote)
        guard case .builtin(let rules) = definition.test else {
            Issue.record("test_model should be the built-in evaluation")
            return
        }
        #expect(rules["min_metric"] == .double(0.8))
    }

    @Test func aMinimalPipelineGetsTheDocumentedDefaults() throws {
        let definition = try parse(minimal)
        #expect(definition.collect == .copy(parameter: "data", holdoutShare: 0.2, seed: 42))
        #expect(definition.modelGates == .init())
        #expect(definition.promote && !definition.archive && definition.resolveAlerts)
        #expect(definition.train.timeout == nil)
        #expect(definition.commands.map(\.stage) == [.train])
    }

    @Test func aShellStringInsteadOfAnArgvListIsRefusedWithItsLine() {
        let errors = failure(
            """
            stages:
              collect_data: {argv: [/bin/collect]}
              train:
                argv: "python3 train.py && rm -rf /"
            """
        )
        #expect(errors.contains { $0.code == .wrongType && $0.line == 4 })
    }

    @Test func everyProblemOfABrokenDefinitionIsReportedAtOnce() {
        let errors = failure(
            """
            parameters:
              pipeline: {type: string}
              rate: {type: number, min: 5, max: 1}
              name: {type: int, default: "x"}
            stages:
              collect_data: {copy: rate}
              train: {argv: [/usr/bin/true], timeout: -1, environment: {MLOPSD_DATA: /etc/shadow}}
              deploy: {promote: maybe}
            """
        )
        let lines = Set(errors.compactMap(\.line))
        // The reserved name, min > max, a default of the wrong type, copy of a non-path,
        // a negative timeout, a contract variable, a non-boolean.
        #expect(lines.isSuperset(of: [2, 3, 4, 6, 7, 8]), "\(errors)")
        #expect(errors.count >= 7, "\(errors)")
    }

    @Test func collectDataNeedsExactlyOneOfACommandOrACopy() {
        #expect(
            failure("stages:\n  collect_data: {}\n  train: {argv: [/bin/t]}\n").contains { $0.code == .missingField }
        )
        #expect(
            failure(
                """
                parameters: {data: {type: path}}
                stages:
                  collect_data: {copy: data, argv: [/bin/c]}
                  train: {argv: [/bin/t]}
                """
            ).contains { $0.code == .invalidValue && $0.line == 3 }
        )
    }

    @Test func aTestCommandCannotAlsoCarryBuiltinRules() {
        let errors = failure(minimal + "\n  test_model: {argv: [/bin/test], min_metric: 0.9}\n")
        #expect(errors.contains { $0.code == .unknownKey && $0.message.contains("min_metric") })
    }

    @Test func stageNumbersRunOneToEight() {
        #expect(PipelineStage.allCases.map(\.number) == Array(1...8))
        #expect(PipelineStage.collectData < PipelineStage.monitor)
        #expect(PipelineStage.count == 8)
    }
}

@Suite struct PipelineParametersTests {
    private let definition: PipelineDefinition = {
        do {
            return try PipelineDefinitionParser.parse(
                text: """
                    parameters:
                      data: {type: path, required: true}
                      l2: {type: number, default: 0.01, min: 0, max: 10}
                      epochs: {type: int, default: 5, min: 1}
                      optimizer: {type: string, values: [adam, sgd], default: adam}
                      verbose: {type: bool, default: false}
                    stages:
                      collect_data: {copy: data}
                      train: {argv: [/usr/bin/true]}
                    """,
                name: "p"
            )
        } catch {
            return PipelineDefinition(
                name: "broken",
                description: "",
                parameters: [],
                collect: .copy(parameter: "", holdoutShare: 0, seed: 0),
                dataRules: .null,
                train: .init(argv: []),
                modelGates: .init(),
                test: .builtin(rules: .null),
                abTestEnabled: false,
                abTest: .null,
                promote: true,
                archive: false,
                resolveAlerts: true
            )
        }
    }()

    private func marks(_ keys: [String]) -> [String: SourceMark] {
        Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, SourceMark(line: 10 + $0, column: 3)) })
    }

    @Test func declaredDefaultsFillWhatTheJobLeavesOut() throws {
        let result = PipelineParameters.resolve(
            ["data": "/data/train.csv", "epochs": 9],
            for: definition,
            marks: [:],
            fallback: nil
        )
        let values = try result.get()
        #expect(values == ["data": "/data/train.csv", "epochs": 9, "l2": 0.01, "optimizer": "adam", "verbose": false])
    }

    @Test func aJobThatTriesToSetACommandIsRefusedAsSuch() {
        let given: [String: JSONValue] = ["data": "/d.csv", "argv": ["/bin/sh", "-c", "id"]]
        guard
            case .failure(let failure) = PipelineParameters.resolve(
                given,
                for: definition,
                marks: marks(["data", "argv"]),
                fallback: nil
            )
        else {
            Issue.record("argv was accepted")
            return
        }
        #expect(failure.errors.count == 1)
        #expect(failure.errors[0].code == .commandRefused)
        #expect(failure.errors[0].line == 11)
    }

    @Test func undeclaredWrongTypedOutOfRangeAndMissingParametersAreAllReported() {
        let given: [String: JSONValue] = [
            "l2": 20, "epochs": 1.5, "optimiser": "adam", "optimizer": "rmsprop", "verbose": "yes",
        ]
        guard
            case .failure(let failure) = PipelineParameters.resolve(
                given,
                for: definition,
                marks: marks(["l2", "epochs", "optimiser", "optimizer", "verbose"]),
                fallback: SourceMark(line: 1, column: 1)
            )
        else {
            Issue.record("accepted")
            return
        }
        let codes = failure.errors.map(\.code)
        #expect(codes.filter { $0 == .invalidValue }.count == 4, "\(failure.errors)")
        #expect(codes.contains(.unknownKey))
        #expect(failure.errors.first { $0.code == .unknownKey }?.fix?.contains("optimizer") == true)
        #expect(codes.contains(.missingField))  // data is required
    }

    @Test func aRelativePathIsRefused() {
        let result = PipelineParameters.resolve(["data": "train.csv"], for: definition, marks: [:], fallback: nil)
        guard case .failure(let failure) = result else {
            Issue.record("a relative path was accepted")
            return
        }
        #expect(failure.errors[0].message.contains("absolute"))
    }
}
