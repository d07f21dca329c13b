import Foundation
import Testing

@testable import MLOpsCore

@Suite struct ColumnarCSVTests {
    /// Checks that `columns` holds exactly what `CSVTable` reads from the same text: the same
    /// header and rows, numbers equal to strtod's bit for bit, text cells equal, empty cells
    /// missing, and a column numerical exactly when every non-empty cell is a number.
    func expectSameAsCSVTable(_ text: String, categorical: Set<String> = [], _ label: String) throws {
        let table = try CSVTable.parse(text)
        let columns = try ColumnarCSV.parse(Array(text.utf8), categorical: categorical)
        #expect(columns.header == table.header, "\(label)")
        #expect(columns.rowCount == table.rows.count, "\(label)")
        guard columns.header == table.header, columns.rowCount == table.rows.count else { return }
        for (c, name) in table.header.enumerated() {
            let cells = table.rows.map { $0[c] }
            let allNumbers = cells.allSatisfy { $0.isEmpty || DecimalParser.parse($0) != nil }
            switch columns.columns[c] {
            case .numerical(let values):
                #expect(allNumbers && !categorical.contains(name), "\(label): \(name) should be categorical")
                for (r, cell) in cells.enumerated() {
                    let expected = cell.isEmpty ? Double.nan : DecimalParserTests.strtodWhole(cell) ?? .infinity
                    #expect(
                        values[r].bitPattern == expected.bitPattern || (values[r].isNaN && expected.isNaN),
                        "\(label): row \(r) column \(name): \(values[r]) for \(cell.debugDescription)"
                    )
                }
            case .categorical(let categories):
                #expect(!allNumbers || categorical.contains(name), "\(label): \(name) should be numerical")
                if !categorical.contains(name) {
                    #expect(columns.firstNonNumber[name] != nil, "\(label): \(name) does not say which cell is text")
                }
                var expectedCounts: [String: Int] = [:]
                for (r, cell) in cells.enumerated() {
                    #expect(categories.value(at: r) == (cell.isEmpty ? nil : cell), "\(label): row \(r) column \(name)")
                    if !cell.isEmpty { expectedCounts[cell, default: 0] += 1 }
                }
                #expect(categories.countsByValue == expectedCounts, "\(label): counts of \(name)")
                #expect(categories.missing == cells.filter(\.isEmpty).count, "\(label): missing in \(name)")
            }
        }
    }

    static let trickyFiles: [(String, String)] = [
        ("LF", "a,b\n1,2\n3,4\n"),
        ("CRLF", "a,b\r\n1,2\r\n3,4\r\n"),
        ("no final line break", "a,b\n1,2\n3,4"),
        ("byte-order mark", "\u{FEFF}a,b\n1,x\n"),
        ("header only", "a,b,c\n"),
        ("header without line break", "a,b,c"),
        ("empty cells and a trailing comma", "a,b,c\n,,\n1,,\n,2,\n"),
        (
            "number forms",
            "n\n1e3\n-0\n.5\n5.\n+3\n1E-7\n00012\n123456789012345678901234\n0.1000000000000000055511151231257827\n"
        ),
        ("non-finite numbers", "n,m\nnan,1e400\ninf,-1e400\n-Infinity,4.9e-324\n"),
        ("hexadecimal and spaced numbers are text", "h,s\n0x10, 1\n1,2\n"),
        ("a column turns text on its last row", "a,b\n1,2\n3,4\n5,five\n"),
        ("unicode categories", "city,n\nZürich,1\n東京,2\nZürich,3\n,4\n"),
        ("quoted fields", "id,text,n\n1,\"a, b\",2\n2,\"line one\nline two\",3\n3,\"say \"\"hi\"\"\",\"\"\n"),
        ("quoted numbers", "x,y\n\"1.5\",2\n3,\"4\"\n"),
        ("one column", "x\n1\n2\n3\n"),
    ]

    @Test func readsTrickyFilesExactlyAsCSVTable() throws {
        for (label, text) in Self.trickyFiles {
            try expectSameAsCSVTable(text, label)
            try expectSameAsCSVTable(text, categorical: ["a", "n", "x"], label + " (categorical named)")
        }
    }

    @Test func readsWithoutCSVTableWhenThereIsNoQuoteAndWithItWhenThereIs() throws {
        #expect(try ColumnarCSV.parse(Array("a,b\n1,2\n".utf8)).readStrictly == false)
        #expect(try ColumnarCSV.parse(Array("a,b\n\"1\",2\n".utf8)).readStrictly == true)
    }

    /// A file large enough to be cut into many chunks, with text, empty cells, numbers of
    /// every length and a column that holds one word far down.
    static func largeFile(rows: Int, seed: UInt64, crlf: Bool = false) -> String {
        var rng = SeededGenerator(seed: seed)
        var text = "x,y,grade,z,late\(crlf ? "\r\n" : "\n")"
        let grades = ["A", "B", "C", "Ü", ""]
        for r in 0..<rows {
            let x = rng.normal()
            let y = (rng.normal() * 1e4).rounded() / 1e4
            let z = Int.random(in: 0..<20, using: &rng) == 0 ? "" : String(format: "%.6e", rng.normal() * 1e-3)
            let late = r == rows - 7 ? "n/a" : String(Int.random(in: -5...5, using: &rng))
            text +=
                "\(x),\(y),\(grades[Int.random(in: 0..<grades.count, using: &rng)]),\(z),\(late)\(crlf ? "\r\n" : "\n")"
        }
        return text
    }

    @Test func readsLargeFilesAcrossChunksExactlyAsCSVTable() throws {
        try expectSameAsCSVTable(Self.largeFile(rows: 40_000, seed: 1), "40,000 rows LF")
        try expectSameAsCSVTable(Self.largeFile(rows: 30_000, seed: 2, crlf: true), "30,000 rows CRLF")
        let noFinalBreak = String(Self.largeFile(rows: 20_000, seed: 3).dropLast())
        try expectSameAsCSVTable(noFinalBreak, "20,000 rows without the final line break")
        try expectSameAsCSVTable(Self.largeFile(rows: 20_000, seed: 4), categorical: ["x"], "x named categorical")
        let columns = try ColumnarCSV.parse(Array(Self.largeFile(rows: 40_000, seed: 1).utf8))
        #expect(columns.firstNonNumber["late"] == ColumnarCSV.NotANumber(line: 40_000 - 7 + 2, text: "n/a"))
        #expect(columns.readStrictly == false)
    }

    @Test func refusesBadFilesWithCSVTablesErrorEvenDeepInALargeFile() throws {
        let large = Self.largeFile(rows: 30_000, seed: 5)
        var lines = large.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[25_000] += ",extra"
        let tooMany = lines.joined(separator: "\n")
        lines = large.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[20_001] = ""
        let blank = lines.joined(separator: "\n")
        lines = large.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[12_345] = lines[12_345].replacingOccurrences(of: ",", with: "\r,")
        let bareCR = lines.joined(separator: "\n")
        let bad: [(String, String)] = [
            ("too many fields deep down", tooMany),
            ("a blank line deep down", blank),
            ("a bare carriage return deep down", bareCR),
            ("too few fields", "a,b,c\n1,2,3\n4,5\n"),
            ("blank final line", "a,b\n1,2\n\n"),
            ("empty text", ""),
            ("duplicate column", "x,y,x\n1,2,3\n"),
            ("empty column name", "a,,b\n1,2,3\n"),
            ("quote in an unquoted field", "a,b\n1,x\"y\n"),
            ("unterminated quote", "a,b\n1,\"open\n2,3\n"),
            ("bare carriage return in the header", "a,b\r1,2\r"),
        ]
        for (label, text) in bad {
            var expected: CSVError?
            do { _ = try CSVTable.parse(text) } catch { expected = error }
            #expect(expected != nil, "\(label): CSVTable accepted it")
            #expect(throws: expected ?? CSVError.emptyHeader, "\(label)") { try ColumnarCSV.parse(Array(text.utf8)) }
        }
    }

    @Test func bytesThatAreNotUTF8AreRefusedAtTheirLineAndColumn() {
        var bytes = Array("a,b\n1,ok\n2,é".utf8)
        bytes += [0xFF, 0x41, 0x0A]
        #expect(throws: CSVError.invalidUTF8(line: 3, column: 4)) { try ColumnarCSV.parse(bytes) }
        var header = Array("a,".utf8)
        header += [0xC3, 0x28]
        header += Array("\n1,2\n".utf8)
        #expect(throws: CSVError.invalidUTF8(line: 1, column: 3)) { try ColumnarCSV.parse(header) }
    }
}
