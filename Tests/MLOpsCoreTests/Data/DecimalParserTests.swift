import Foundation
import Testing

@testable import MLOpsCore

@Suite struct DecimalParserTests {
    /// strtod's answer when it consumes the whole text, else nil.
    static func strtodWhole(_ text: String) -> Double? {
        text.withCString { pointer -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(pointer, &end)
            guard let end, end - UnsafeMutablePointer(mutating: pointer) == text.utf8.count, !text.isEmpty else {
                return nil
            }
            return value
        }
    }

    /// The fast path alone (Clinger), when it accepts the whole text.
    static func fast(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes -> Double? in
            guard let base = bytes.baseAddress, let (value, end) = DecimalParser.fastPrefix(base, 0, bytes.count),
                end == bytes.count
            else { return nil }
            return value
        }
    }

    /// Random decimal text of the shapes CSV writers produce: 1–20 significant digits,
    /// leading and trailing zeros, a point anywhere, exponents from −40 to 40, signs.
    static func randomDecimal(_ rng: inout SeededGenerator) -> String {
        var text = ""
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: text += "-"
        case 1: text += "+"
        default: break
        }
        let digits = Int.random(in: 1...20, using: &rng)
        var body = String(
            repeating: "0",
            count: Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 1...4, using: &rng) : 0
        )
        for _ in 0..<digits { body += String(Int.random(in: 0...9, using: &rng)) }
        if Bool.random(using: &rng) { body += String(repeating: "0", count: Int.random(in: 0...5, using: &rng)) }
        let point = Int.random(in: 0...(body.count + 1), using: &rng)
        if point <= body.count && Int.random(in: 0..<5, using: &rng) != 0 {
            body.insert(".", at: body.index(body.startIndex, offsetBy: point))
        }
        if body == "." { body = "0" }
        text += body
        if Int.random(in: 0..<3, using: &rng) == 0 {
            text += Bool.random(using: &rng) ? "e" : "E"
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: text += "-"
            case 1: text += "+"
            default: break
            }
            text += String(Int.random(in: 0...40, using: &rng))
        }
        return text
    }

    @Test func fastPathIsBitForBitStrtodOnRandomDecimalText() {
        var rng = SeededGenerator(seed: 41)
        var fastCount = 0
        var checked = 0
        for _ in 0..<300_000 {
            let text = Self.randomDecimal(&rng)
            guard let expected = Self.strtodWhole(text) else { continue }
            checked += 1
            if let fast = Self.fast(text) {
                fastCount += 1
                #expect(fast.bitPattern == expected.bitPattern, "\(text): fast \(fast) strtod \(expected)")
            }
            let parsed = DecimalParser.parse(text)
            #expect(
                parsed?.bitPattern == expected.bitPattern,
                "\(text): \(String(describing: parsed)) strtod \(expected)"
            )
        }
        print(
            "DecimalParser: \(checked) random decimal texts equal to strtod bit for bit, \(fastCount) by the fast path"
        )
        #expect(fastCount > checked / 3, "the fast path should take most ordinary text (\(fastCount) of \(checked))")
    }

    @Test func shortestAndFixedRenderingsOfRandomDoublesReadBackExactlyAsStrtod() {
        var rng = SeededGenerator(seed: 42)
        for index in 0..<100_000 {
            let value: Double
            switch index % 3 {
            case 0:
                value = Double(
                    bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1150, using: &rng) << 52)
                )
            case 1: value = rng.normal() * 1000
            default: value = (rng.normal() * 1e4).rounded() / 1e4
            }
            for text in [
                value.description, String(format: "%.4f", value), String(format: "%.17g", value),
                String(format: "%.6e", value),
            ] {
                guard let expected = Self.strtodWhole(text) else {
                    Issue.record("strtod refused \(text)")
                    continue
                }
                let parsed = DecimalParser.parse(text)
                #expect(
                    parsed?.bitPattern == expected.bitPattern,
                    "\(text): \(String(describing: parsed)) strtod \(expected)"
                )
            }
        }
    }

    @Test func acceptsWhatStrtodConsumesWhollyExceptWhiteSpaceAndHexadecimal() {
        var rng = SeededGenerator(seed: 43)
        let alphabet = Array("0123456789.eE+-")
        for _ in 0..<200_000 {
            let length = Int.random(in: 1...8, using: &rng)
            let text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            let expected = Self.strtodWhole(text)
            let parsed = DecimalParser.parse(text)
            #expect(
                parsed?.bitPattern == expected?.bitPattern,
                "\(text.debugDescription): \(String(describing: parsed)) strtod \(String(describing: expected))"
            )
        }
        for text in ["nan", "NaN", "inf", "-Infinity", "1e400", "-1e400", "4.9e-324", "1e-400"] {
            #expect(DecimalParser.parse(text)?.bitPattern == Self.strtodWhole(text)?.bitPattern, "\(text)")
        }
        for text in ["", " 1", "\t2", "0x10", "0X1p3", "1 ", "1,5", "abc", "1e", "--1", ".", "e5", "1.2.3"] {
            #expect(DecimalParser.parse(text) == nil, "\(text.debugDescription) is not a number here")
        }
        #expect(DecimalParser.parse("-0")?.bitPattern == (-0.0).bitPattern)
        #expect(DecimalParser.parse("-0.000e5")?.bitPattern == (-0.0).bitPattern)
    }
}
