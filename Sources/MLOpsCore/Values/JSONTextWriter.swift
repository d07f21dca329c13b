import Foundation

/// Writes a ``JSONValue`` as JSON text with exactly the bytes `JSONEncoder` gives with
/// ``Foundation/JSONEncoder/mlopsPretty`` or ``Foundation/JSONEncoder/mlopsCompact``, several
/// times faster: `JSONEncoder` boxes every value of the tree again and sorts every object's
/// keys through generic code, which was a third of a large `monitoring-history` job's time.
///
/// The rules it follows are swift-foundation's `JSONWriter` for `[.sortedKeys,
/// .withoutEscapingSlashes]` (with `.prettyPrinted` for ``Layout/pretty``):
/// - keys sorted by their UTF-8 bytes;
/// - pretty: `"key" : value`, one member per line indented by two spaces per level, and an
///   empty object or array as its brackets around an empty line (`{\n\n}`);
/// - strings: `"` and `\` escaped, `\b \f \n \r \t`, other control characters as `\u00xx`
///   (lowercase hex), everything else (slashes, non-ASCII, U+2028) as its UTF-8 bytes;
/// - `.int` in decimal; `.double` as its `description` without a trailing `.0` (`3`, `0.1`,
///   `1e-05`, `1e+16`, `-0`); a NaN or infinity is a ``Problem/nonFiniteNumber(_:path:)``, as
///   `JSONEncoder` refuses it;
/// - containers nested 512 deep are ``Problem/nestedTooDeeply(path:)``, as `JSONEncoder`
///   refuses them.
///
/// `JSONTextWriterTests` pins all of it against `JSONEncoder` on thousands of random trees.
public struct JSONTextWriter {
    /// How the text is laid out.
    public enum Layout: Sendable {
        /// As ``Foundation/JSONEncoder/mlopsPretty``: one member per line, indented.
        case pretty
        /// As ``Foundation/JSONEncoder/mlopsCompact``: one line, no spaces.
        case compact
    }

    /// Why a value has no JSON text (the same values `JSONEncoder` refuses).
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// A NaN or an infinity (given as text: `nan`, `inf`, `-inf`) at `path` (`""` for the
        /// top level, else like `checks[3].psi`).
        case nonFiniteNumber(String, path: String)
        /// Arrays and objects nested 512 deep, first at `path`.
        case nestedTooDeeply(path: String)

        public var description: String {
            switch self {
            case .nonFiniteNumber(let number, let path):
                return "JSON has no number \(number)" + (path.isEmpty ? "" : " (at \(path))")
            case .nestedTooDeeply(let path):
                return "JSON text nests arrays and objects at most \(JSONTextWriter.maximumDepth - 1) deep"
                    + (path.isEmpty ? "" : " (too deep at \(path))")
            }
        }

        /// The same problem seen from the container holding it under `key`.
        func inside(key: String) -> Problem {
            within { $0.isEmpty || $0.hasPrefix("[") ? key + $0 : key + "." + $0 }
        }

        /// The same problem seen from the array holding it at `index`.
        func inside(index: Int) -> Problem {
            within { "[\(index)]" + ($0.isEmpty || $0.hasPrefix("[") ? $0 : "." + $0) }
        }

        private func within(_ prefix: (String) -> String) -> Problem {
            switch self {
            case .nonFiniteNumber(let number, let path): return .nonFiniteNumber(number, path: prefix(path))
            case .nestedTooDeeply(let path): return .nestedTooDeeply(path: prefix(path))
            }
        }
    }

    /// The nesting depth `JSONEncoder` refuses: a container inside 511 others.
    static let maximumDepth = 512

    /// The text written so far (UTF-8).
    public private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    private var indent = 0

    /// A writer with an empty buffer that lays values out as `layout` says.
    public init(layout: Layout) {
        pretty = layout == .pretty
    }

    /// The text of `value` laid out as `layout` says: the bytes
    /// `JSONEncoder.mlopsPretty.encode(value)` (or `mlopsCompact`) gives.
    public static func data(_ value: JSONValue, layout: Layout) throws(Problem) -> Data {
        var writer = JSONTextWriter(layout: layout)
        try writer.write(value)
        return Data(writer.bytes)
    }

    /// The text of `value` as a `String` (see ``data(_:layout:)``).
    public static func string(_ value: JSONValue, layout: Layout) throws(Problem) -> String {
        var writer = JSONTextWriter(layout: layout)
        try writer.write(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends the text of `value` to ``bytes``.
    public mutating func write(_ value: JSONValue) throws(Problem) {
        try write(value, depth: 0)
    }

    private mutating func write(_ value: JSONValue, depth: Int) throws(Problem) {
        switch value {
        case .null: append("null")
        case .bool(let b): b ? append("true") : append("false")
        case .int(let i): writeInteger(i)
        case .double(let d): try writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let elements): try writeArray(elements, depth: depth + 1)
        case .object(let members): try writeObject(members, depth: depth + 1)
        }
    }

    private mutating func writeArray(_ elements: [JSONValue], depth: Int) throws(Problem) {
        guard depth < Self.maximumDepth else { throw .nestedTooDeeply(path: "") }
        bytes.append(UInt8(ascii: "["))
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent += 1
        }
        for (index, element) in elements.enumerated() {
            if index > 0 {
                bytes.append(UInt8(ascii: ","))
                if pretty { bytes.append(UInt8(ascii: "\n")) }
            }
            if pretty { writeIndent() }
            do {
                try write(element, depth: depth)
            } catch {
                throw error.inside(index: index)
            }
        }
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent -= 1
            writeIndent()
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ members: [String: JSONValue], depth: Int) throws(Problem) {
        guard depth < Self.maximumDepth else { throw .nestedTooDeeply(path: "") }
        bytes.append(UInt8(ascii: "{"))
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent += 1
            if !members.isEmpty { writeIndent() }
        }
        // Sorting the positions, not the members, spares copying (and retaining) every value.
        var order = Array(members.indices)
        order.sort { Self.precedes(members[$0].key, members[$1].key) }
        var first = true
        for position in order {
            let (key, value) = members[position]
            if first {
                first = false
            } else if pretty {
                append(",\n")
                writeIndent()
            } else {
                bytes.append(UInt8(ascii: ","))
            }
            writeString(key)
            pretty ? append(" : ") : bytes.append(UInt8(ascii: ":"))
            do {
                try write(value, depth: depth)
            } catch {
                throw error.inside(key: key)
            }
        }
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent -= 1
            writeIndent()
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Whether `a` sorts before `b` by UTF-8 bytes, `JSONEncoder`'s `.sortedKeys` order (not
    /// `String`'s `<`, which differs for non-ASCII keys).
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                // Keys are short: a loop beats calling memcmp.
                let common = min(x.count, y.count)
                var index = 0
                while index < common {
                    if x[index] != y[index] { return x[index] < y[index] }
                    index += 1
                }
                return x.count < y.count
            }
        }
    }

    @inline(__always)
    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static let spaces: StaticString = "                                                                "

    private mutating func writeIndent() {
        var remaining = 2 * indent
        while remaining > 0 {
            let count = min(remaining, Self.spaces.utf8CodeUnitCount)
            bytes.append(contentsOf: UnsafeBufferPointer(start: Self.spaces.utf8Start, count: count))
            remaining -= count
        }
    }

    private mutating func writeInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    private mutating func writeDouble(_ value: Double) throws(Problem) {
        guard value.isFinite else { throw .nonFiniteNumber(value.description, path: "") }
        var text = value.description
        text.withUTF8 { utf8 in
            // "3.0" is written "3", as JSONEncoder does; "1e+16" and "0.5" stay as they are.
            let whole = utf8.count >= 2 && utf8[utf8.count - 2] == UInt8(ascii: ".") && utf8[utf8.count - 1] == 0x30
            bytes.append(contentsOf: whole ? UnsafeBufferPointer(rebasing: utf8.dropLast(2)) : utf8)
        }
    }

    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            var mark = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if index > mark { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<index])) }
                mark = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    append("u00")
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0xF))
                }
            }
            if utf8.count > mark { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
    }
}
