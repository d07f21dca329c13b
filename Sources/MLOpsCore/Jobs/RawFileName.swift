/// A spool entry's name as the bytes the kernel gave, for names a `String` cannot carry
/// faithfully: not valid UTF-8, or holding a control character (U+0000–U+001F, U+007F,
/// U+0080–U+009F).
///
/// Such a file must still get exactly one result (docs/reliability.md). The daemon claims
/// it by its bytes into `active/` under ``activeName`` (hidden, so no submitter's file can
/// ever carry that name there, and reversible, so a restart after a crash knows the file
/// again), rejects it with `invalid_id` under ``derivedID`` and retires it to
/// `failed/<derivedID>` (docs/spool.md (File names)).
public struct RawFileName: Sendable, Equatable {
    /// The name's bytes; only the first ``keptBytes`` when ``truncated``.
    public let bytes: [UInt8]
    /// Whether the name was longer than ``maxWholeBytes`` and `bytes` holds its beginning.
    public let truncated: Bool
    /// The first 16 hex digits of the SHA-256 of the whole name.
    public let digest: String

    /// Names up to this many bytes are kept whole in ``activeName``.
    public static let maxWholeBytes = 110
    /// How many bytes a longer name keeps in ``activeName`` (and shows in messages).
    public static let keptBytes = 96
    /// Names up to this many bytes have a ``derivedID`` of all their bytes in hex (the id
    /// alphabet allows 128 characters).
    public static let maxIDBytes = 61
    /// How many bytes a longer name's ``derivedID`` shows before its digest.
    public static let idPrefixBytes = 48
    /// The prefix of ``activeName``.
    public static let activePrefix = ".invalid-name."

    /// What is wrong with a name.
    public enum Problem: Sendable, Equatable {
        /// A byte sequence that is not UTF-8 (overlong, lone continuation, Latin-1...).
        case notUTF8
        /// A control character, the first one's scalar value.
        case controlCharacter(UInt32)
    }

    /// The name `bytes` as a whole.
    public init(_ bytes: [UInt8]) {
        let truncated = bytes.count > Self.maxWholeBytes
        self.init(
            kept: truncated ? Array(bytes.prefix(Self.keptBytes)) : bytes,
            truncated: truncated,
            digest: String(SHA256.hex(bytes).prefix(16))
        )
    }

    private init(kept: [UInt8], truncated: Bool, digest: String) {
        self.bytes = kept
        self.truncated = truncated
        self.digest = digest
    }

    /// The name ``activeName`` stands for, or nil when `activeName` is not one.
    public init?(activeName: String) {
        guard activeName.hasPrefix(Self.activePrefix) else { return nil }
        let rest = activeName.dropFirst(Self.activePrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard rest.count == 1 || rest.count == 2, let decoded = Self.unhex(rest[0]), !decoded.isEmpty else {
            return nil
        }
        if rest.count == 2 {
            guard decoded.count == Self.keptBytes, rest[1].count == 16, Self.unhex(rest[1]) != nil else { return nil }
            self.init(kept: decoded, truncated: true, digest: String(rest[1]))
        } else {
            guard decoded.count <= Self.maxWholeBytes else { return nil }
            self.init(decoded)
        }
    }

    /// What is wrong with the name `bytes`; nil for a name a `String` carries faithfully.
    public static func problem(_ bytes: [UInt8]) -> Problem? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .notUTF8 }
        if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            return .controlCharacter(control.value)
        }
        return nil
    }

    /// Whether a name is never read, by its bytes: hidden, a temp file or an editor backup
    /// (as `Spool.isIgnored` for a `String`).
    public static func isIgnored(_ bytes: [UInt8]) -> Bool {
        bytes.first == 0x2E || bytes.last == 0x7E || bytes.count >= 4 && Array(bytes.suffix(4)) == Array(".tmp".utf8)
    }

    /// What is wrong with this name (of its kept bytes, enough to tell the first problem).
    public var problem: Problem? { Self.problem(bytes) }

    /// The name in `active/`: ``activePrefix``, the bytes in hex, and for a truncated name
    /// `.` and the digest. At most 14 + 220 bytes, within NAME_MAX.
    public var activeName: String {
        Self.activePrefix + Self.hex(bytes) + (truncated ? "." + digest : "")
    }

    /// The job id: `name-` and the bytes in hex; for a name over ``maxIDBytes`` bytes, the
    /// first ``idPrefixBytes`` in hex, `-` and the digest. Always a valid id.
    public var derivedID: String {
        if !truncated && bytes.count <= Self.maxIDBytes { return "name-" + Self.hex(bytes) }
        return "name-" + Self.hex(bytes.prefix(Self.idPrefixBytes)) + "-" + digest
    }

    /// The name for people: printable characters as they are, `\n`, `\t`, `\r`, `\\`, and
    /// `\xNN` for every other control character and every byte that is not UTF-8; `…` at
    /// the end of a truncated name.
    public var escaped: String {
        var out = ""
        var rest = bytes[...]
        while let first = rest.first {
            let length = Self.sequenceLength(rest)
            if length > 0, let scalarText = String(validating: rest.prefix(length), as: UTF8.self),
                let scalar = scalarText.unicodeScalars.first, scalar.properties.generalCategory != .control
            {
                out += scalar == "\\" ? "\\\\" : scalarText
                rest = rest.dropFirst(length)
                continue
            }
            if length > 0, let scalarText = String(validating: rest.prefix(length), as: UTF8.self) {
                // A control character: the short escapes, else its bytes.
                switch scalarText {
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default: out += rest.prefix(length).map(Self.hexEscape).joined()
                }
                rest = rest.dropFirst(length)
                continue
            }
            out += Self.hexEscape(first)
            rest = rest.dropFirst()
        }
        return truncated ? out + "…" : out
    }

    /// The problem in words, for the result's message.
    public var problemDescription: String {
        switch problem {
        case .notUTF8: return "is not valid UTF-8"
        // A long name whose problem lies past the bytes kept.
        case nil: return "is not valid UTF-8 or holds a control character"
        case .controlCharacter(let value):
            let hex = String(value, radix: 16, uppercase: true)
            return "holds a control character (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
        }
    }

    private static func hexEscape(_ byte: UInt8) -> String { "\\x" + Self.hex([byte]) }

    /// The length of the UTF-8 sequence `bytes` begins with, judged by its first byte only
    /// (validation decides whether it really is one); 0 for a byte that begins none.
    private static func sequenceLength(_ bytes: ArraySlice<UInt8>) -> Int {
        guard let first = bytes.first else { return 0 }
        let length: Int
        switch first {
        case 0x00...0x7F: length = 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        return bytes.count >= length ? length : 0
    }

    /// Lower-case hex of `bytes`.
    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func unhex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: return digit - 0x30
        case 0x61...0x66: return digit - 0x61 + 10
        default: return nil
        }
    }
}
