import Foundation
import Testing

@testable import MLOpsCore

/// ``JSONTextWriter`` writes the bytes `JSONEncoder.mlopsPretty` and `.mlopsCompact` write,
/// for random trees and for every corner of key order, layout, escaping and numbers; and
/// ``ResultDocument/encoded()``, which writes through it, gives `JSONEncoder`'s bytes.
@Suite struct JSONTextWriterTests {
    /// Asserts that both layouts give `JSONEncoder`'s bytes for `value`.
    static func expectEncoderBytes(_ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pretty = try JSONTextWriter.data(value, layout: .pretty)
        let expectedPretty = try JSONEncoder.mlopsPretty.encode(value)
        #expect(
            pretty == expectedPretty,
            "\(String(decoding: expectedPretty, as: UTF8.self))",
            sourceLocation: sourceLocation
        )
        let compact = try JSONTextWriter.data(value, layout: .compact)
        let expectedCompact = try JSONEncoder.mlopsCompact.encode(value)
        #expect(
            compact == expectedCompact,
            "\(String(decoding: expectedCompact, as: UTF8.self))",
            sourceLocation: sourceLocation
        )
    }

    // MARK: Random trees

    /// Draws random trees with the corners mixed in: every kind of value, empty and nested
    /// containers, awkward keys and strings, and numbers from bit patterns.
    struct TreeGenerator {
        var random: SplitMix64

        /// Pieces keys and strings are made of: ASCII, escapes, control characters, non-ASCII
        /// (precomposed and combining), emoji, the line separators JSON text allows raw.
        static let fragments: [String] = [
            "a", "b", "Z", "_", "id", "value", "10", "9", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}",
            "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "f", "ß", "İ", "日本", "😀", "👩‍👩‍👧", "\u{2028}",
            "\u{2029}", "\u{FEFF}", "\u{FFFF}", "\u{10FFFF}", "path/to/file", "key with spaces",
        ]

        mutating func chance(_ outOf: Int) -> Bool { random.next(below: outOf) == 0 }

        mutating func text() -> String {
            var s = ""
            for _ in 0..<random.next(below: 5) {
                if chance(4) {
                    // Any scalar: ASCII, two-, three- and four-byte UTF-8.
                    let limits: [UInt32] = [0x80, 0x800, 0x10000, 0x110000]
                    let raw = UInt32(random.next(below: Int(limits[random.next(below: 4)])))
                    s.unicodeScalars.append(Unicode.Scalar(raw) ?? "?")
                } else {
                    s += Self.fragments[random.next(below: Self.fragments.count)]
                }
            }
            return s
        }

        mutating func integer() -> Int {
            switch random.next(below: 6) {
            case 0: return [Int.min, Int.max, 0, -1, 1, Int.min + 1][random.next(below: 6)]
            case 1: return Int(truncatingIfNeeded: random.next())
            case 2: return Int(truncatingIfNeeded: random.next()) >> random.next(below: 64)
            default: return random.next(below: 2001) - 1000
            }
        }

        mutating func finiteDouble() -> Double {
            while true {
                let d = anyDouble()
                if d.isFinite { return d }
            }
        }

        mutating func anyDouble() -> Double {
            switch random.next(below: 9) {
            case 0:
                return Double(bitPattern: random.next())
            case 1:
                // Subnormals.
                return Double(bitPattern: random.next() & 0x800F_FFFF_FFFF_FFFF)
            case 2:
                let corners: [Double] = [
                    -0.0, 0.0, 5e-324, -5e-324, .leastNormalMagnitude, .greatestFiniteMagnitude,
                    -.greatestFiniteMagnitude, 1e-05, 0.0001, 0.001, 1e16, 1e17, 1e300, 1e+20, 1e21, 1e22,
                    9_007_199_254_740_992, 9_007_199_254_740_993, 0.1, 0.2, 0.30000000000000004, 1.0 / 3.0, 100,
                    123_456_789_012_345_680, .pi, -.ulpOfOne, 2.5e-8,
                ]
                return corners[random.next(below: corners.count)]
            case 3:
                // Common decimals: n / 10^k.
                let n = Double(random.next(below: 2_000_001) - 1_000_000)
                return n / pow(10, Double(random.next(below: 12)))
            case 4:
                // Whole doubles, small and beyond 2^53.
                return Double(Int(truncatingIfNeeded: random.next()) >> random.next(below: 64))
            case 5:
                return pow(10, Double(random.next(below: 640) - 320)) * (chance(2) ? -1 : 1)
            default:
                return Double(random.next() >> 11) / Double(1 << 53) * pow(10, Double(random.next(below: 40) - 20))
            }
        }

        mutating func value(depth: Int) -> JSONValue {
            // Mostly containers near the top, leaves further down, none below depth 6.
            let containers = depth == 0 ? 60 : depth < 3 ? 9 : depth < 6 ? 3 : 0
            switch random.next(below: 7 + containers) {
            case 0: return .null
            case 1: return .bool(chance(2))
            case 2: return .int(integer())
            case 3, 4: return .double(finiteDouble())
            case 5, 6: return .string(text())
            case 7: return .array((0..<random.next(below: chance(4) ? 1 : 6)).map { _ in value(depth: depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<random.next(below: chance(4) ? 1 : 8) { members[text()] = value(depth: depth + 1) }
                return .object(members)
            }
        }
    }

    @Test func randomTreesGiveJSONEncodersBytesInBothLayouts() throws {
        var generator = TreeGenerator(random: SplitMix64(seed: 0x5EED_7E47))
        // 5,000 trees, about 2 MB of pretty text.
        for _ in 0..<5000 {
            try Self.expectEncoderBytes(generator.value(depth: 0))
        }
    }

    @Test func randomNumbersGiveJSONEncodersBytes() throws {
        var generator = TreeGenerator(random: SplitMix64(seed: 42))
        let doubles = (0..<20_000).map { _ in JSONValue.double(generator.finiteDouble()) }
        let integers = (0..<2_000).map { _ in JSONValue.int(generator.integer()) }
        try Self.expectEncoderBytes(.array(doubles + integers))
    }

    // MARK: Corners, one by one

    @Test func numbersAreWrittenAsJSONEncoderWritesThem() throws {
        let expected: [(JSONValue, String)] = [
            (.int(Int.min), "-9223372036854775808"), (.int(Int.max), "9223372036854775807"), (.int(0), "0"),
            (.double(3.0), "3"), (.double(-0.0), "-0"), (.double(0.1), "0.1"), (.double(1e-05), "1e-05"),
            (.double(1e16), "1e+16"), (.double(1e300), "1e+300"), (.double(5e-324), "5e-324"),
            (.double(123.5), "123.5"), (.double(9_007_199_254_740_992), "9007199254740992"),
        ]
        for (value, text) in expected {
            #expect(try JSONTextWriter.string(value, layout: .compact) == text)
            try Self.expectEncoderBytes(value)
        }
    }

    @Test func stringsEscapeQuotesBackslashesAndEveryControlCharacterOnly() throws {
        let ascii = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        let value = JSONValue.string(ascii + "/é😀\u{2028}\u{2029}\u{FEFF}")
        try Self.expectEncoderBytes(value)
        #expect(
            try JSONTextWriter.string(.string("a\"b\\c/d\u{1}\u{1F}\n\u{7F}"), layout: .compact)
                == #""a\"b\\c/d\u0001\u001f\n\#u{7F}""#
        )
    }

    @Test func keysSortByTheirUTF8BytesNotByStringOrder() throws {
        // "e" + combining acute equals "é" and sorts after "f" by String's `<`, but its bytes
        // start with "e".
        let members: [String: JSONValue] = ["f": 1, "e\u{301}": 2, "ü": 3, "Z": 4, "a": 5, "": 6, "😀": 7, "ab": 8]
        #expect(
            try JSONTextWriter.string(.object(members), layout: .compact)
                == #"{"":6,"Z":4,"a":5,"ab":8,"e\#u{301}":2,"f":1,"ü":3,"😀":7}"#
        )
        #expect("f" < "e\u{301}")
        try Self.expectEncoderBytes(.object(members))
    }

    @Test func emptyAndNestedContainersAreLaidOutAsJSONEncoderLaysThemOut() throws {
        let value: JSONValue = [
            "empty object": [:], "empty array": [], "nested": [[], [:], [[]], ["k": [:]]], "x": ["y": ["z": [1, 2]]],
        ]
        try Self.expectEncoderBytes(value)
        try Self.expectEncoderBytes([:])
        try Self.expectEncoderBytes([])
        #expect(try JSONTextWriter.string([:], layout: .pretty) == "{\n\n}")
        #expect(try JSONTextWriter.string(["a": []], layout: .pretty) == "{\n  \"a\" : [\n\n  ]\n}")
        #expect(try JSONTextWriter.string(["a": [1, "b"]], layout: .compact) == #"{"a":[1,"b"]}"#)
    }

    @Test func topLevelFragmentsAreWrittenAlone() throws {
        for value: JSONValue in [.null, true, false, 7, 2.5, "text"] {
            try Self.expectEncoderBytes(value)
        }
    }

    // MARK: Refusals

    @Test func nonFiniteNumbersAreRefusedWithTheirPathAsJSONEncoderRefusesThem() throws {
        for number in [Double.nan, .infinity, -.infinity] {
            let value: JSONValue = ["checks": [1, ["psi": .double(number)]]]
            #expect(throws: EncodingError.self) { try JSONEncoder.mlopsPretty.encode(value) }
            #expect(throws: JSONTextWriter.Problem.nonFiniteNumber(number.description, path: "checks[1].psi")) {
                try JSONTextWriter.data(value, layout: .pretty)
            }
            #expect(throws: JSONTextWriter.Problem.nonFiniteNumber(number.description, path: "")) {
                try JSONTextWriter.data(.double(number), layout: .compact)
            }
        }
    }

    @Test func containersNested512DeepAreRefusedAsJSONEncoderRefusesThem() throws {
        func nested(_ depth: Int) -> JSONValue {
            var value: JSONValue = .array([])
            for level in 1..<depth { value = level.isMultiple(of: 2) ? .array([value]) : .object(["k": value]) }
            return value
        }
        try Self.expectEncoderBytes(nested(511))
        #expect(throws: (any Error).self) { try JSONEncoder.mlopsPretty.encode(nested(512)) }
        #expect(throws: (any Error).self) { try JSONEncoder.mlopsCompact.encode(nested(512)) }
        #expect(throws: JSONTextWriter.Problem.self) { try JSONTextWriter.data(nested(512), layout: .pretty) }
        #expect(throws: JSONTextWriter.Problem.self) { try JSONTextWriter.data(nested(512), layout: .compact) }
    }

    // MARK: Result documents

    static func documents() -> [ResultDocument] {
        var generator = TreeGenerator(random: SplitMix64(seed: 7))
        var documents: [ResultDocument] = []
        for status in ResultDocument.Status.allCases {
            documents.append(
                ResultDocument(
                    job: "job-\(status)",
                    kind: nil,
                    model: nil,
                    status: status,
                    submittedBy: "alice",
                    submittedAt: "2026-11-29T13:16:04.123Z",
                    startedAt: nil,
                    finishedAt: nil,
                    file: "a.yaml"
                )
            )
            documents.append(
                ResultDocument(
                    job: "job/\(status) é",
                    kind: "monitoring-history",
                    model: "churn",
                    status: status,
                    submittedBy: "bob \"b\"",
                    submittedAt: "2026-11-29T13:16:04.123Z",
                    startedAt: "2026-11-29T13:16:05.000Z",
                    finishedAt: "2026-11-29T13:17:00.999Z",
                    file: "dir/b\n.yaml",
                    fileInode: 1_234_567,
                    result: generator.value(depth: 0)
                )
            )
        }
        let error = JobError(.unknownKey, "unknown key `parms`", at: SourceMark(line: 3, column: 1), fix: "params")
        let more = [JobError(.missingField, "`model` is required"), JobError(.wrongType, "not a \"number\"")]
        documents.append(
            ResultDocument(
                job: "rejected",
                kind: "train",
                model: nil,
                status: .rejected,
                submittedBy: "carol",
                submittedAt: "2026-01-01T00:00:00.000Z",
                startedAt: nil,
                finishedAt: "2026-01-01T00:00:00.001Z",
                file: "r.yaml",
                fileInode: 0,
                error: ResultDocument.ErrorInfo(error, more: more)
            )
        )
        documents.append(
            ResultDocument(
                job: "failed",
                kind: "train",
                model: "m",
                status: .failed,
                submittedBy: "dave",
                submittedAt: "2026-01-01T00:00:00.000Z",
                startedAt: nil,
                finishedAt: nil,
                file: "f.yaml",
                fileInode: UInt64.max,
                result: .null,
                error: ResultDocument.ErrorInfo(JobError(.badArtifact, "gone"))
            )
        )
        documents.append(
            ResultDocument(
                job: "big",
                kind: "monitoring-history",
                model: "m",
                status: .succeeded,
                submittedBy: "erin",
                submittedAt: "2026-01-01T00:00:00.000Z",
                startedAt: nil,
                finishedAt: nil,
                file: "h.yaml",
                fileInode: UInt64(Int.max),
                result: Self.historyLikeTree(checks: 20)
            )
        )
        return documents
    }

    /// A tree shaped like a `monitoring-history` result: checks of columns of small objects.
    static func historyLikeTree(checks: Int) -> JSONValue {
        var random = SplitMix64(seed: 99)
        let checkList = (0..<checks).map { check -> JSONValue in
            let columns = (0..<52).map { column -> JSONValue in
                [
                    "column": .string("feature_\(column)"), "psi": .double(Double(random.next() >> 11) / 9e15),
                    "ks": .double(Double(random.next() >> 11) / 9e15), "drifted": .bool(column % 7 == 0),
                    "missing_share": .double(Double(column) / 100), "count": .int(1000 + column), "kind": "numeric",
                ]
            }
            return ["at": .string("2026-01-01T00:00:\(check % 60).000Z"), "columns": .array(columns)]
        }
        return ["model": "churn", "checks": .array(checkList)]
    }

    @Test func resultDocumentsEncodeToJSONEncodersBytes() throws {
        for document in Self.documents() {
            #expect(try document.encoded() == JSONEncoder.mlopsPretty.encode(document), "\(document.job)")
        }
    }

    @Test func resultDocumentWithAnInodeAboveIntMaxStillEncodesAsJSONEncoder() throws {
        let document = try #require(Self.documents().first { $0.fileInode == UInt64.max })
        #expect(try document.envelope() == nil)
        let text = String(decoding: try document.encoded(), as: UTF8.self)
        #expect(text.contains("\"file_inode\" : 18446744073709551615"))
    }

    @Test func resultDocumentWithANonFiniteResultIsRefused() throws {
        var document = Self.documents()[0]
        document.result = ["x": .double(.nan)]
        #expect(throws: JSONTextWriter.Problem.nonFiniteNumber("nan", path: "result.x")) { try document.encoded() }
    }
}
