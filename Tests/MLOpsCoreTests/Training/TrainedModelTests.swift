import Foundation
import Testing

@testable import MLOpsCore

extension TrainingTests {
    /// model.json: written, read back, refused when it does not fit.
    @Suite struct TrainedModelTests {
        func trained(classes: [String], task: ModelSpec.Task) throws -> (TrainedModel, TrainingData) {
            let data = SyntheticData.make(count: 300, classes: classes, seed: 51)
            let outcome = try ClassifierTrainer.train(
                data,
                spec: SyntheticData.spec(classes: classes, task: task),
                parameters: TrainingParameters()
            )
            return (outcome.model, data)
        }

        @Test(arguments: [
            (["no", "yes"], ModelSpec.Task.binaryClassification),
            (["low", "mid", "high"], ModelSpec.Task.multiclassClassification),
        ])
        func modelJSONRoundTripsAndPredictsTheSame(classes: [String], task: ModelSpec.Task) throws {
            let (model, data) = try trained(classes: classes, task: task)
            let json = try model.encoded()
            let back = try TrainedModel.decode(json)
            #expect(back == model)
            #expect(try back.encoded() == json)
            for row in data.values.prefix(50) { #expect(back.predict(row) == model.predict(row)) }
            let object = try JSONDecoder().decode(JSONValue.self, from: json)
            #expect(object["format"] == "mlops-train" && object["version"] == 1)
            #expect(object["inputs"] == .array(model.inputNames.map { .string($0) }))
        }

        @Test func predictingACSVTableReadsFeaturesByName() throws {
            let (model, _) = try trained(classes: ["no", "yes"], task: .binaryClassification)
            let table = try CSVTable.parse("site,extra,dose,age,calibration\nb,x,3.5,61,7\nq,y,1,20,7\n")
            let predictions = try model.predict(table)
            #expect(predictions[0] == model.predict([.number(61), .number(3.5), .number(7), .category("b")]))
            #expect(predictions[1] == model.predict([.number(20), .number(1), .number(7), .category("q")]))
            #expect(throws: TrainingError.notANumber(line: 2, column: 2, feature: "age", value: "old")) {
                try model.predict(try CSVTable.parse("dose,age,calibration,site\n1,old,7,a\n"))
            }
            #expect(throws: TrainingError.missingColumns(["site"], header: ["age", "dose", "calibration"])) {
                try model.predict(try CSVTable.parse("age,dose,calibration\n1,2,7\n"))
            }
        }

        @Test func anotherFormatANewerVersionOrMismatchedShapesAreRefused() throws {
            let (model, _) = try trained(classes: ["no", "yes"], task: .binaryClassification)
            guard case .object(var object) = try JSONDecoder().decode(JSONValue.self, from: try model.encoded()) else {
                Issue.record("model.json is not an object")
                return
            }
            func decode(_ change: (inout [String: JSONValue]) -> Void) throws(ModelFileError) -> TrainedModel {
                var copy = object
                change(&copy)
                let data = (try? JSONEncoder().encode(JSONValue.object(copy))) ?? Data()
                return try TrainedModel.decode(data)
            }
            #expect(throws: ModelFileError.otherFormat("onnx")) { try decode { $0["format"] = "onnx" } }
            #expect(throws: ModelFileError.unsupportedVersion(2)) { try decode { $0["version"] = 2 } }
            #expect(throws: ModelFileError.inconsistent("weights row 0 has 2 numbers for 7 inputs")) {
                try decode { $0["weights"] = [[1.0, 2.0]] }
            }
            #expect(throws: ModelFileError.unreadable("`intercepts` is missing")) {
                try decode { $0["intercepts"] = nil }
            }
            #expect(throws: ModelFileError.self) { try TrainedModel.decode(Data("not json".utf8)) }
            object["task"] = "regression"
            #expect(throws: ModelFileError.inconsistent("task regression is not a classification")) {
                try decode { _ in }
            }
        }
    }
}
