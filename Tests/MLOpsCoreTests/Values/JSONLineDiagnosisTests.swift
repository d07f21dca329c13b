import MLOpsCore
import Testing

/// A JSON Lines line Foundation refuses is read again to say why and where.
@Suite struct JSONLineDiagnosisTests {
    func finding(_ line: String) -> String? { JSONLineDiagnosis.diagnose(line)?.description }

    @Test func nanAndInfinityAreNamedAsNonFiniteNumbers() {
        let why = "is not a finite number: JSON has no NaN or Infinity (write null for a missing value)"
        #expect(finding("NaN") == "column 1: `NaN` " + why)
        #expect(finding(#"{"id": "a", "age": Infinity}"#) == "column 20: `Infinity` " + why)
        #expect(finding(#"{"age": -Infinity}"#) == "column 9: `-Infinity` " + why)
    }

    @Test func anOverflowingNumberIsOutOfRange() {
        #expect(
            finding(#"{"age": 1e400}"#)
                == "column 9: the number `1e400` is out of range: it overflows a 64-bit floating-point number (largest about 1.8e308)"
        )
        #expect(finding("1e400")?.hasPrefix("column 1: the number `1e400` is out of range") == true)
    }

    @Test func deepNestingStatesTheLimit() {
        #expect(
            finding(String(repeating: "[", count: 100_000))
                == "column 513: lists and mappings nest deeper than 512 levels (a record is a mapping of columns to values)"
        )
        let fine = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(finding(fine) == nil)
    }

    @Test func brokenJSONNamesTheColumn() {
        #expect(finding(#"{"id" 1}"#) == "column 7: expected `:` after the key, found `1`")
        #expect(finding(#"{"id": "a" "b": 1}"#) == "column 12: expected `,` or `}`, found `\"`")
        #expect(
            finding(#"{"id": "a"} x"#)
                == "column 13: text after the end of the JSON value: `x` (one JSON object per line)"
        )
        #expect(finding(#"{"id": "a"#) == "column 8: the string that begins here has no closing `\"`")
        #expect(
            finding(#"{"id": tru}"#)
                == "column 8: expected a value (an object, list, string, number, true, false or null), found `tru`"
        )
        #expect(
            finding("{\"id\": \"a\u{1F}\"}")
                == "column 10: a control character (\\u001F) inside a string must be written as an escape"
        )
        #expect(finding(#"{"age": 01}"#) == "column 9: `01` is not a JSON number")
        #expect(
            finding(#"{"id": "\q"}"#)
                == "column 9: `\\\\q` is not a JSON escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
        )
    }

    @Test func validLinesHaveNoFinding() {
        #expect(finding(#"{"id": "a", "age": -1.5e3, "x": [true, false, null], "s": "\u00e9\n",}"#) == nil)
    }

    @Test func theColumnCountsCharactersNotBytes() {
        #expect(finding(#"{"é": NaN}"#)?.hasPrefix("column 7: `NaN`") == true)
    }
}
