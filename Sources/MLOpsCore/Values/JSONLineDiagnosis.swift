/// Why one line of a JSON Lines file is not JSON, in words and with the column.
///
/// Foundation's decoder says only "the given data was not valid JSON" for NaN, for a
/// number that overflows (`1e400`), for 100,000 nested brackets and for a missing comma
/// alike. When it refuses a line, the daemon reads the line again with this strict scanner,
/// which stops at the first problem and names it: a non-finite number, nesting deeper than
/// ``maxDepth``, a bad string, an unexpected character, or text after the value. Values it
/// quotes go through ``EchoedValue``.
public enum JSONLineDiagnosis {
    /// The deepest nesting of lists and mappings a line may have (Foundation's decoder's
    /// own limit: it refuses a 513th level).
    public static let maxDepth = 512

    /// The first problem of a line: its 1-based column (in characters) and what it is.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        /// 1-based column, in characters of the line.
        public var column: Int
        /// What is wrong there.
        public var message: String

        public init(column: Int, message: String) {
            self.column = column
            self.message = message
        }

        /// `column 7: …`.
        public var description: String { "column \(column): \(message)" }
    }

    /// The first problem of `line`, or nil when the scanner finds none (the line is JSON).
    public static func diagnose(_ line: some StringProtocol) -> Finding? {
        let bytes = Array(line.utf8)
        var scanner = Scanner(bytes: bytes)
        do throws(Scanner.Stop) {
            scanner.skipSpace()
            try scanner.value(depth: 1)
            scanner.skipSpace()
            if scanner.index < bytes.count {
                throw Scanner.Stop(
                    at: scanner.index,
                    "text after the end of the JSON value: "
                        + EchoedValue.quoted(String(decoding: bytes[scanner.index...], as: UTF8.self), limit: 20)
                        + " (one JSON object per line)"
                )
            }
            return nil
        } catch {
            let prefix = String(decoding: bytes[..<min(error.offset, bytes.count)], as: UTF8.self)
            return Finding(column: prefix.count + 1, message: error.message)
        }
    }

    /// A recursive-descent reader of one JSON value that stops at the first problem.
    struct Scanner {
        /// Where and why the scan stopped.
        struct Stop: Error {
            var offset: Int
            var message: String
            init(at offset: Int, _ message: String) {
                self.offset = offset
                self.message = message
            }
        }

        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        /// The text from `start` to the end of the word there (letters, digits, `+-._`).
        func word(from start: Int) -> String {
            var end = start
            while end < bytes.count, Self.isWordByte(bytes[end]) { end += 1 }
            if end == start { end = min(start + 1, bytes.count) }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        static func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2B
                || b == 0x2D || b == 0x2E || b == 0x5F
        }

        mutating func value(depth: Int) throws(Stop) {
            guard let b = current else { throw Stop(at: index, "the line ends where a value was expected") }
            switch b {
            case 0x7B, 0x5B:
                guard depth <= JSONLineDiagnosis.maxDepth else {
                    throw Stop(
                        at: index,
                        "lists and mappings nest deeper than \(JSONLineDiagnosis.maxDepth) levels "
                            + "(a record is a mapping of columns to values)"
                    )
                }
                if b == 0x7B { try object(depth: depth) } else { try array(depth: depth) }
            case 0x22: try string()
            case 0x2D, 0x30...0x39: try number()
            default: try literal()
            }
        }

        mutating func object(depth: Int) throws(Stop) {
            index += 1
            skipSpace()
            if current == 0x7D {
                index += 1
                return
            }
            while true {
                guard current == 0x22 else {
                    throw unexpected("a key in double quotes")
                }
                try string()
                skipSpace()
                guard current == 0x3A else { throw unexpected("`:` after the key") }
                index += 1
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == 0x2C {
                    index += 1
                    skipSpace()
                    // A trailing comma, as Foundation's decoder accepts it.
                    if current == 0x7D {
                        index += 1
                        return
                    }
                    continue
                }
                guard current == 0x7D else { throw unexpected("`,` or `}`") }
                index += 1
                return
            }
        }

        mutating func array(depth: Int) throws(Stop) {
            index += 1
            skipSpace()
            if current == 0x5D {
                index += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                skipSpace()
                if current == 0x2C {
                    index += 1
                    skipSpace()
                    if current == 0x5D {
                        index += 1
                        return
                    }
                    continue
                }
                guard current == 0x5D else { throw unexpected("`,` or `]`") }
                index += 1
                return
            }
        }

        /// The problem "expected X" at the current byte.
        func unexpected(_ expected: String) -> Stop {
            guard current != nil else { return Stop(at: index, "the line ends where \(expected) was expected") }
            return Stop(at: index, "expected \(expected), found \(EchoedValue.quoted(word(from: index), limit: 20))")
        }

        mutating func string() throws(Stop) {
            let start = index
            index += 1
            while let b = current {
                switch b {
                case 0x22:
                    index += 1
                    return
                case 0x5C:
                    let escape = index
                    index += 1
                    guard let e = current else { break }
                    switch e {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: index += 1
                    case 0x75:
                        let hex = bytes[(index + 1)..<min(index + 5, bytes.count)]
                        guard hex.count == 4,
                            hex.allSatisfy({
                                UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0
                                    || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0
                                    || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0
                            })
                        else {
                            throw Stop(at: escape, "`\\u` must be followed by four hexadecimal digits")
                        }
                        index += 5
                    default:
                        throw Stop(
                            at: escape,
                            "\(EchoedValue.quoted("\\" + word(from: index).prefix(1))) is not a JSON escape "
                                + "(\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
                        )
                    }
                case 0x00..<0x20:
                    throw Stop(
                        at: index,
                        "a control character (\(EchoedValue.escaped(String(UnicodeScalar(b))))) inside a string "
                            + "must be written as an escape"
                    )
                default: index += 1
                }
            }
            throw Stop(at: start, "the string that begins here has no closing `\"`")
        }

        mutating func number() throws(Stop) {
            let start = index
            let text = word(from: start)
            index = start + text.utf8.count
            if text == "-Infinity" || text == "-inf" || text == "-NaN" {
                throw Stop(at: start, Self.nonFinite(text))
            }
            guard Self.isJSONNumber(Array(text.utf8)) else {
                throw Stop(at: start, "\(EchoedValue.quoted(text, limit: 40)) is not a JSON number")
            }
            guard let value = Double(text), value.isFinite else {
                throw Stop(
                    at: start,
                    "the number \(EchoedValue.quoted(text, limit: 40)) is out of range: it overflows a 64-bit "
                        + "floating-point number (largest about 1.8e308)"
                )
            }
        }

        mutating func literal() throws(Stop) {
            let start = index
            let text = word(from: start)
            switch text {
            case "true", "false", "null":
                index = start + text.utf8.count
            case "NaN", "nan", "Infinity", "+Infinity", "inf", "+inf":
                throw Stop(at: start, Self.nonFinite(text))
            default:
                throw Stop(
                    at: start,
                    "expected a value (an object, list, string, number, true, false or null), found "
                        + EchoedValue.quoted(text, limit: 20)
                )
            }
        }

        static func nonFinite(_ text: String) -> String {
            "\(EchoedValue.quoted(text)) is not a finite number: JSON has no NaN or Infinity "
                + "(write null for a missing value)"
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        static func isJSONNumber(_ b: [UInt8]) -> Bool {
            var i = 0
            func digits() -> Int {
                let s = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                return i - s
            }
            if i < b.count, b[i] == 0x2D { i += 1 }
            guard i < b.count else { return false }
            if b[i] == 0x30 {
                i += 1
            } else if digits() == 0 {
                return false
            }
            if i < b.count, b[i] == 0x2E {
                i += 1
                guard digits() > 0 else { return false }
            }
            if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
                i += 1
                if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
                guard digits() > 0 else { return false }
            }
            return i == b.count
        }
    }
}
