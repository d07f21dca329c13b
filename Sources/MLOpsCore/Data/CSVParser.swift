/// The byte-level state machine behind ``CSVTable/parse(_:maxRows:maxColumns:)`` and
/// ``CSVRecordStream``.
///
/// Works on the UTF-8 bytes: every delimiter is ASCII, so a field's bytes between
/// delimiters are valid UTF-8 whenever the text is. Columns (in characters, for messages)
/// are counted incrementally from the last one computed on the line, so asking for the
/// column of every field of a line costs one pass over it, not one pass per field.
struct CSVParser {
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    private var index = 0
    /// The 1-based line of `index`.
    private var line = 1
    /// The offset where the current line starts (for columns).
    private var lineStart = 0
    /// Reused between quoted fields.
    private var scratch: [UInt8] = []
    /// Bytes looked at so far (fields read, and bytes scanned to compute columns).
    private(set) var examined = 0
    /// The last column computed on the current line: its offset and its 1-based column.
    private var knownOffset = 0
    private var knownColumn = 1

    /// A parser of `bytes` whose first byte is on line `firstLine`; `atStart`: the bytes
    /// begin the text, so a leading byte-order mark is dropped (``CSVRecordStream`` parses
    /// a text in pieces that each end at a record's end).
    init(bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1, atStart: Bool = true) {
        self.bytes = bytes
        self.line = firstLine
        if atStart && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            index = 3
            lineStart = 3
            knownOffset = 3
        }
    }

    /// Where a field started, for header errors.
    struct Position {
        var line: Int
        var column: Int
    }

    mutating func table(maxRows: Int?) throws(CSVError) -> CSVTable {
        let header = try headerRecord()
        var rows: [[String]] = []
        var rowLines: [Int] = []
        try self.rows(expected: header.count, limit: maxRows) { fields, line in
            rows.append(fields)
            rowLines.append(line)
        }
        return CSVTable(header: header, rows: rows, rowLines: rowLines)
    }

    /// Reads the header record: every name present and distinct.
    mutating func headerRecord() throws(CSVError) -> [String] {
        guard index < bytes.count else { throw .emptyHeader }
        var headerPositions: [Position]? = []
        let (header, _) = try record(positions: &headerPositions)
        let positions = headerPositions ?? []
        var seen: Set<String> = []
        for (name, position) in zip(header, positions) {
            if name.isEmpty { throw .emptyColumnName(line: position.line, column: position.column) }
            if !seen.insert(name).inserted {
                throw .duplicateColumn(name: name, line: position.line, column: position.column)
            }
        }
        return header
    }

    /// Reads data records to the end of the bytes, each of `expected` fields, handing each
    /// to `body` with the line it starts on; more than `limit` records is an error.
    /// Returns how many records were read.
    @discardableResult
    mutating func rows(
        expected: Int,
        limit: Int?,
        _ body: ([String], Int) -> Void
    ) throws(CSVError) -> Int {
        var count = 0
        var noPositions: [Position]? = nil
        while index < bytes.count {
            if let limit, count >= limit { throw .tooManyRows(limit: limit) }
            let (fields, start) = try record(positions: &noPositions)
            guard fields.count == expected else {
                throw .wrongFieldCount(line: start, expected: expected, found: fields.count)
            }
            count += 1
            body(fields, start)
        }
        return count
    }

    /// The line the next record starts on.
    var currentLine: Int { line }

    /// Reads one record and its line terminator (or the end of the text); returns the
    /// fields and the line the record starts on. Field positions are collected when
    /// `positions` is not nil (the header only: columns cost a scan of the line).
    private mutating func record(positions: inout [Position]?) throws(CSVError) -> ([String], Int) {
        let start = line
        let first = bytes[index]
        if first == Self.lf || (first == Self.cr && index + 1 < bytes.count && bytes[index + 1] == Self.lf) {
            throw .blankLine(line: line)
        }
        var fields: [String] = []
        while true {
            positions?.append(Position(line: line, column: column(at: index)))
            fields.append(try field())
            if index == bytes.count { return (fields, start) }
            switch bytes[index] {
            case Self.comma:
                index += 1
            case Self.cr:
                // field() only stops at a CR followed by LF.
                index += 2
                newLine()
                return (fields, start)
            default:
                index += 1
                newLine()
                return (fields, start)
            }
        }
    }

    /// Reads one field, leaving `index` on its terminator (comma, CR LF, LF) or the end.
    private mutating func field() throws(CSVError) -> String {
        if index < bytes.count && bytes[index] == Self.quote { return try quotedField() }
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if b == Self.comma || b == Self.lf { break }
            if b == Self.cr {
                if index + 1 < bytes.count && bytes[index + 1] == Self.lf { break }
                throw .bareCarriageReturn(line: line, column: column(at: index))
            }
            if b == Self.quote { throw .quoteInUnquotedField(line: line, column: column(at: index)) }
            index += 1
        }
        examined &+= index - start + 1
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func quotedField() throws(CSVError) -> String {
        let openLine = line
        let openColumn = column(at: index)
        index += 1
        let segmentStart = index
        scratch.removeAll(keepingCapacity: true)
        var segment = index
        while true {
            guard index < bytes.count else { throw .unterminatedQuote(line: openLine, column: openColumn) }
            let b = bytes[index]
            if b == Self.quote {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<index]))
                if index + 1 < bytes.count && bytes[index + 1] == Self.quote {
                    scratch.append(Self.quote)
                    index += 2
                    segment = index
                    continue
                }
                index += 1
                break
            }
            index += 1
            if b == Self.lf { newLine() }
        }
        examined &+= index - segmentStart
        if index < bytes.count {
            let b = bytes[index]
            let endsLine = b == Self.lf || (b == Self.cr && index + 1 < bytes.count && bytes[index + 1] == Self.lf)
            if b != Self.comma && !endsLine { throw .textAfterQuote(line: line, column: column(at: index)) }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Called with `index` just past a line feed.
    private mutating func newLine() {
        line += 1
        lineStart = index
        knownOffset = index
        knownColumn = 1
    }

    /// The 1-based column of `offset` on the current line, in Unicode scalars: counted on
    /// from the last column computed on the line (offsets only grow within a line), so the
    /// columns of all fields of a line cost one pass over it.
    private mutating func column(at offset: Int) -> Int {
        var count = knownColumn
        var i = knownOffset
        if offset < knownOffset {
            count = 1
            i = lineStart
        }
        examined &+= offset - i
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        knownOffset = offset
        knownColumn = count
        return count
    }
}
