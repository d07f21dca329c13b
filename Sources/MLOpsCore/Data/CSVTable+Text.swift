extension CSVTable {
    /// The table as CSV text that ``parse(_:maxRows:)`` reads back to an equal table:
    /// LF line ends, a final line break, and a field quoted (its quotes doubled) only when
    /// it holds a comma, a quote, a line break or a carriage return, or when it is the only
    /// field of its row and empty (a bare empty line would be refused as blank).
    public var text: String {
        var out = ""
        func line(_ fields: [String]) {
            for (i, field) in fields.enumerated() {
                if i > 0 { out += "," }
                out += Self.quoted(field, alone: fields.count == 1)
            }
            out += "\n"
        }
        line(header)
        for row in rows { line(row) }
        return out
    }

    /// `field` as written in CSV.
    static func quoted(_ field: String, alone: Bool) -> String {
        let needsQuotes = field.utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13
        }
        if needsQuotes || (alone && field.isEmpty) {
            var out = "\""
            for ch in field {
                if ch == "\"" { out += "\"\"" } else { out.append(ch) }
            }
            return out + "\""
        }
        return field
    }
}
