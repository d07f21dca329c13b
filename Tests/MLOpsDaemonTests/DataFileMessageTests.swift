import Foundation
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// A JSON Lines prediction file that is not JSON Lines is refused with the real problem
/// and its column, and every value echoed back is escaped.
@Suite(.serialized) struct DataFileMessageTests {
    let f: RegistryFixture

    init() throws {
        f = try RegistryFixture(name: "datafilemessages")
        try f.register()
        let dir = try f.artifact("v1", weights: "w", accuracy: 0.9, reference: MonitoringData.reference(rows: 200))
        #expect(try f.createVersion(artifact: dir).status == .succeeded)
        #expect(try f.promote("1.0.0").status == .succeeded)
    }

    /// Logs `line` as the one line of p.jsonl; the rejection's message.
    func message(_ line: String) throws -> String {
        let path = f.root + "/data/p.jsonl"
        try writeFile(path, Data((line + "\n").utf8))
        let result = try f.run("kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n")
        #expect(result.status == .rejected)
        return result.error?.message ?? ""
    }

    static let record =
        #"{"id": "c-1", "age": 50, "scanner_kv": 110, "scanner_model": "S0", "age_band": "b1", "prediction": "normal", "score": 0.5}"#

    @Test func nanIsANonFiniteNumberAtItsColumn() throws {
        #expect(
            try message(Self.record.replacingOccurrences(of: "50", with: "NaN"))
                == "p.jsonl line 1, column 22: `NaN` is not a finite number: JSON has no NaN or Infinity (write null for a missing value)"
        )
    }

    @Test func anOverflowingNumberIsOutOfRange() throws {
        #expect(
            try message(Self.record.replacingOccurrences(of: "110", with: "1e400"))
                == "p.jsonl line 1, column 40: the number `1e400` is out of range: it overflows a 64-bit floating-point number (largest about 1.8e308)"
        )
    }

    @Test func deepNestingStatesTheLimit() throws {
        #expect(
            try message(String(repeating: "[", count: 100_000))
                == "p.jsonl line 1, column 513: lists and mappings nest deeper than 512 levels (a record is a mapping of columns to values)"
        )
    }

    @Test func aLineThatIsNoObjectSaysWhatItIs() throws {
        #expect(try message("[1, 2]") == "p.jsonl line 1 is a list, not a JSON object")
        #expect(try message(#""PA\u001F""#) == "p.jsonl line 1 is the string `PA\\u001F`, not a JSON object")
    }

    @Test func invalidJSONNamesThePosition() throws {
        #expect(
            try message(#"{"id": "c-1" "age": 50}"#)
                == "p.jsonl line 1, column 14: expected `,` or `}`, found `\"`"
        )
    }

    @Test func aSegmentWithAControlCharacterIsEchoedEscaped() throws {
        #expect(
            try message(Self.record.replacingOccurrences(of: #""S0""#, with: #""PA\u001F""#))
                == "p.jsonl: 1 problem; nothing was ingested: row 1 (line 1), column `scanner_model`: `PA\\u001F` is not text without control characters (segment column)"
        )
    }
}
