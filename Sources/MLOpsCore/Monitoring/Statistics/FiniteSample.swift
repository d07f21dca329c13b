/// A numerical column made ready for the tests of this directory: non-finite values removed
/// (and counted), the rest sorted ascending.
///
/// The statistics expect finite numbers. A missing value parsed as NaN, or an overflow
/// giving ±infinity, is not an observation of the feature's distribution; dropping it
/// silently would hide a data problem, so the count of dropped values travels with the
/// sample for the caller to report. The monitor keeps the reference columns in this form
/// between checks (DESIGN §8), so each check only sorts its window.
public struct FiniteSample: Sendable, Equatable {
    /// The finite values, ascending.
    public let sorted: [Double]
    /// How many values were NaN or infinite and left out.
    public let dropped: Int

    /// Filters and sorts `values` (a radix sort, about three times faster than `sort()` at
    /// 10,000–100,000 values here, which matters when a check sorts 50 columns).
    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        dropped = values.count - finite.count
        sorted = RadixSort.sorted(finite)
    }

    /// Number of finite values.
    public var count: Int { sorted.count }
    /// True when no finite value is left.
    public var isEmpty: Bool { sorted.isEmpty }
}

/// Least-significant-digit radix sort of Doubles by their bit patterns (11-bit digits,
/// six passes), mapped so that unsigned order is numeric order: negative values have all
/// bits flipped, others only the sign bit. −0.0 sorts before +0.0 (they compare equal).
/// NaN is not expected here (callers filter it); it would land at one end.
enum RadixSort {
    /// Below this many values `sort()` is as fast and needs no buffers.
    static let threshold = 256

    /// `values` in ascending order.
    static func sorted(_ values: [Double]) -> [Double] {
        let count = values.count
        if count < threshold { return values.sorted() }
        let bits = 11
        let buckets = 1 << bits
        let mask: UInt64 = (1 << 11) - 1
        let passes = 6
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        let spare = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: passes * buckets)
        defer {
            keys.deallocate()
            spare.deallocate()
            counts.deallocate()
        }
        counts.initialize(repeating: 0, count: passes * buckets)
        // Keys, and all six digit histograms, in one pass.
        values.withUnsafeBufferPointer { v in
            for index in 0..<count {
                let pattern = v[index].bitPattern
                let key = pattern & (1 << 63) != 0 ? ~pattern : pattern | (1 << 63)
                keys[index] = key
                for pass in 0..<passes {
                    counts[pass &* buckets &+ Int((key &>> UInt64(pass &* bits)) & mask)] &+= 1
                }
            }
        }
        var source = keys
        var target = spare
        for pass in 0..<passes {
            let histogram = counts + pass * buckets
            // Exclusive prefix sums; a digit shared by every key would move nothing.
            var offset = 0
            var trivial = false
            for digit in 0..<buckets {
                let c = histogram[digit]
                if c == count {
                    trivial = true
                    break
                }
                histogram[digit] = offset
                offset &+= c
            }
            if trivial { continue }
            let shift = UInt64(pass * bits)
            for index in 0..<count {
                let key = source[index]
                let digit = Int((key &>> shift) & mask)
                target[histogram[digit]] = key
                histogram[digit] &+= 1
            }
            swap(&source, &target)
        }
        return [Double](unsafeUninitializedCapacity: count) { output, initialized in
            for index in 0..<count {
                let key = source[index]
                output[index] = Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
            }
            initialized = count
        }
    }
}
