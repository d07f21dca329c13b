import Foundation
import Testing

@testable import MLOpsCore

extension TrainingTests {
    /// Reading data, spec and parameters: what is refused, and how the message reads.
    @Suite struct TrainingInputTests {
        static let spec = ModelSpec(
            task: .binaryClassification,
            features: [
                .init(name: "age", type: .numerical), .init(name: "view", type: .categorical, values: ["PA", "AP"]),
            ],
            target: "finding",
            classes: ["normal", "pneumonia"],
            segments: .init(equipment: ["scanner_model"], population: ["age_band"])
        )

        func parse(_ text: String, spec: ModelSpec = spec) throws(TrainingError) -> TrainingData {
            do {
                return try TrainingData.parse(try CSVTable.parse(text), spec: spec)
            } catch let error as TrainingError {
                throw error
            } catch {
                Issue.record("CSV: \(error)")
                throw .noRows
            }
        }

        @Test func aNonNumericValueIsRefusedWithItsLineAndColumn() {
            let text =
                "id,age,view,finding,scanner_model,age_band\n1,40,PA,normal,X1,18-39\n2,abc,AP,pneumonia,X1,40-64\n"
            #expect(throws: TrainingError.notANumber(line: 3, column: 2, feature: "age", value: "abc")) {
                try parse(text)
            }
            let message = "\(TrainingError.notANumber(line: 3, column: 2, feature: "age", value: "abc"))"
            #expect(message.hasPrefix("line 3, column 2: numerical feature `age` is `abc`"))
        }

        @Test func aMissingColumnIsRefusedNamingIt() {
            let text = "age,view,finding,scanner_model\n40,PA,normal,X1\n"
            #expect(
                throws: TrainingError.missingColumns(["age_band"], header: ["age", "view", "finding", "scanner_model"])
            ) {
                try parse(text)
            }
        }

        @Test func undeclaredCategoriesAndClassesAreRefused() {
            #expect(
                throws: TrainingError.undeclaredCategory(
                    line: 2,
                    column: 2,
                    feature: "view",
                    value: "LL",
                    declared: ["PA", "AP"]
                )
            ) {
                try parse("age,view,finding,scanner_model,age_band\n40,LL,normal,X1,18-39\n")
            }
            #expect(
                throws: TrainingError.undeclaredClass(
                    line: 2,
                    column: 3,
                    target: "finding",
                    value: "covid",
                    declared: ["normal", "pneumonia"]
                )
            ) {
                try parse("age,view,finding,scanner_model,age_band\n40,PA,covid,X1,18-39\n")
            }
            #expect(throws: TrainingError.emptyLabel(line: 2, column: 3, target: "finding")) {
                try parse("age,view,finding,scanner_model,age_band\n40,PA,,X1,18-39\n")
            }
            #expect(throws: TrainingError.notANumber(line: 2, column: 1, feature: "age", value: "nan")) {
                try parse("age,view,finding,scanner_model,age_band\nnan,PA,normal,X1,18-39\n")
            }
        }

        @Test func oneClassOrARegressionTaskIsRefused() throws {
            let data = try parse(
                "age,view,finding,scanner_model,age_band\n40,PA,normal,X1,18-39\n50,AP,normal,X1,40-64\n"
            )
            #expect(throws: TrainingError.tooFewClasses(target: "finding", found: ["normal"])) {
                try ClassifierTrainer.train(data, spec: Self.spec, parameters: TrainingParameters())
            }
            #expect(
                "\(TrainingError.tooFewClasses(target: "finding", found: ["normal"]))".contains("at least 2 classes")
            )
            var regression = Self.spec
            regression.task = .regression
            regression.classes = nil
            #expect(throws: TrainingError.regressionTask) {
                try parse("age,view,finding,scanner_model,age_band\n40,PA,1.5,X1,18-39\n", spec: regression)
            }
            #expect(
                "\(TrainingError.regressionTask)"
                    == "mlops-train handles classification; use your own trainer for regression"
            )
        }

        @Test func aBinaryModelRefusesThreeClassesAndADeclaredClassNeedsRows() {
            var open = Self.spec
            open.classes = nil
            #expect(throws: TrainingError.tooManyClassesForBinary(target: "finding", found: ["a", "b", "c"])) {
                try ClassifierTrainer.classes(for: open, labels: ["a", "b", "c"])
            }
            var multi = Self.spec
            multi.task = .multiclassClassification
            multi.classes = ["a", "b", "c"]
            #expect(throws: TrainingError.classWithoutRows(target: "finding", label: "c")) {
                try ClassifierTrainer.classes(for: multi, labels: ["a", "b", "a"])
            }
            #expect((try? ClassifierTrainer.classes(for: open, labels: ["y", "x", "y"])) == ["x", "y"])
        }

        @Test func tooFewRowsToHoldAnyOut() throws {
            let data = try parse(
                "age,view,finding,scanner_model,age_band\n40,PA,normal,X1,18-39\n50,AP,pneumonia,X1,40-64\n"
            )
            #expect(throws: TrainingError.tooFewRowsToValidate(rows: 2, validationShare: 0.2)) {
                try ClassifierTrainer.train(data, spec: Self.spec, parameters: TrainingParameters())
            }
        }

        @Test func parametersDefaultNameBadValuesAndReturnUnknownKeys() throws {
            let empty = try TrainerInput.parameters(from: "  ")
            #expect(empty.parameters == TrainingParameters() && empty.unknownKeys.isEmpty)
            let given = try TrainerInput.parameters(
                from: #"{"l2": 0.5, "max_iterations": 50, "seed": 7, "max_iter": 3, "reference_rows": 10.0}"#
            )
            #expect(given.parameters == TrainingParameters(l2: 0.5, maxIterations: 50, seed: 7, referenceRows: 10))
            #expect(given.unknownKeys == ["max_iter"])
            #expect(
                throws: TrainingError.invalidParameter(
                    name: "validation_share",
                    problem: "must be a number between 0 and 1 (exclusive), not 1.0"
                )
            ) {
                try TrainerInput.parameters(from: #"{"validation_share": 1}"#)
            }
            #expect(
                throws: TrainingError.invalidParameter(
                    name: "l2",
                    problem: "must be a number ≥ 0, not the text \"0.1\""
                )
            ) {
                try TrainerInput.parameters(from: #"{"l2": "0.1"}"#)
            }
            #expect(throws: TrainingError.parametersNotAnObject("it is a list")) {
                try TrainerInput.parameters(from: "[1]")
            }
            #expect(throws: TrainingError.parametersNotAnObject("it is not valid JSON")) {
                try TrainerInput.parameters(from: "{l2: 1}")
            }
        }

        @Test func theSpecReadsFromTheStoresJSONOrARegisterModelJob() throws {
            let stored = String(decoding: try JSONEncoder().encode(Self.spec), as: UTF8.self)
            #expect(try TrainerInput.modelSpec(from: stored, fileName: "spec.json") == Self.spec)
            let job = """
                kind: register-model
                model: chest
                params:
                  task: binary_classification
                  features:
                    - {name: age, type: numerical}
                    - {name: view, type: categorical, values: [PA, AP]}
                  target: finding
                  classes: [normal, pneumonia]
                  segments: {equipment: [scanner_model], population: [age_band]}
                """
            #expect(try TrainerInput.modelSpec(from: job, fileName: "chest.yaml") == Self.spec)
            let handWritten =
                #"{"task": "multiclass_classification", "features": [{"name": "x", "type": "numerical"}], "target": "y"}"#
            let spec = try TrainerInput.modelSpec(from: handWritten, fileName: "hand.json")
            #expect(
                spec.metric == "accuracy" && spec.segments == ModelSpec.Segments() && spec.policy == ModelSpec.Policy()
            )
            #expect(throws: TrainingError.invalidSpec(file: "bad.json", problem: "`target` is missing")) {
                try TrainerInput.modelSpec(
                    from: #"{"task": "binary_classification", "features": []}"#,
                    fileName: "bad.json"
                )
            }
        }

        @Test func aJobOfAnotherKindIsRefusedAsNotASpecWhetherOrNotItIsValid() {
            let problem = "it is a rollback job; a model spec is a register-model job or its params as JSON"
            #expect(throws: TrainingError.invalidSpec(file: "rb.yaml", problem: problem)) {
                try TrainerInput.modelSpec(from: "kind: rollback\nmodel: chest\n", fileName: "rb.yaml")
            }
            #expect(throws: TrainingError.invalidSpec(file: "rb.yaml", problem: problem)) {
                try TrainerInput.modelSpec(from: "kind: rollback\nparams: {nonsense: 1}\n", fileName: "rb.yaml")
            }
        }

        @Test func csvTextRoundTripsThroughTheParser() throws {
            let table = CSVTable(
                header: ["a", "b,c"],
                rows: [["1", "say \"hi\""], ["", "two\nlines"]],
                rowLines: []
            )
            let back = try CSVTable.parse(table.text)
            #expect(back.header == table.header && back.rows == table.rows)
            let single = CSVTable(header: ["only"], rows: [[""], ["x"]], rowLines: [])
            #expect(try CSVTable.parse(single.text).rows == single.rows)
        }
    }
}
