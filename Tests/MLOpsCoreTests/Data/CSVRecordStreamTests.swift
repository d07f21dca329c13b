import Foundation
import Testing

@testable import MLOpsCore

/// The block-by-block reader gives exactly what the whole-text parser gives — the rows, their
/// lines, and every error with its line and column — however the text is cut (issue 23: a
/// large file is read a few megabytes at a time).
@Suite struct CSVRecordStreamTests {
    /// What a reading produced: the table, or the error.
    enum Reading: Equatable {
        case table(CSVTable)
        case error(CSVError)
    }

    static func whole(_ text: String, maxRows: Int? = nil, maxColumns: Int? = nil) -> Reading {
        do {
            return .table(try CSVTable.parse(text, maxRows: maxRows, maxColumns: maxColumns))
        } catch {
            return .error(error)
        }
    }

    /// `bytes` read in blocks ending at `cuts` (offsets, ascending), then the rest.
    static func streamed(_ bytes: [UInt8], cuts: [Int], maxRows: Int? = nil, maxColumns: Int? = nil) -> Reading {
        var stream = CSVRecordStream(maxRows: maxRows, maxColumns: maxColumns)
        var header: [String] = []
        var rows: [[String]] = []
        var lines: [Int] = []
        var announced = 0
        let take: ([String], Int) -> Void = { fields, line in
            rows.append(fields)
            lines.append(line)
        }
        let heard: ([String]) -> Void = {
            header = $0
            announced += 1
        }
        do throws(CSVError) {
            var start = 0
            for cut in cuts + [bytes.count] where cut >= start {
                let block = UnsafeMutableRawBufferPointer.allocate(byteCount: cut - start, alignment: 1)
                defer { block.deallocate() }
                block.copyBytes(from: bytes[start..<cut])
                try stream.feed(UnsafeRawBufferPointer(block), header: heard, row: take)
                start = cut
            }
            try stream.finish(header: heard, row: take)
        } catch {
            return .error(error)
        }
        #expect(announced == 1, "the header is announced once")
        #expect(stream.header == header)
        #expect(stream.rowCount == rows.count)
        return .table(CSVTable(header: header, rows: rows, rowLines: lines))
    }

    /// Random CSV text from a small alphabet that makes every rule fire: quotes, doubled
    /// quotes, commas and line breaks in quotes, CRLF, blank lines, stray quotes and CRs,
    /// multi-byte characters, a byte-order mark.
    static func randomText(_ rng: inout SystemRandomNumberGenerator, valid: Bool) -> String {
        let columns = Int.random(in: 1...4, using: &rng)
        var text = Bool.random(using: &rng) && Int.random(in: 0..<4, using: &rng) == 0 ? "\u{FEFF}" : ""
        let pieces = ["a", "bé", "12.5", "", "\"q,\"\"x\"\"\"", "\"line\nbreak\"", "ü€"]
        let broken = ["\"", "x\"y", "\r", "\"a\"b"]
        let rows = Int.random(in: 0...6, using: &rng)
        text += (0..<columns).map { "h\($0)" }.joined(separator: ",")
        for _ in 0..<rows {
            text += Int.random(in: 0..<5, using: &rng) == 0 ? "\r\n" : "\n"
            var width = columns
            if !valid && Int.random(in: 0..<6, using: &rng) == 0 { width += Int.random(in: -1...1, using: &rng) }
            text += (0..<max(width, 0)).map { _ in
                if !valid && Int.random(in: 0..<15, using: &rng) == 0 { return broken.randomElement(using: &rng) ?? "" }
                return pieces.randomElement(using: &rng) ?? ""
            }.joined(separator: ",")
        }
        if Bool.random(using: &rng) { text += "\n" }
        if !valid && Int.random(in: 0..<8, using: &rng) == 0 { text += "\n" }
        return text
    }

    @Test func everyCutOfEveryRandomTextReadsAsTheWholeText() {
        var rng = SystemRandomNumberGenerator()
        var compared = 0
        var errors = 0
        for round in 0..<3_000 {
            let text = Self.randomText(&rng, valid: round % 2 == 0)
            let bytes = Array(text.utf8)
            let expected = Self.whole(text)
            if case .error = expected { errors += 1 }
            // One cut at every offset for short texts, random cuts otherwise.
            var cutSets: [[Int]] = [[]]
            if bytes.count <= 40 {
                cutSets += (0...bytes.count).map { [$0] }
            }
            for _ in 0..<5 {
                cutSets.append(
                    (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                        Int.random(in: 0...bytes.count, using: &rng)
                    }.sorted()
                )
            }
            cutSets.append(Array(0...bytes.count))  // one byte at a time
            for cuts in cutSets {
                let got = Self.streamed(bytes, cuts: cuts)
                #expect(got == expected, "text \(text.debugDescription) cut at \(cuts)")
                compared += 1
                if got != expected { return }
            }
        }
        #expect(compared > 20_000)
        #expect(errors > 300, "the random texts exercise the errors too (\(errors))")
    }

    @Test func limitsAreTheWholeTextsLimits() {
        let text = "a,b\n1,2\n3,4\n5,6\n"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            #expect(Self.streamed(bytes, cuts: [cut], maxRows: 2) == .error(.tooManyRows(limit: 2)))
            #expect(Self.streamed(bytes, cuts: [cut], maxRows: 3) == Self.whole(text, maxRows: 3))
            #expect(Self.streamed(bytes, cuts: [cut], maxColumns: 1) == .error(.tooManyColumns(found: 2, limit: 1)))
        }
        #expect(Self.streamed([], cuts: []) == .error(.emptyHeader))
        #expect(Self.streamed(Array("\u{FEFF}".utf8), cuts: [1]) == .error(.emptyHeader))
    }

    @Test func bytesThatAreNotUTF8AreRefusedWithTheirLineAndColumn() {
        var bytes = Array("a,b\n1,2\nxé,".utf8)
        bytes.append(0xFF)
        bytes += Array("\n".utf8)
        for cut in 0...bytes.count {
            #expect(Self.streamed(bytes, cuts: [cut]) == .error(.invalidUTF8(line: 3, column: 4)))
        }
    }

    @Test func aWideHeaderIsRefusedBeforeItsFieldsAreBuilt() {
        // A million columns: refused with the exact count once its line is complete.
        let header = Array(repeating: "c", count: 1_000_000).joined(separator: ",")
        let bytes = Array((header + "\n1\n").utf8)
        #expect(
            Self.streamed(bytes, cuts: stride(from: 0, to: bytes.count, by: 1 << 20).map { $0 }, maxColumns: 10_000)
                == .error(.tooManyColumns(found: 1_000_000, limit: 10_000))
        )
    }
}
