/// A value from a submitted file, made safe to quote in an error message.
///
/// Error messages land in result files, the journal and terminals: a value echoed as it
/// came could carry control characters (a U+001F that vanishes on screen, an escape
/// sequence that rewrites it, a newline that forges a log line) or be megabytes long.
/// Every value a message echoes goes through here: control characters are written as
/// `\n`, `\t`, `\r` or `\u001F`, a backslash as `\\`, and text longer than the limit is
/// cut with `…`.
public enum EchoedValue {
    /// The most characters of a value a message shows.
    public static let defaultLimit = 64

    /// `text` escaped and cut to `limit` characters, without quotes.
    public static func escaped(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        var out = ""
        var count = 0
        for character in text {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            for scalar in character.unicodeScalars {
                switch scalar.value {
                case 0x0A: out += "\\n"
                case 0x09: out += "\\t"
                case 0x0D: out += "\\r"
                case 0x5C: out += "\\\\"
                case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `text` escaped and cut (see ``escaped(_:limit:)``), between backquotes: `` `PA\u001F` ``.
    public static func quoted(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        "`" + escaped(text, limit: limit) + "`"
    }
}
