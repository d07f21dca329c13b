/// A CSV text read in blocks, by exactly ``CSVTable``'s rules, handing over each data row
/// as soon as it is complete.
///
/// A prediction file of hundreds of megabytes is read a few megabytes at a time, so the
/// memory a job takes is one block and the rows being stored, not the file and a table of
/// every row (issue 23). The rows, their lines and every error (message, line and column)
/// are the ones ``CSVTable/parse(_:maxRows:maxColumns:)`` gives for the whole text,
/// however the text is cut into blocks: the tests compare the two on random texts cut at
/// random places.
///
/// How: bytes are kept until a line feed outside quotes (tracked by the parity of the
/// quotes seen, which is exact for every text the strict parser accepts, and for a text it
/// refuses the parser stops at the first offending byte, before any cut that parity could
/// misplace) ends a record; everything before the last such line feed is parsed by one
/// ``CSVParser`` that continues the line numbers. Each byte is scanned once for the cut and
/// parsed once. No I/O: the caller reads the blocks.
public struct CSVRecordStream: Sendable {
    /// The column names, once the header line is complete.
    public private(set) var header: [String]?
    /// Data rows handed over so far.
    public private(set) var rowCount = 0

    let maxRows: Int?
    let maxColumns: Int?
    /// Bytes received but not parsed yet (the start of an incomplete record).
    private var carry: [UInt8] = []
    /// `carry[..<scanned]` has been scanned for quotes and line feeds.
    private var scanned = 0
    /// Inside quotes at `scanned`.
    private var quoted = false
    /// The end of the last complete record in `carry` (just past its line feed), 0: none.
    private var cut = 0
    /// The line `carry` begins on.
    private var line = 1
    /// Nothing parsed yet: a byte-order mark may still begin the text.
    private var atStart = true

    /// A stream refusing more than `maxRows` data rows and a header of more than
    /// `maxColumns` columns (``CSVError/tooManyColumns(found:limit:)``, found once the header
    /// line is complete, before any of its fields is built).
    public init(maxRows: Int? = nil, maxColumns: Int? = nil) {
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }

    /// Takes the next block of the text; `header` receives the column names once their
    /// line is complete (before any row), `row` every data row completed by the block, with
    /// the line the row starts on.
    public mutating func feed(
        _ block: UnsafeRawBufferPointer,
        header: ([String]) -> Void = { _ in },
        row: ([String], Int) -> Void
    ) throws(CSVError) {
        carry.append(contentsOf: block)
        scan()
        guard cut > 0 else { return }
        try checkColumns()
        try parse(upTo: cut, header: header, row: row)
    }

    /// Ends the text: parses what is left (a last row without a final line break) and
    /// refuses a text without a header (``CSVError/emptyHeader``).
    public mutating func finish(header: ([String]) -> Void = { _ in }, row: ([String], Int) -> Void) throws(CSVError) {
        if !carry.isEmpty {
            try checkColumns()
            try parse(upTo: carry.count, header: header, row: row)
        }
        if self.header == nil { throw .emptyHeader }
    }

    /// Whether `bytes` are UTF-8 text (the strict reader takes text, as ``CSVTable`` takes a
    /// `String`).
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        // ASCII runs, 8 bytes at a time, then the decoder for the rest of a multi-byte stretch.
        while i < n {
            if i + 8 <= n {
                let word = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            if bytes[i] < 0x80 {
                i += 1
                continue
            }
            var iterator = UnsafeBufferPointer(rebasing: bytes[i...]).makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): i += scalar.count
            case .error, .emptyInput: return false
            }
        }
        return true
    }

    /// Refuses a header of more than `maxColumns` columns once its line is complete (the
    /// count is exact then), before any field of it is built.
    private func checkColumns() throws(CSVError) {
        guard header == nil, let maxColumns else { return }
        let counted = carry.withUnsafeBufferPointer { CSVColumnCount.count($0).columns }
        if counted > maxColumns { throw .tooManyColumns(found: counted, limit: maxColumns) }
    }

    /// Moves `scanned` to the end of `carry`, remembering the last record end.
    private mutating func scan() {
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n")
        carry.withUnsafeBufferPointer { bytes in
            var i = scanned
            var inQuotes = quoted
            var lastCut = cut
            while i < bytes.count {
                let b = bytes[i]
                i &+= 1
                if b == quote {
                    inQuotes.toggle()
                } else if b == lf && !inQuotes {
                    lastCut = i
                }
            }
            scanned = i
            quoted = inQuotes
            cut = lastCut
        }
    }

    /// Parses `carry[..<end]` (whole records) and drops it from `carry`.
    private mutating func parse(
        upTo end: Int,
        header announce: ([String]) -> Void,
        row: ([String], Int) -> Void
    ) throws(CSVError) {
        let firstLine = line
        let start = atStart
        let knownHeader = header
        let limit = maxRows.map { Swift.max($0 - rowCount, 0) }
        let parsed: Result<(header: [String]?, rows: Int, nextLine: Int), CSVError> = carry.withUnsafeBufferPointer {
            bytes in
            Result { () throws(CSVError) -> (header: [String]?, rows: Int, nextLine: Int) in
                let slice = UnsafeBufferPointer(rebasing: bytes[..<end])
                if !Self.isUTF8(slice) {
                    // Cut at a line feed, the slice ends on a character boundary.
                    if case .invalidUTF8(let line, let column) = ColumnarCSV.firstInvalidUTF8(slice) {
                        throw .invalidUTF8(line: line + firstLine - 1, column: column)
                    }
                }
                var parser = CSVParser(
                    bytes: slice,
                    firstLine: firstLine,
                    atStart: start
                )
                let header: [String]
                if let knownHeader {
                    header = knownHeader
                } else {
                    header = try parser.headerRecord()
                    announce(header)
                }
                let rows = try parser.rows(expected: header.count, limit: limit, row)
                return (header, rows, parser.currentLine)
            }
        }
        let header: [String]?
        let rows: Int
        let nextLine: Int
        do {
            (header, rows, nextLine) = try parsed.get()
        } catch {
            // The parser was given the rows still allowed; the message names the file's limit.
            if case .tooManyRows = error, let maxRows { throw .tooManyRows(limit: maxRows) }
            throw error
        }
        self.header = header
        rowCount += rows
        line = nextLine
        atStart = false
        carry.removeFirst(end)
        scanned -= end
        cut = 0
    }
}
