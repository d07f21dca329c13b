/// Decimal to binary64 for a mantissa of up to 19 digits and any exponent, correctly rounded,
/// without `strtod`: the Eisel–Lemire algorithm (Lemire, "Number Parsing at a Gigabyte per
/// Second", 2021), as fast_float and Go's `strconv` implement it.
///
/// `w · 10^q` is computed as `w · 5^q · 2^q` with a 128-bit approximation of `5^q`
/// (``DecimalParser/powersOfFive``): the high 64 bits of the product fix the 53-bit result
/// except in rare cases where the truncated bits could carry (nearly all ones) or the
/// value is exactly halfway; those return nil and the caller falls back to `strtod`, so the
/// result always has the bits `strtod` gives (checked on a million random doubles written
/// with 17 significant digits and the hard cases, `EiselLemireTests`). This is what makes
/// the 17-digit doubles numpy and pandas write as fast to read as short ones (issue 22).
enum EiselLemire {
    /// The double nearest to `w · 10^q` (w ≠ 0), or nil when the fast computation cannot
    /// decide the rounding (rare; the caller then uses `strtod`).
    @inline(__always)
    static func compute(_ w: UInt64, _ q: Int) -> Double? {
        if w == 0 { return 0 }
        if q < -342 { return 0 }
        if q > 308 { return .infinity }
        let lz = w.leadingZeroBitCount
        let wNorm = w << UInt64(lz)
        let index = 2 * (q + 342)
        let (high, low) = DecimalParser.powersOfFive.withUnsafeBufferPointer { table -> (UInt64, UInt64) in
            var (hi, lo) = wNorm.multipliedFullWidth(by: table[index])
            // 55 bits are needed (52 + 3): refine with the table's low word when the bits
            // below them are all ones (the truncated part could carry into them).
            let mask: UInt64 = 0x1FF  // UInt64.max >> 55
            if hi & mask == mask {
                let (secondHigh, _) = wNorm.multipliedFullWidth(by: table[index + 1])
                let (sum, carry) = lo.addingReportingOverflow(secondHigh)
                lo = sum
                if carry { hi &+= 1 }
            }
            return (hi, lo)
        }
        // Cannot tell whether the truncation hides a carry: let strtod decide.
        if low == UInt64.max && (q < -27 || q > 55) { return nil }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 64 - 52 - 3)
        var mantissa = high >> shift
        // binary exponent: floor(q · log2(10)) + 63, plus the normalisation
        var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upperBit - lz + 1023
        if power2 <= 0 {
            // Subnormal (or zero): strtod handles these rare values.
            return nil
        }
        // Exactly halfway between two doubles: round to even needs the exact value.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == high {
            mantissa &= ~UInt64(1)
        }
        mantissa &+= mantissa & 1
        mantissa >>= 1
        if mantissa >= (UInt64(2) << 52) {
            mantissa = UInt64(1) << 52
            power2 += 1
        }
        mantissa &= ~(UInt64(1) << 52)
        if power2 >= 0x7FF { return .infinity }
        return Double(bitPattern: (UInt64(power2) << 52) | mantissa)
    }
}
