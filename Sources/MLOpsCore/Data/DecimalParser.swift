import Foundation

/// Decimal text to `Double`, fast and correctly rounded, for reading large numerical CSV
/// files (`mlopsctl drift` reads millions of cells).
///
/// The fast path is Clinger's: the text `[+-]digits[.digits][(e|E)[+-]digits]` with at most
/// 19 significant digits whose integer mantissa w ≤ 2⁵³ and whose decimal exponent e has
/// |e| ≤ 22 is w · 10^e or w / 10^−e — both operands exactly representable, so the single
/// IEEE multiplication or division rounds correctly, to the same bits `strtod` gives.
/// Other texts of at most 19 significant digits (the 17-digit doubles numpy writes, large
/// exponents) take the Eisel–Lemire path (``EiselLemire``), also exact; every other text
/// (more digits, `inf`, `nan`, the rare case Eisel–Lemire cannot decide, …) goes to
/// `strtod`, which is correctly rounded too. Tests compare both with `strtod` bit for
/// bit on random inputs.
///
/// What counts as a number: exactly what `strtod` consumes completely, except text with
/// leading white space or a hexadecimal float (`0x…`), which are not numbers here (a CSV
/// writer never produces them for numbers, and a spreadsheet would call them text).
/// Overflow gives ±infinity and NaN text gives NaN: numbers, but not finite ones — the
/// statistics leave them out and count them as missing.
public enum DecimalParser {
    /// 10^e for 0 ≤ e ≤ 22, each exactly representable as a Double. A switch of constants
    /// rather than a static array: no lazy global and no reference counting per call.
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// The number that `bytes` spells, nil when it is not a number (see the type's
    /// description). An empty buffer is not a number.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        if let (value, end) = fastPrefix(base, 0, bytes.count), end == bytes.count { return value }
        return slow(base, bytes.count)
    }

    /// The number that `text` spells (a convenience over the UTF-8 bytes).
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Clinger's fast path on `base[start..<end]`: the value and the index just after the
    /// number, or nil when the text there does not start with a number of the fast form.
    /// The caller checks that the number ends where the field does.
    @inline(__always)
    static func fastPrefix(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
            negative = base[i] == UInt8(ascii: "-")
            i &+= 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits accumulated into `mantissa` once a non-zero one was seen
        var digits = 0  // all mantissa digits, leading zeros included
        var exponent = 0
        while i < end {
            let d = base[i] &- UInt8(ascii: "0")
            if d > 9 { break }
            if mantissa != 0 || d != 0 {
                significant &+= 1
                mantissa = mantissa &* 10 &+ UInt64(d)
            }
            digits &+= 1
            i &+= 1
        }
        if i < end && base[i] == UInt8(ascii: ".") {
            i &+= 1
            // Eight digits at a time once the first significant one is in (17-digit doubles).
            while mantissa != 0, significant &+ 8 <= 19, i &+ 8 <= end,
                let eight = eightDigits(UnsafeRawPointer(base + i))
            {
                mantissa = mantissa &* 100_000_000 &+ eight
                significant &+= 8
                digits &+= 8
                exponent &-= 8
                i &+= 8
            }
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if mantissa != 0 || d != 0 {
                    significant &+= 1
                    mantissa = mantissa &* 10 &+ UInt64(d)
                }
                digits &+= 1
                exponent &-= 1
                i &+= 1
            }
        }
        guard digits > 0, significant <= 19 else { return nil }
        if i < end && (base[i] | 0x20) == UInt8(ascii: "e") {
            i &+= 1
            var negativeExponent = false
            if i < end && (base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+")) {
                negativeExponent = base[i] == UInt8(ascii: "-")
                i &+= 1
            }
            var written = 0
            var exponentDigits = 0
            while i < end {
                let d = base[i] &- UInt8(ascii: "0")
                if d > 9 { break }
                if written < 100_000 { written = written &* 10 &+ Int(d) }
                exponentDigits &+= 1
                i &+= 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent &+= negativeExponent ? -written : written
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else {
            // More digits (17-digit doubles) or a larger exponent: Eisel–Lemire, else strtod.
            guard let value = EiselLemire.compute(mantissa, exponent) else { return nil }
            return (negative ? -value : value, i)
        }
        let w = Double(mantissa)
        let value = exponent < 0 ? w / powerOfTen(-exponent) : w * powerOfTen(exponent)
        return (negative ? -value : value, i)
    }

    /// The value of the eight ASCII digits at `p`, or nil when they are not all digits
    /// (SWAR: one 64-bit load, as fast_float's `parse_eight_digits_unrolled`).
    @inline(__always)
    static func eightDigits(_ p: UnsafeRawPointer) -> UInt64? {
        var value = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        guard ((value &+ 0x4646_4646_4646_4646) | (value &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0 else {
            return nil
        }
        value &-= 0x3030_3030_3030_3030
        value = (value &* 10) &+ (value >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let mul1: UInt64 = 0x000F_4240_0000_0064
        let mul2: UInt64 = 0x0000_2710_0000_0001
        return (((value & mask) &* mul1) &+ (((value >> 16) & mask) &* mul2)) >> 32
    }

    /// `strtod` on a NUL-terminated copy; nil unless it consumes every byte. (`strtod` reads
    /// `.` as the decimal point in the C locale, which is every program's locale until it
    /// calls `setlocale`; none of ours does.)
    static func slow(_ base: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard count > 0, count < 4096 else { return nil }
        let first = base[0]
        // strtod skips leading white space; a cell that starts with it is text here.
        if first == 0x20 || (first >= 0x09 && first <= 0x0D) { return nil }
        for k in 0..<count where base[k] | 0x20 == UInt8(ascii: "x") || base[k] == 0 { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            guard let copy = buffer.baseAddress else { return nil }
            for k in 0..<count { copy[k] = CChar(bitPattern: base[k]) }
            copy[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(copy, &end)
            guard let end, end - copy == count else { return nil }
            return value
        }
    }
}
