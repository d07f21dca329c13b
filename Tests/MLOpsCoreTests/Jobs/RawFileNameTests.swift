import Testing

@testable import MLOpsCore

/// Names a `String` cannot carry: their problem, derived id, escaped form and the
/// reversible name they are claimed under.
@Suite struct RawFileNameTests {
    static let latin1 = Array("caf".utf8) + [0xE9] + Array(".yaml".utf8)

    @Test func aNameThatIsNotUTF8OrHoldsAControlCharacterHasAProblem() {
        #expect(RawFileName.problem(Self.latin1) == .notUTF8)
        #expect(RawFileName.problem([0x61, 0xC0, 0xAF]) == .notUTF8)  // overlong "/"
        #expect(RawFileName.problem([0x61, 0x80]) == .notUTF8)  // lone continuation byte
        #expect(RawFileName.problem(Array("a\nb".utf8)) == .controlCharacter(0x0A))
        #expect(RawFileName.problem([0x61, 0x7F]) == .controlCharacter(0x7F))
        #expect(RawFileName.problem(Array("a\u{85}b".utf8)) == .controlCharacter(0x85))
        #expect(RawFileName.problem(Array("café-ünï.yaml".utf8)) == nil)
    }

    @Test func aShortNameGetsItsBytesInHexAsItsIdAndShowsEscaped() {
        let name = RawFileName(Self.latin1)
        #expect(name.derivedID == "name-636166e92e79616d6c")
        #expect(JobValidator.isValidID(name.derivedID))
        #expect(name.escaped == "caf\\xe9.yaml")
        #expect(RawFileName(Array("a\n\u{1}\\\u{7F}é".utf8)).escaped == "a\\n\\x01\\\\\\x7fé")
        #expect(RawFileName(Self.latin1).problemDescription == "is not valid UTF-8")
        #expect(RawFileName(Array("a\nb".utf8)).problemDescription == "holds a control character (U+000A)")
    }

    @Test func theActiveNameIsHiddenAndGivesTheSameNameBack() throws {
        for bytes in [Self.latin1, Array(repeating: 0xFF, count: 61), Array(repeating: 0xFF, count: 110)] {
            let name = RawFileName(bytes)
            #expect(name.activeName.hasPrefix("."))
            #expect(try #require(RawFileName(activeName: name.activeName)) == name)
        }
        #expect(RawFileName(activeName: "job.yaml") == nil)
        #expect(RawFileName(activeName: ".invalid-name.zz") == nil)
    }

    @Test func aLongNameIsTruncatedWithADigestWithinTheLimits() throws {
        let long = Array(repeating: UInt8(0xE9), count: 255)
        let other = Array(repeating: UInt8(0xE9), count: 254) + [0xEA]
        let name = RawFileName(long)
        #expect(name.truncated)
        #expect(name.activeName.utf8.count <= 255)
        #expect(JobValidator.isValidID(name.derivedID))
        #expect(name.derivedID != RawFileName(other).derivedID)
        #expect(name.escaped.hasSuffix("…"))
        let back = try #require(RawFileName(activeName: name.activeName))
        #expect(back.derivedID == name.derivedID)
        #expect(back.escaped == name.escaped)
        let mid = RawFileName(Array(repeating: UInt8(0xE9), count: 62))
        #expect(!mid.truncated)
        #expect(mid.derivedID.utf8.count <= 128)
        #expect(JobValidator.isValidID(mid.derivedID))
    }
}
