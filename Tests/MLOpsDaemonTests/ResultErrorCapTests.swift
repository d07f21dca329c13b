import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// A hostile job cannot make a result (kept 90 days, in the spool and the store) as large
/// as it likes: a result lists the first 100 errors and counts the rest; a rejected
/// prediction file lists its first problems with every echoed value escaped and cut.
@Suite(.serialized) struct ResultErrorCapTests {
    /// `xray` in production, ready for log-predictions.
    func monitored(name: String = #function) throws -> RegistryFixture {
        let f = try RegistryFixture(name: name)
        try f.register()
        let dir = try f.artifact("v1", weights: "w", accuracy: 0.9, reference: MonitoringData.reference(rows: 200))
        #expect(try f.createVersion(artifact: dir).status == .succeeded)
        #expect(try f.promote("1.0.0").status == .succeeded)
        return f
    }

    @Test func sixtyThousandUnknownKeysGiveAResultOfTheFirstHundredAndTheirCount() throws {
        let f = try RegistryFixture()
        var text = "kind: list-versions\nmodel: xray\n"
        for i in 0..<60_000 { text += "k\(i): 1\n" }
        let result = try f.run(text, id: "flood")
        #expect(result.status == .rejected)
        let error = try #require(result.error)
        #expect(error.message == "unknown key `k0` at the top level of the job")
        #expect(error.more?.count == 99)
        #expect(error.more?.last?.message == "unknown key `k99` at the top level of the job")
        #expect(error.more?.last?.line == 102)
        #expect(error.errorsTotal == 60_000)
        let size = try #require(
            try FileManager.default.attributesOfItem(atPath: f.root + "/spool/results/flood.json")[.size] as? Int
        )
        #expect(size < 100_000, "the result has \(size) bytes")
        let stored = try f.store.read { db in
            try String.fetchOne(db, sql: "SELECT result FROM jobs WHERE id = 'flood'")
        }
        let storedText = try #require(stored)
        #expect(storedText.utf8.count < 100_000)
        #expect(storedText.contains("\"errors_total\""))
    }

    @Test func fiveThousandBadRowsWithLongValuesGiveASmallResultListingTheFirstRows() throws {
        let f = try monitored()
        let long = String(repeating: "x", count: 10_000)
        var csv = "id,age,scanner_kv,scanner_model,age_band,prediction,score\n"
        for i in 0..<5_000 { csv += "b-\(i),\(i < 20 ? long : "abc"),110,S0,b1,normal,0.5\n" }
        let path = f.root + "/data/bad.csv"
        try writeFile(path, Data(csv.utf8))
        let result = try f.run("kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n", id: "rows")
        #expect(result.status == .rejected)
        let message = try #require(result.error?.message)
        #expect(message.hasPrefix("bad.csv: 5000 problems; nothing was ingested: row 1 (line 2), column `age`: `xxxx"))
        #expect(message.contains("row 20 (line 21), column `age`"))
        #expect(!message.contains("row 21 "))
        #expect(message.hasSuffix("; and 4980 more"))
        #expect(message.contains("`" + String(repeating: "x", count: 64) + "…` is not a number"))
        let data = try #require(FileManager.default.contents(atPath: f.root + "/spool/results/rows.json"))
        #expect(data.count < 100_000, "the result has \(data.count) bytes")
    }
}
