/// Builds HTML (and the XML-compatible polyglot the reports are written in) into one growing
/// buffer: every element closed, void elements self-closed, attribute values quoted, and
/// every piece of user text escaped. Model, column and category names and alert messages can
/// hold anything, so nothing from the data is ever appended unescaped.
public struct HTMLWriter: Sendable {
    /// The text written so far.
    public private(set) var text: String

    /// An empty writer; `capacity` reserves room for a document of about that many bytes.
    public init(capacity: Int = 0) {
        text = ""
        text.reserveCapacity(capacity)
    }

    /// `value` with `&`, `<`, `>`, `"` and `'` replaced by entities, and characters XML 1.0
    /// does not allow (control characters other than tab and line breaks, U+FFFE, U+FFFF)
    /// replaced by U+FFFD, so the result is safe both as element text and as an attribute value.
    public static func escape(_ value: String) -> String {
        var out = ""
        escape(value, into: &out)
        return out
    }

    /// Appends `value`, escaped as ``escape(_:)`` says, to `out`.
    public static func escape(_ value: String, into out: inout String) {
        guard value.utf8.contains(where: needsWork) else {
            out += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// Whether a UTF-8 byte may need escaping or replacing (0xEF starts U+FFFE and U+FFFF).
    private static func needsWork(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 || byte == 0xEF
    }

    /// Appends markup written by the report itself (never user text).
    public mutating func raw(_ markup: String) {
        text += markup
    }

    /// Appends user text, escaped.
    public mutating func text(_ value: String) {
        Self.escape(value, into: &text)
    }

    /// Opens `tag` with its attributes (values escaped).
    public mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        text += "<"
        text += tag
        appendAttributes(attributes)
        text += ">"
    }

    /// Closes `tag`.
    public mutating func close(_ tag: String) {
        text += "</"
        text += tag
        text += ">"
    }

    /// `<tag …>text</tag>` with `value` escaped.
    public mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ value: String) {
        open(tag, attributes)
        text(value)
        close(tag)
    }

    /// `<tag>text</tag>` with `value` escaped.
    public mutating func element(_ tag: String, _ value: String) {
        element(tag, [], value)
    }

    /// A void element written self-closed (`<meta … />`), valid as HTML5 and as XML.
    public mutating func void(_ tag: String, _ attributes: [(String, String)] = []) {
        text += "<"
        text += tag
        appendAttributes(attributes)
        text += " />"
    }

    /// A table with a caption, a header row and body rows; every cell is user text. The first
    /// cell of each row is a row header (`<th scope="row">`) when `rowHeaders` is set. It
    /// sits in its own scrolling box (`table-scroll`, expanded on paper) unless `scrolls` is
    /// false, for a table the caller puts in a box of its own. A table of at most
    /// ``keepRows`` rows is marked `keep`: on paper it moves whole to the next page rather
    /// than split; a longer one runs over pages, its header repeated.
    public mutating func table(
        caption: String?,
        header: [String],
        rows: [[String]],
        rowHeaders: Bool = false,
        cssClass: String = "numbers",
        scrolls: Bool = true
    ) {
        if scrolls { open("div", [("class", "table-scroll")]) }
        open("table", [("class", rows.count <= Self.keepRows ? cssClass + " keep" : cssClass)])
        if let caption { element("caption", caption) }
        raw("<thead><tr>")
        for cell in header { element("th", [("scope", "col")], cell) }
        raw("</tr></thead><tbody>")
        for row in rows {
            raw("<tr>")
            for (index, cell) in row.enumerated() {
                if index == 0 && rowHeaders {
                    element("th", [("scope", "row")], cell)
                } else {
                    raw("<td>")
                    text(cell)
                    raw("</td>")
                }
            }
            raw("</tr>")
        }
        raw("</tbody></table>")
        if scrolls { close("div") }
    }

    /// The most rows of a table kept on one page when printed.
    public static let keepRows = 30

    private mutating func appendAttributes(_ attributes: [(String, String)]) {
        for (name, value) in attributes {
            text += " "
            text += name
            text += "=\""
            Self.escape(value, into: &text)
            text += "\""
        }
    }
}
