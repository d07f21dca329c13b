import Foundation
import Testing

@testable import MLOpsCore

/// Wide CSV files: the work of reading one grows with its size, not with the square of its
/// columns (issue 23: a 40,000-column header took 33 s), and a header wider than the limit is
/// refused before any row is read.
@Suite struct CSVWideFileTests {
    /// A header of `columns` names and `rows` rows, every other cell quoted.
    static func wide(columns: Int, rows: Int) -> String {
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<rows {
            text += (0..<columns).map { $0 % 2 == 0 ? "\(r * $0)" : "\"v,\($0)\"" }.joined(separator: ",") + "\n"
        }
        return text
    }

    @Test(arguments: [100, 1_000, 10_000])
    func parsingExaminesEachByteAConstantNumberOfTimesHoweverWide(columns: Int) throws {
        let text = Self.wide(columns: columns, rows: 5)
        let (table, examined) = try CSVTable.parseCountingWork(text)
        #expect(table.header.count == columns)
        #expect(table.rows.count == 5)
        #expect(table.rows[4][1] == "v,1")
        let size = text.utf8.count
        #expect(examined <= 3 * size, "examined \(examined) bytes of \(size) for \(columns) columns")
    }

    @Test func errorColumnsAreStillCountedInCharactersAfterTheFix() {
        // Columns are computed incrementally now; a late error on a wide line must still
        // name the right character column (é is one character, two bytes).
        let header = (0..<50).map { "é\($0)" }.joined(separator: ",")
        let width = header.unicodeScalars.count
        #expect(throws: CSVError.quoteInUnquotedField(line: 2, column: width + 3)) {
            try CSVTable.parse(header + "\n" + header + ",x\"\n")
        }
        #expect(throws: CSVError.textAfterQuote(line: 1, column: 6)) {
            try CSVTable.parse("\"é,b\"x\n")
        }
    }

    @Test func aHeaderWiderThanTheLimitIsRefusedBeforeAnyRowIsRead() {
        // Row 2 is broken; the column count is what is reported, so no row was parsed.
        let text = "a,b,c,d\n1,2,\"3\n"
        #expect(throws: CSVError.tooManyColumns(found: 4, limit: 3)) {
            try CSVTable.parse(text, maxColumns: 3)
        }
        #expect(throws: CSVError.unterminatedQuote(line: 2, column: 5)) {
            try CSVTable.parse(text, maxColumns: 4)
        }
        // A comma inside a quoted name is not a separator; a quoted line break does not end the header.
        #expect((try? CSVTable.parse("\"a,b\",\"c\nd\"\n1,2\n", maxColumns: 2))?.header == ["a,b", "c\nd"])
        let description = CSVError.tooManyColumns(found: 1_000_000, limit: 10_000).description
        #expect(description.contains("1000000 columns"))
        #expect(description.contains("10000"))
        #expect(description.contains("max_columns"))
    }

    @Test func countingTheColumnsOfAMillionColumnHeaderReadsOnlyTheHeaderLine() throws {
        let header = (0..<1_000_000).map { "c\($0)" }.joined(separator: ",")
        let text = header + "\n" + String(repeating: "x", count: 1000) + "\n"
        let (found, examined) =
            text.utf8.withContiguousStorageIfAvailable {
                CSVColumnCount.count(UnsafeBufferPointer(rebasing: $0[...]))
            } ?? (0, 0)
        #expect(found == 1_000_000)
        #expect(examined == header.utf8.count + 1)
        #expect(throws: CSVError.tooManyColumns(found: 1_000_000, limit: 10_000)) {
            try CSVTable.parse(text, maxColumns: 10_000)
        }
        #expect(throws: CSVError.tooManyColumns(found: 1_000_000, limit: 10_000)) {
            try ColumnarCSV.parse(Array(text.utf8), maxColumns: 10_000)
        }
    }

    @Test func aWideFileOfTextColumnsReadsTheSameFastAndStrictly() throws {
        // Every column turns to text on a late row: the fast reader's rescan of those
        // columns must give the strict reader's categories.
        var lines = [(0..<2_000).map { "c\($0)" }.joined(separator: ",")]
        for r in 0..<20 {
            lines.append((0..<2_000).map { r == 7 + $0 % 5 ? "t\($0)" : "\($0 + r)" }.joined(separator: ","))
        }
        let text = lines.joined(separator: "\n") + "\n"
        let fast = try ColumnarCSV.parse(Array(text.utf8))
        #expect(!fast.readStrictly)
        let strict = ColumnarCSV(table: try CSVTable.parse(text))
        #expect(fast.header == strict.header)
        #expect(fast.columns == strict.columns)
        #expect(fast.firstNonNumber == strict.firstNonNumber)
        #expect(fast.firstNonNumber["c3"] == ColumnarCSV.NotANumber(line: 12, text: "t3"))
    }
}
