/// Counts the columns of a CSV text's header in one pass over the header line, without
/// parsing it: the check behind `max_columns`, so a file with a million columns is refused
/// after reading its first line once, before any field or row is built.
///
/// The count follows ``CSVTable``'s rules: a comma inside a quoted field (which may span
/// lines) is not a separator; the header ends at the first line feed outside quotes. A
/// malformed header is counted as best it can be; ``CSVTable`` then names the problem.
enum CSVColumnCount {
    /// The header's number of fields (0 for an empty text) and the bytes examined (the
    /// header line and its line feed, after a byte-order mark).
    static func count(_ bytes: UnsafeBufferPointer<UInt8>) -> (columns: Int, examined: Int) {
        let comma = UInt8(ascii: ",")
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n")
        var i = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        let start = i
        guard i < bytes.count else { return (0, 0) }
        var columns = 1
        var quoted = false
        while i < bytes.count {
            let b = bytes[i]
            i &+= 1
            if b == quote {
                quoted.toggle()
            } else if !quoted {
                if b == comma {
                    columns &+= 1
                } else if b == lf {
                    break
                }
            }
        }
        return (columns, i - start)
    }
}
