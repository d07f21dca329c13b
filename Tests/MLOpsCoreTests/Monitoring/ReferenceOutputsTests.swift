import Testing

@testable import MLOpsCore

/// Reading a version's model outputs from its reference (or the sibling file).
@Suite struct ReferenceOutputsTests {
    let binary = ModelSpec(
        task: .binaryClassification,
        features: [.init(name: "x", type: .numerical)],
        target: "label",
        classes: ["no", "yes"]
    )
    let multiclass = ModelSpec(
        task: .multiclassClassification,
        features: [.init(name: "x", type: .numerical)],
        target: "label",
        classes: ["a", "b", "c"]
    )

    func table(_ text: String) throws -> CSVTable { try CSVTable.parse(text) }

    @Test func binaryOutputsAndLabelsAreReadWithThePositiveClassLast() throws {
        let found = try ReferenceOutputs.read(
            table("x,prediction,score,label\n1,yes,0.9,yes\n2,no,0.2,\n3,no,0.4,yes\n"),
            spec: binary,
            fileName: "reference.csv"
        ).get()
        let outputs = try #require(found.outputs)
        #expect(outputs.classes == ["no", "yes"])
        #expect(outputs.scores == [[0.9, 0.2, 0.4]])
        #expect(found.labels == ["yes", nil, "yes"])
        #expect(found.canEstimate)
        #expect(found.note == nil)
        #expect(found.file == "reference.csv")
    }

    @Test func multiclassNeedsOneProbabilityPerClass() throws {
        let found = try ReferenceOutputs.read(
            table("x,prediction,probabilities.a,probabilities.b,probabilities.c\n1,b,0.2,0.7,0.1\n"),
            spec: multiclass,
            fileName: "reference.csv"
        ).get()
        #expect(found.outputs?.scores.count == 3)
        #expect(found.labels == nil)
        #expect(found.note?.contains("no `label` column: output drift, no estimate") == true)
        let tooHigh = try table("x,prediction,probabilities.a,probabilities.b,probabilities.c\n1,b,0.2,1.7,0.1\n")
        guard case .failure(let error) = ReferenceOutputs.read(tooHigh, spec: multiclass, fileName: "reference.csv")
        else {
            Issue.record("a probability above 1 was accepted")
            return
        }
        #expect(
            error.description == "reference.csv line 2, field 4: `probabilities.b` is 1.7, not a probability in [0, 1]"
        )
    }

    @Test func noOutputColumnIsNoErrorAndPartialOutputsAreRefused() throws {
        let none = try ReferenceOutputs.read(table("x,label\n1,yes\n"), spec: binary, fileName: "reference.csv").get()
        #expect(none.outputs == nil)
        #expect(none.note?.contains("has no model outputs") == true)
        let partial = try table("x,score\n1,0.5\n")
        guard case .failure(let error) = ReferenceOutputs.read(partial, spec: binary, fileName: "reference.csv") else {
            Issue.record("a score without prediction was accepted")
            return
        }
        #expect(error.description.contains("lacks `prediction`"))
    }

    @Test func theSiblingFileIsReadOnlyWhenTheReferenceHasNoOutputs() throws {
        let sibling = ReferenceOutputs.table(
            target: "label",
            labels: ["yes", "no"],
            predictions: ["yes", "no"],
            classes: ["no", "yes"],
            probabilities: [[0.2, 0.8], [0.9, 0.1]]
        )
        #expect(sibling.header == ["label", "prediction", "score"])
        let fromSibling = try ReferenceOutputs.read(
            reference: table("x\n1\n"),
            sibling: sibling,
            spec: binary,
            fileName: "reference.csv"
        ).get()
        #expect(fromSibling.file == ReferenceOutputs.siblingFile)
        #expect(fromSibling.outputs?.scores == [[0.8, 0.1]])
        let own = try ReferenceOutputs.read(
            reference: table("x,prediction,score,label\n1,no,0.3,no\n"),
            sibling: sibling,
            spec: binary,
            fileName: "reference.csv"
        ).get()
        #expect(own.file == "reference.csv")
        #expect(ReferenceOutputs.siblingPath(ofReference: "data/ref.csv") == "data/reference_outputs.csv")
        #expect(ReferenceOutputs.siblingPath(ofReference: "reference.csv") == "reference_outputs.csv")
    }
}
