import Foundation
import Testing

@testable import MLOpsCore

@Suite struct PredictionParserTests {
    let spec = ModelSpec(
        task: .binaryClassification,
        features: [
            .init(name: "age", type: .numerical), .init(name: "kvp", type: .numerical),
            .init(name: "view", type: .categorical),
        ],
        target: "finding",
        classes: ["normal", "pneumonia"],
        segments: .init(equipment: ["scanner"], population: ["band"])
    )
    var parser: PredictionParser { PredictionParser(spec: spec, now: "2026-11-29T10:00:00.000Z") }

    @Test func nestedAndFlatJSONRecordsGiveTheSameRecordInModelOrder() {
        let nested: JSONValue = [
            "id": "p1", "prediction": "normal", "score": 0.2,
            "features": ["kvp": 110, "age": 63.5, "view": "PA"], "segments": ["scanner": "X1", "band": nil],
        ]
        let flat: JSONValue = [
            "id": "p1", "prediction": "normal", "score": 0.2, "kvp": 110, "age": 63.5, "view": "PA", "scanner": "X1",
            "band": nil,
        ]
        let a = parser.parse(objects: [nested])
        let b = parser.parse(objects: [flat])
        #expect(a.problems.isEmpty)
        #expect(a.records == b.records)
        let r = a.records[0]
        #expect(r.numeric == [63.5, 110])
        #expect(r.categorical == ["PA"])
        #expect(r.segments == ["X1", nil])
        #expect(r.at == "2026-11-29T10:00:00.000Z")
    }

    @Test func csvProblemsNameRowLineAndColumnAndNothingIsKept() throws {
        let table = try CSVTable.parse(
            """
            id,age,kvp,view,scanner,band,prediction,label,extra
            a,40,110,PA,X1,40-64,normal,,x
            b,abc,110,PA,X1,40-64,normal,,x
            c,41,,AP,X1,40-64,maybe,normal,x
            a,42,111,PA,X1,40-64,pneumonia,cat,x

            """
        )
        let outcome = parser.parse(table: table)
        #expect(outcome.records.isEmpty)
        #expect(outcome.ignoredColumns == ["extra"])
        let texts = outcome.problems.map(\.description)
        #expect(texts.contains("row 2 (line 3), column `age`: `abc` is not a number (numerical feature)"))
        #expect(
            texts.contains(
                "row 3 (line 4), column `prediction`: `maybe` is not one of the model's classes (normal, pneumonia)"
            )
        )
        #expect(
            texts.contains(
                "row 4 (line 5), column `label`: `cat` is not one of the model's classes (normal, pneumonia)"
            )
        )
        #expect(!texts.contains { $0.contains("row 3 (line 4), column `kvp`") }, "an empty cell is a missing value")
    }

    @Test func duplicateIdsAreRefusedAtTheSecondRow() throws {
        let table = try CSVTable.parse(
            "id,age,kvp,view,scanner,band,prediction\na,1,2,PA,X,b,normal\na,1,2,PA,X,b,normal\n"
        )
        let outcome = parser.parse(table: table)
        #expect(
            outcome.problems.map(\.description) == [
                "row 2 (line 3), column `id`: id `a` is also the id of row 1; ids must be unique"
            ]
        )
    }

    @Test func aHeaderWithoutTheModelsColumnsIsOneProblem() throws {
        let outcome = parser.parse(table: try CSVTable.parse("id,prediction,age\na,normal,3\n"))
        #expect(outcome.problems.count == 1)
        #expect(outcome.problems[0].message.contains("`kvp`, `view`, `scanner`, `band`"))
    }

    @Test func unknownKeysSuggestTheColumnAndMissingOnesAreNamed() {
        let outcome = parser.parse(objects: [
            ["id": "p", "prediction": "normal", "agee": 3, "kvp": 1, "view": "PA", "scanner": "X", "band": "b"]
        ])
        let texts = outcome.problems.map(\.description)
        #expect(texts.contains { $0.hasPrefix("row 1, column `agee`: unknown key (did you mean `age`?)") })
        #expect(
            texts.contains(
                "row 1, column `age`: the feature is missing (write null, or an empty cell, for a missing value)"
            )
        )
    }

    @Test func missingNumbersAreNaNAndTimestampsNormalised() {
        let outcome = parser.parse(objects: [
            [
                "id": 7, "timestamp": "2026-11-29T14:00:00+01:00", "prediction": "normal", "age": nil,
                "kvp": 1, "view": nil, "scanner": "X", "band": "b",
            ]
        ])
        #expect(outcome.problems.isEmpty)
        let r = outcome.records[0]
        #expect(r.id == "7")
        #expect(r.numeric[0].isNaN)
        #expect(r.categorical == [nil])
        #expect(r.at == "2026-11-29T13:00:00.000Z")
    }

    @Test func problemsAreCappedAndCounted() {
        let bad: [JSONValue] = (0..<30).map { _ in ["prediction": "normal"] }
        let outcome = parser.parse(objects: bad)
        #expect(outcome.problems.count == PredictionParser.maxProblems)
        #expect(outcome.more > 0)
    }

    @Test func regressionPredictionsAreNumbers() {
        let reg = ModelSpec(task: .regression, features: [.init(name: "x", type: .numerical)], target: "y")
        let p = PredictionParser(spec: reg, now: "2026-11-29T10:00:00.000Z")
        #expect(p.parse(objects: [["id": "a", "prediction": 2.5, "x": 1]]).records.first?.prediction == "2.5")
        #expect(
            p.parse(objects: [["id": "a", "prediction": "high", "x": 1]]).problems.first?.message
                == "`high` is not a number (the model is a regression)"
        )
    }

    @Test func theNumericBlobRoundTrips() {
        let record = PredictionRecord(
            id: "a",
            at: "t",
            numeric: [1.5, .nan, -3e300],
            categorical: [],
            segments: [],
            prediction: "x"
        )
        var out: [Double] = []
        record.numericBlob.withUnsafeBytes { PredictionRecord.decodeNumeric($0, count: 3, into: &out) }
        #expect(out[0] == 1.5 && out[1].isNaN && out[2] == -3e300)
    }

    /// The block decoder gives the columns of the value-by-value decoder: several blocks
    /// and a partial one, short and long BLOBs, rows without a BLOB.
    @Test func theColumnDecoderMatchesTheValueByValueDecoder() {
        let width = 5
        var blobs: [[UInt8]?] = []
        for row in 0..<150 {
            let values = (0..<width).map { Double(row * 10 + $0) + 0.25 }
            let blob = PredictionRecord(
                id: "\(row)",
                at: "t",
                numeric: values,
                categorical: [],
                segments: [],
                prediction: "x"
            ).numericBlob
            switch row % 17 {
            case 3: blobs.append(Array(blob.prefix(19)))  // two values and a stub
            case 5: blobs.append(blob + [1, 2, 3, 4, 5, 6, 7, 8, 9])  // extra bytes
            case 8: blobs.append(nil)
            case 9: blobs.append([])
            default: blobs.append(blob)
            }
        }
        var expected: [[Double]] = Array(repeating: [], count: width)
        var decoder = PredictionRecord.NumericColumnDecoder(width: width, capacity: 10)
        for blob in blobs {
            if let blob {
                blob.withUnsafeBytes { PredictionRecord.decodeNumeric($0, intoColumns: &expected) }
                blob.withUnsafeBytes { decoder.append($0) }
            } else {
                for f in 0..<width { expected[f].append(.nan) }
                decoder.appendMissing()
            }
        }
        let columns = decoder.finish()
        #expect(columns.count == width)
        for f in 0..<width {
            #expect(columns[f].map(\.bitPattern) == expected[f].map(\.bitPattern), "column \(f)")
        }
        var empty = PredictionRecord.NumericColumnDecoder(width: 3, capacity: 0)
        #expect(empty.finish() == [[], [], []])
    }

    @Test func aCategoryWithAControlCharacterIsEchoedEscapedAndALongValueCut() {
        let record: JSONValue = [
            "id": "p1", "prediction": "normal", "age": 63.5, "kvp": 110, "view": "PA\u{1F}",
            "scanner": .string(String(repeating: "\n", count: 100)), "band": nil,
        ]
        let outcome = parser.parse(objects: [record], lines: [1])
        #expect(
            outcome.problems.map(\.description) == [
                "row 1 (line 1), column `view`: `PA\\u001F` is not a category (categorical feature; text without control characters)",
                "row 1 (line 1), column `scanner`: `" + String(repeating: "\\n", count: 64)
                    + "…` is not text without control characters (segment column)",
            ]
        )
    }
}
