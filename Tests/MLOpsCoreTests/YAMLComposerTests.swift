import Foundation
import Testing

@testable import MLOpsCore

/// Composes `text`, returning the error it throws (nil if it composed).
private func composeError(_ text: String, limits: YAMLLimits = YAMLLimits()) -> JobError? {
    do {
        _ = try YAMLComposer.compose(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite struct YAMLComposerTests {
    @Test func everyNodeCarriesItsOneBasedStartMark() throws {
        let text = """
            kind: register-model
            params:
              features:
                - name: age
                  type: numerical
              flags: [a, "b"]
            """
        let root = try #require(try YAMLComposer.compose(text))
        #expect(root.mark == SourceMark(line: 1, column: 1))
        #expect(root.pair("kind")?.key.mark == SourceMark(line: 1, column: 1))
        #expect(root["kind"]?.mark == SourceMark(line: 1, column: 7))
        let params = try #require(root["params"])
        #expect(params.mark == SourceMark(line: 3, column: 3))
        let feature = try #require(params["features"]?[0])
        #expect(feature.mark == SourceMark(line: 4, column: 7))
        #expect(feature["type"]?.mark == SourceMark(line: 5, column: 13))
        #expect(feature["type"]?.content == .scalar("numerical", .plain))
        let flags = try #require(params["flags"])
        #expect(flags.mark == SourceMark(line: 6, column: 10))
        #expect(flags[1]?.mark == SourceMark(line: 6, column: 14))
        #expect(flags[1]?.content == .scalar("b", .quoted))
    }

    @Test func scalarStylesAreKept() throws {
        let text = "a: plain\nb: 'single'\nc: \"double\"\nd: |\n  literal\ne: >\n  folded\n"
        let root = try #require(try YAMLComposer.compose(text))
        #expect(root["a"]?.content == .scalar("plain", .plain))
        #expect(root["b"]?.content == .scalar("single", .quoted))
        #expect(root["c"]?.content == .scalar("double", .quoted))
        #expect(root["d"]?.content == .scalar("literal\n", .block))
        #expect(root["e"]?.content == .scalar("folded\n", .block))
    }

    @Test func billionLaughsIsRefusedAtTheFirstAnchorQuickly() throws {
        var text = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        let letters = Array("bcdefghi")
        var previous = "a"
        for letter in letters {
            let ref = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
            text += "\(letter): &\(letter) [\(ref)]\n"
            previous = String(letter)
        }
        let start = Date()
        let error = try #require(composeError(text))
        #expect(Date().timeIntervalSince(start) < 0.5)
        #expect(error.code == .aliasRefused)
        #expect(error.line == 1)
        #expect(error.column == 4)
    }

    @Test func aliasWithoutAnchorIsRefusedAtItsMark() throws {
        // libyaml reports an undefined alias only when composing; we refuse the event itself.
        let error = try #require(composeError("a: 1\nb: *x\n"))
        #expect(error.code == .aliasRefused)
        #expect(error.line == 2)
        #expect(error.column == 4)
    }

    @Test func anchorAloneIsRefused() throws {
        let error = try #require(composeError("a:\n  b: &base 3\n"))
        #expect(error.code == .aliasRefused)
        #expect(error.line == 2)
        #expect(error.column == 6)
        #expect(error.message.contains("&base"))
    }

    @Test func explicitTagsAreRefused() throws {
        let error = try #require(composeError("a: !!python/object:os.system ls\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.message.contains("tags like !!python are not accepted"))
        #expect(error.line == 1)
    }

    @Test func tenThousandDeepFlowSequenceIsRefusedWithoutCrashing() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(composeError(text))
        #expect(error.code == .tooDeep)
        #expect(error.line == 1)
        #expect(error.column == 33)  // the 33rd bracket opens level 33 > 32
    }

    @Test func depthUpToTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try YAMLComposer.compose(text) != nil)
        let error = try #require(composeError(text, limits: YAMLLimits(maxDepth: 31)))
        #expect(error.code == .tooDeep)
    }

    @Test func tooManyNodesAreRefused() throws {
        let text = "[" + Array(repeating: "1", count: 100).joined(separator: ", ") + "]"
        let error = try #require(composeError(text, limits: YAMLLimits(maxDepth: 32, maxNodes: 50)))
        #expect(error.code == .tooDeep)
        #expect(error.message.contains("50 nodes"))
    }

    @Test func duplicateKeyIsReportedAtTheSecondWithTheLineOfTheFirst() throws {
        let error = try #require(composeError("kind: a\nmodel: m\nkind: b\n"))
        #expect(error.code == .duplicateKey)
        #expect(error.line == 3)
        #expect(error.column == 1)
        #expect(error.message.contains("`kind`"))
        #expect(error.message.contains("line 1"))
    }

    @Test func sameKeyInDifferentMappingsIsFine() throws {
        #expect(try YAMLComposer.compose("a:\n  x: 1\nb:\n  x: 2\n") != nil)
    }

    @Test func nonScalarKeysAreRefused() throws {
        let error = try #require(composeError("? [a, b]\n: 1\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.message.contains("mapping keys must be plain text"))
        #expect(error.line == 1)
        #expect(error.column == 3)
    }

    @Test func badIndentationGivesLibyamlsProblemAtItsPosition() throws {
        let text = "kind: x\nparams:\n  a: 1\n    b: 2\n"
        let error = try #require(composeError(text))
        #expect(error.code == .yamlSyntax)
        #expect(error.message.contains("mapping values are not allowed"))
        #expect(error.line == 4)
        #expect(error.column == 6)
        #expect(error.fix != nil)
    }

    @Test func unclosedFlowSequenceIsASyntaxErrorWithAPosition() throws {
        let error = try #require(composeError("a: [1, 2\nb: 3\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.line != nil)
        #expect(error.column != nil)
    }

    @Test func tabIndentationSuggestsSpaces() throws {
        let error = try #require(composeError("params:\n\tpipeline: default\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.line == 2)
        #expect(error.fix == "indent with spaces, not tabs")
    }

    @Test func secondDocumentIsRefusedAtItsStart() throws {
        let error = try #require(composeError("kind: a\n---\nkind: b\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.message.contains("one YAML document"))
        #expect(error.line == 2)
        #expect(error.column == 1)
    }

    @Test func explicitSingleDocumentIsAccepted() throws {
        let root = try #require(try YAMLComposer.compose("---\nkind: a\n...\n"))
        #expect(root["kind"]?.scalarText == "a")
    }

    @Test func emptyAndCommentOnlyDocumentsComposeToNil() throws {
        #expect(try YAMLComposer.compose("") == nil)
        #expect(try YAMLComposer.compose("\n\n   \n") == nil)
        #expect(try YAMLComposer.compose("# only a comment\n# and another\n") == nil)
        #expect(try YAMLComposer.compose("---\n") == nil)
    }

    @Test func unicodeTextAndColumnsCountCharacters() throws {
        let root = try #require(try YAMLComposer.compose("név: \"Ärzte – 東京\"\nzweite: ü\n"))
        #expect(root["név"]?.content == .scalar("Ärzte – 東京", .quoted))
        #expect(root["név"]?.mark == SourceMark(line: 1, column: 6))
        #expect(root["zweite"]?.scalarText == "ü")
    }

    @Test func controlCharactersAreASyntaxErrorWithAPosition() throws {
        let error = try #require(composeError("a: 1\nb: x\u{07}y\n"))
        #expect(error.code == .yamlSyntax)
        #expect(error.line == 2)
        #expect(error.column == 5)
    }

    @Test func composingThousandsOfSmallJobsIsFast() throws {
        let text = "kind: run-pipeline\nmodel: chest-xray\nid: r-1\nparams:\n  pipeline: default\n"
        let start = Date()
        for _ in 0..<2000 { _ = try YAMLComposer.compose(text) }
        #expect(Date().timeIntervalSince(start) < 2)
    }
}
