import Foundation
import Testing

@testable import MLOpsCore

/// The Eisel–Lemire path of ``DecimalParser`` gives the bits `strtod` gives, on a million
/// random doubles written with 17 significant digits (as numpy and pandas write them), on
/// random short decimals with exponents across the whole range, and on the hard cases:
/// halfway points, the largest and smallest doubles, overflow and underflow (issue 22).
@Suite struct EiselLemireTests {
    /// `strtod` of `text` (the reference).
    static func strtodValue(_ text: String) -> Double {
        text.withCString { strtod($0, nil) }
    }

    /// `value` written by `printf` with `format`.
    static func printed(_ value: Double, _ format: String) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            guard let base = buffer.baseAddress else { return "" }
            _ = withVaList([value]) { vsnprintf(base, 64, format, $0) }
            return String(cString: base)
        }
    }

    /// Whether the parser and strtod agree on `text`, bit for bit (NaN aside).
    static func agrees(_ text: String) -> Bool {
        guard let parsed = DecimalParser.parse(text) else { return false }
        return parsed.bitPattern == strtodValue(text).bitPattern
    }

    @Test func aMillionRandomDoublesWithSeventeenDigitsReadAsStrtodReadsThem() {
        var rng = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        var fastPath = 0
        let count = 1_000_000
        for n in 0..<count {
            // Random bit patterns: every exponent and sign, finite values only.
            var value = Double(bitPattern: rng.next())
            while !value.isFinite { value = Double(bitPattern: rng.next()) }
            let text = Self.printed(value, n % 2 == 0 ? "%.17g" : "%.16e")
            if !Self.agrees(text) {
                disagreements.append(text)
                if disagreements.count > 5 { break }
            }
            // How many the fast computation decides on its own (the rest went to strtod).
            if n % 100 == 0, Self.fastDecides(text) { fastPath += 1 }
        }
        #expect(disagreements.isEmpty, "parsed differently from strtod: \(disagreements)")
        #expect(fastPath >= count / 100 * 95 / 100, "the fast path decided only \(fastPath) of \(count / 100) samples")
    }

    /// Whether `text` is decided by the fast parser (Clinger or Eisel–Lemire) without strtod.
    static func fastDecides(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            guard let (_, end) = DecimalParser.fastPrefix(base, 0, bytes.count) else { return false }
            return end == bytes.count
        }
    }

    @Test func randomShortDecimalsAcrossTheWholeExponentRangeReadAsStrtodReadsThem() {
        var rng = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        for _ in 0..<300_000 {
            let digits = Int.random(in: 1...19, using: &rng)
            var mantissa = ""
            for d in 0..<digits { mantissa += String(Int.random(in: (d == 0 ? 1 : 0)...9, using: &rng)) }
            let exponent = Int.random(in: -360...330, using: &rng)
            let text = (Bool.random(using: &rng) ? "-" : "") + mantissa + "e" + String(exponent)
            if !Self.agrees(text) {
                disagreements.append(text)
                if disagreements.count > 5 { break }
            }
        }
        #expect(disagreements.isEmpty, "parsed differently from strtod: \(disagreements)")
    }

    @Test(arguments: [
        "9007199254740993", "9007199254740992", "9007199254740994", "9007199254740995",
        "18446744073709551615", "1844674407370955161", "1e23", "8.589973e9", "7.038531e-26",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "2.2250738585072012e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "5e-324",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "1e-400",
        "0.1", "0.2", "0.30000000000000004", "123456789012345678", "1.00000000000000011102230246251565404",
        "4.35679e-10", "9.999999999999999e22", "1.448997445238699", "0.000000000000000000000000000001",
        "3.0540412e5", "-0.0", "0.0000000000000000000000000000000000000000000001e46",
        "89255.0e-22", "2.225073858507201136057409796709131975934819546351645648e-308",
    ])
    func hardCasesReadAsStrtodReadsThem(text: String) {
        #expect(
            Self.agrees(text),
            "\(text): \(String(describing: DecimalParser.parse(text))) vs strtod \(Self.strtodValue(text))"
        )
    }

    @Test func eightDigitsAtOnceAreReadOnlyWhenAllEightAreDigits() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let value = UInt64.random(in: 0..<100_000_000, using: &rng)
            var bytes = Array(String(format: "%08llu", value).utf8)
            #expect(bytes.withUnsafeBytes { DecimalParser.eightDigits($0.baseAddress.unsafelyUnwrapped) } == value)
            // Any one byte that is not a digit (every byte value) makes it refuse.
            let position = Int.random(in: 0..<8, using: &rng)
            var other = UInt8.random(in: 0...255, using: &rng)
            while (48...57).contains(other) { other = UInt8.random(in: 0...255, using: &rng) }
            bytes[position] = other
            #expect(bytes.withUnsafeBytes { DecimalParser.eightDigits($0.baseAddress.unsafelyUnwrapped) } == nil)
        }
    }
}
