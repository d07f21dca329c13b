import Foundation
import Testing

@testable import MLOpsCore

@Suite struct CSVTableTests {
    @Test func parsesHeaderAndRowsWithLFOrCRLFAndAnOptionalFinalLineBreak() throws {
        for text in ["a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n", "a,b\n1,2\n3,4", "a,b\r\n1,2\n3,4"] {
            let table = try CSVTable.parse(text)
            #expect(table.header == ["a", "b"], "\(text.debugDescription)")
            #expect(table.rows == [["1", "2"], ["3", "4"]], "\(text.debugDescription)")
            #expect(table.rowLines == [2, 3], "\(text.debugDescription)")
        }
    }

    @Test func headerOnlyGivesNoRows() throws {
        let table = try CSVTable.parse("x,y\n")
        #expect(table.header == ["x", "y"])
        #expect(table.rows.isEmpty)
        #expect(table.rowLines.isEmpty)
    }

    @Test func quotedFieldsKeepCommasLineBreaksAndDoubledQuotes() throws {
        let text =
            "id,text,n\n1,\"a, b\",2\n2,\"line one\nline two\r\nline three\",3\n3,\"say \"\"hi\"\"\",\"\"\n4,,\"\"\"\"\n"
        let table = try CSVTable.parse(text)
        #expect(
            table.rows == [
                ["1", "a, b", "2"],
                ["2", "line one\nline two\r\nline three", "3"],
                ["3", "say \"hi\"", ""],
                ["4", "", "\""],
            ]
        )
        // The second row spans lines 3–5, so the third starts on line 6.
        #expect(table.rowLines == [2, 3, 6, 7])
    }

    @Test func emptyFieldsAndATrailingCommaAreFields() throws {
        let table = try CSVTable.parse("a,b,c\n,,\n1,,\n")
        #expect(table.rows == [["", "", ""], ["1", "", ""]])
    }

    @Test func nonASCIITextSurvivesAndByteOrderMarkIsDropped() throws {
        let table = try CSVTable.parse("\u{FEFF}städt,名前\n\"Zürich, CH\",東京\n")
        #expect(table.header == ["städt", "名前"])
        #expect(table.column("städt") == 0)
        #expect(table.rows == [["Zürich, CH", "東京"]])
    }

    @Test func columnFindsNamesExactly() throws {
        let table = try CSVTable.parse("age,Age,income\n1,2,3\n")
        #expect(table.column("age") == 0)
        #expect(table.column("Age") == 1)
        #expect(table.column("income") == 2)
        #expect(table.column("AGE") == nil)
    }

    @Test func emptyTextOrOnlyAByteOrderMarkHasNoHeader() {
        #expect(throws: CSVError.emptyHeader) { try CSVTable.parse("") }
        #expect(throws: CSVError.emptyHeader) { try CSVTable.parse("\u{FEFF}") }
    }

    @Test func emptyColumnNameIsRefusedAtItsColumn() {
        #expect(throws: CSVError.emptyColumnName(line: 1, column: 3)) { try CSVTable.parse("a,,b\n1,2,3\n") }
        #expect(throws: CSVError.emptyColumnName(line: 1, column: 5)) { try CSVTable.parse("a,b,\n1,2,3\n") }
        #expect(throws: CSVError.emptyColumnName(line: 1, column: 3)) { try CSVTable.parse("a,\"\"\n1,2\n") }
    }

    @Test func duplicateColumnIsRefusedAtTheSecondOccurrence() {
        #expect(throws: CSVError.duplicateColumn(name: "x", line: 1, column: 5)) {
            try CSVTable.parse("x,y,x\n1,2,3\n")
        }
        // Quoting does not make a name different.
        #expect(throws: CSVError.duplicateColumn(name: "x", line: 1, column: 3)) { try CSVTable.parse("x,\"x\"\n") }
    }

    @Test func rowWithAnotherFieldCountNamesTheLineWhereItStarts() {
        #expect(throws: CSVError.wrongFieldCount(line: 3, expected: 2, found: 3)) {
            try CSVTable.parse("a,b\n1,2\n1,2,3\n")
        }
        #expect(throws: CSVError.wrongFieldCount(line: 2, expected: 3, found: 2)) {
            try CSVTable.parse("a,b,c\n\"x\ny\",2\n")
        }
    }

    @Test func unterminatedQuotePointsAtTheOpeningQuote() {
        let error = #expect(throws: CSVError.self) { try CSVTable.parse("a,b\n1,2\n3,\"open\n4,5\n") }
        #expect(error == .unterminatedQuote(line: 3, column: 3))
        #expect(error?.line == 3)
        #expect(error?.column == 3)
    }

    @Test func quoteInsideAnUnquotedFieldIsRefusedWithItsColumnInCharacters() {
        // "é" is two bytes in UTF-8 but one column.
        #expect(throws: CSVError.quoteInUnquotedField(line: 2, column: 4)) { try CSVTable.parse("a,b\né,x\"y\n") }
    }

    @Test func textAfterAClosingQuoteIsRefused() {
        #expect(throws: CSVError.textAfterQuote(line: 2, column: 5)) { try CSVTable.parse("a,b\n\"ab\"c,d\n") }
        #expect(throws: CSVError.textAfterQuote(line: 2, column: 5)) { try CSVTable.parse("a,b\n\"ab\" ,d\n") }
    }

    @Test func loneCarriageReturnIsRefusedOutsideQuotesAndKeptInside() throws {
        #expect(throws: CSVError.bareCarriageReturn(line: 2, column: 2)) { try CSVTable.parse("a,b\n1\r,2\n") }
        #expect(throws: CSVError.bareCarriageReturn(line: 1, column: 4)) { try CSVTable.parse("a,b\r1,2\r") }
        #expect(try CSVTable.parse("a,b\n\"1\r\",2\n").rows == [["1\r", "2"]])
    }

    @Test func emptyLinesAreRefusedIncludingAnExtraOneAtTheEnd() {
        #expect(throws: CSVError.blankLine(line: 3)) { try CSVTable.parse("a\n1\n\n2\n") }
        #expect(throws: CSVError.blankLine(line: 3)) { try CSVTable.parse("a,b\n1,2\n\n") }
        #expect(throws: CSVError.blankLine(line: 3)) { try CSVTable.parse("a,b\r\n1,2\r\n\r\n") }
        // An empty single value is written quoted, and that is a row.
        #expect((try? CSVTable.parse("a\n\"\"\n"))?.rows == [[""]])
    }

    @Test func maxRowsAllowsExactlyThatManyRows() throws {
        let text = "a\n1\n2\n3\n"
        #expect(try CSVTable.parse(text, maxRows: 3).rows.count == 3)
        #expect(throws: CSVError.tooManyRows(limit: 2)) { try CSVTable.parse(text, maxRows: 2) }
        #expect(throws: CSVError.tooManyRows(limit: 0)) { try CSVTable.parse(text, maxRows: 0) }
    }

    @Test func descriptionsNamePlaceAndFix() {
        let wrong = CSVError.wrongFieldCount(line: 7, expected: 3, found: 4).description
        #expect(wrong.hasPrefix("line 7:"))
        #expect(wrong.contains("4 fields") && wrong.contains("header has 3") && wrong.contains("quoted"))
        #expect(CSVError.wrongFieldCount(line: 7, expected: 3, found: 4).column == nil)
        let quote = CSVError.quoteInUnquotedField(line: 2, column: 9).description
        #expect(quote.hasPrefix("line 2, column 9:") && quote.contains("double the quote"))
        #expect(CSVError.duplicateColumn(name: "age", line: 1, column: 5).description.contains("'age' appears twice"))
        #expect(CSVError.tooManyRows(limit: 10).line == nil)
        #expect(CSVError.emptyHeader.line == 1)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func matchesPythonCSVModuleOnAGeneratedTrickyFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Python writes two files with its csv module (CRLF with minimal quoting, LF with
        // every field quoted), from random values full of commas, quotes, line breaks,
        // carriage returns, spaces and non-ASCII text; then reads them back with its strict
        // reader and prints what it read as JSON.
        let script = #"""
            import csv, json, random, sys
            rng = random.Random(4180)
            alphabet = ['a', 'b', 'Z', '0', '9', ',', '"', '""', '\n', '\r\n', '\r', ' ', '\t', 'é', '名', '🙂', ';', "'"]
            def value():
                return ''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            header = ['id', 'text, with comma', 'quote"d', 'ünï', 'empty']
            rows = [[str(i), value(), value(), value(), ''] for i in range(500)]
            out = {}
            for name, kwargs in [('crlf.csv', {}), ('lf.csv', {'lineterminator': '\n', 'quoting': csv.QUOTE_ALL})]:
                path = sys.argv[1] + '/' + name
                with open(path, 'w', newline='', encoding='utf-8') as f:
                    w = csv.writer(f, **kwargs)
                    w.writerow(header)
                    w.writerows(rows)
                with open(path, newline='', encoding='utf-8') as f:
                    out[name] = list(csv.reader(f, strict=True))
            print(json.dumps(out))
            """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, dir]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let expected = try JSONDecoder().decode([String: [[String]]].self, from: output)
        #expect(expected.count == 2)
        for (name, pythonRows) in expected.sorted(by: { $0.key < $1.key }) {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            let table = try CSVTable.parse(text)
            #expect([table.header] + table.rows == pythonRows, "\(name)")
            #expect(table.rows.count == 500, "\(name)")
            // Every row starts one line after the previous one's last line break.
            for (i, row) in table.rows.enumerated().dropLast() {
                let breaks = row.reduce(0) { $0 + $1.utf8.filter { $0 == UInt8(ascii: "\n") }.count }
                #expect(table.rowLines[i + 1] == table.rowLines[i] + breaks + 1, "\(name) row \(i)")
            }
        }
    }
}
