/// Why a CSV text was refused, with the 1-based line and column of the problem and what to
/// change.
///
/// Data files named by jobs (training sets, prediction batches, labels) are read strictly
/// (RFC 4180): a file that a lenient reader would "repair" silently — a stray quote, a row
/// with one field too many — usually means the columns are not what the user thinks. The
/// message points at the spot so the user can fix the file rather than guess. Columns count
/// characters (Unicode scalars) from the start of the physical line.
public enum CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text has no header line (it is empty, or holds only a byte-order mark).
    case emptyHeader
    /// A header field is empty: every column needs a name.
    case emptyColumnName(line: Int, column: Int)
    /// A column name appears twice in the header.
    case duplicateColumn(name: String, line: Int, column: Int)
    /// A row has another number of fields than the header (the row starts on `line`).
    case wrongFieldCount(line: Int, expected: Int, found: Int)
    /// A quoted field opened at `line`:`column` is never closed.
    case unterminatedQuote(line: Int, column: Int)
    /// A `"` inside a field that does not start with a quote.
    case quoteInUnquotedField(line: Int, column: Int)
    /// Something other than a comma or the end of the line follows a closing quote.
    case textAfterQuote(line: Int, column: Int)
    /// A carriage return that is not followed by a line feed, outside quotes.
    case bareCarriageReturn(line: Int, column: Int)
    /// An empty line where a row should be.
    case blankLine(line: Int)
    /// More data rows than the caller allows.
    case tooManyRows(limit: Int)
    /// The header names more columns than the caller allows (`found` is exact: counting
    /// reads the header line only).
    case tooManyColumns(found: Int, limit: Int)
    /// Bytes that are not UTF-8 text, starting at `line`:`column` (readers of raw bytes,
    /// such as ``ColumnarCSV``; ``CSVTable`` takes a `String`).
    case invalidUTF8(line: Int, column: Int)

    /// The 1-based line of the problem, when it has one.
    public var line: Int? {
        switch self {
        case .emptyHeader, .tooManyColumns: return 1
        case .emptyColumnName(let line, _), .duplicateColumn(_, let line, _), .wrongFieldCount(let line, _, _),
            .unterminatedQuote(let line, _), .quoteInUnquotedField(let line, _), .textAfterQuote(let line, _),
            .bareCarriageReturn(let line, _), .blankLine(let line), .invalidUTF8(let line, _):
            return line
        case .tooManyRows: return nil
        }
    }

    /// The 1-based column (in characters) of the problem, when it has one.
    public var column: Int? {
        switch self {
        case .emptyColumnName(_, let column), .duplicateColumn(_, _, let column), .unterminatedQuote(_, let column),
            .quoteInUnquotedField(_, let column), .textAfterQuote(_, let column), .bareCarriageReturn(_, let column),
            .invalidUTF8(_, let column):
            return column
        case .emptyHeader, .wrongFieldCount, .blankLine, .tooManyRows, .tooManyColumns:
            return nil
        }
    }

    /// `line L, column C: what is wrong; what to do`.
    public var description: String {
        switch self {
        case .emptyHeader:
            return "line 1: the file is empty; its first line must name the columns, separated by commas"
        case .emptyColumnName(let line, let column):
            return "line \(line), column \(column): a column of the header has no name; name every column"
        case .duplicateColumn(let name, let line, let column):
            return
                "line \(line), column \(column): the column name '\(name)' appears twice in the header; rename one of them"
        case .wrongFieldCount(let line, let expected, let found):
            return "line \(line): this row has \(found) field\(found == 1 ? "" : "s") but the header has \(expected); "
                + "a value containing a comma must be quoted (\"a,b\"), and every row needs one value per column"
        case .unterminatedQuote(let line, let column):
            return "line \(line), column \(column): this quoted field is never closed; add the closing \" "
                + "(a quote inside a quoted field is written twice: \"\")"
        case .quoteInUnquotedField(let line, let column):
            return "line \(line), column \(column): a \" inside a field that is not quoted; quote the whole field "
                + "and double the quote (\"say \"\"hi\"\"\")"
        case .textAfterQuote(let line, let column):
            return "line \(line), column \(column): text after the closing quote of a field; "
                + "put the whole value inside the quotes, or a comma after the closing quote"
        case .bareCarriageReturn(let line, let column):
            return "line \(line), column \(column): a carriage return without a line feed; "
                + "end lines with LF or CRLF, or quote a value that contains a carriage return"
        case .blankLine(let line):
            return "line \(line): an empty line; remove it (a row whose only value is empty is written \"\")"
        case .tooManyRows(let limit):
            return "the file has more than \(limit) data rows; split it or raise the limit"
        case .tooManyColumns(let found, let limit):
            return "line 1: the header has \(found) columns; at most \(limit) are read (max_columns); "
                + "keep only the columns the job needs, or raise max_columns (mlopsctl drift: --max-columns)"
        case .invalidUTF8(let line, let column):
            return "line \(line), column \(column): bytes that are not UTF-8 text; save the file as UTF-8"
        }
    }
}
