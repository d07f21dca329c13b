/// A CSV text parsed strictly by RFC 4180: a header row naming the columns, then rows of
/// exactly as many fields.
///
/// Training sets, prediction batches and labels arrive as CSV. A lenient reader turns a
/// stray quote or a missing comma into shifted columns that surface later as nonsense
/// statistics; this one refuses them with the line and column to fix (``CSVError``).
/// Accepted: fields separated by commas; quoted fields (`"…"`) holding commas, line breaks
/// and doubled quotes (`""`); lines ending in LF or CRLF; an optional final line break; a
/// leading UTF-8 byte-order mark (dropped). Refused: an empty or duplicate column name, a
/// row with another number of fields, a quote inside an unquoted field, text after a closing
/// quote, a lone carriage return outside quotes, an empty line. No I/O: the caller reads
/// the file (and caps its size).
public struct CSVTable: Sendable, Equatable {
    /// The column names, in file order.
    public var header: [String]
    /// The data rows; each has `header.count` fields.
    public var rows: [[String]]
    /// For each row, the 1-based line of the text where it starts (a quoted field with a
    /// line break makes a row span several lines), so later checks can point at the row.
    public var rowLines: [Int]

    /// A table from its parts (for building one in code; ``parse(_:maxRows:)`` for text).
    public init(header: [String], rows: [[String]], rowLines: [Int]) {
        self.header = header
        self.rows = rows
        self.rowLines = rowLines
    }

    /// Parses `text`; with `maxRows`, more data rows than that is an error
    /// (``CSVError/tooManyRows(limit:)``) found before the rest is parsed; with
    /// `maxColumns`, a header of more columns than that is an error
    /// (``CSVError/tooManyColumns(found:limit:)``) found before any row is parsed, by one
    /// pass over the header line (``CSVColumnCount``).
    ///
    /// The work is linear in the text's size however wide the file: each byte is read a
    /// constant number of times (columns for messages are counted incrementally).
    public static func parse(_ text: String, maxRows: Int? = nil, maxColumns: Int? = nil) throws(CSVError) -> CSVTable {
        try parseCountingWork(text, maxRows: maxRows, maxColumns: maxColumns).0
    }

    /// Parses like ``parse(_:maxRows:)`` and also returns how many bytes the parser looked
    /// at (each read of a byte counts once): the tests pin that this stays within a small
    /// multiple of the text's size, however wide the file.
    static func parseCountingWork(
        _ text: String,
        maxRows: Int? = nil,
        maxColumns: Int? = nil
    ) throws(CSVError) -> (CSVTable, Int) {
        var text = text
        let result: Result<(CSVTable, Int), CSVError> = text.withUTF8 { bytes in
            Result { () throws(CSVError) -> (CSVTable, Int) in
                if let maxColumns {
                    let found = CSVColumnCount.count(bytes).columns
                    if found > maxColumns { throw .tooManyColumns(found: found, limit: maxColumns) }
                }
                var parser = CSVParser(bytes: bytes)
                let table = try parser.table(maxRows: maxRows)
                return (table, parser.examined)
            }
        }
        return try result.get()
    }

    /// The index of the column called `name`, or nil when there is none.
    public func column(_ name: String) -> Int? {
        header.firstIndex(of: name)
    }
}
