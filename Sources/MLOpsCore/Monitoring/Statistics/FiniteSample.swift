/// A numerical column made ready for the tests of this directory: non-finite values removed
/// (and counted), the rest sorted ascending.
///
/// The statistics expect finite numbers. A missing value parsed as NaN, or an overflow
/// giving ±infinity, is not an observation of the feature's distribution; dropping it
/// silently would hide a data problem, so the count of dropped values travels with the
/// sample for the caller to report. The monitor keeps the reference columns in this form
/// between checks (docs/design.md §8), so each check only sorts its window.
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

    /// The order-preserving key of a finite value: keys compare as the values do, and
    /// −0.0 gets +0.0's key (they are equal).
    @inline(__always) static func key(_ value: Double) -> UInt64 {
        let pattern = (value + 0.0).bitPattern
        return pattern & (1 << 63) != 0 ? ~pattern : pattern | (1 << 63)
    }

    /// Calls `body` with the keys (`key(_:)`) of the finite `values`, ascending; the buffer
    /// lives only during the call.
    ///
    /// Three radix passes order the keys by their top 33 bits (sign, exponent and 21
    /// mantissa bits: only values within about 5e-7 of each other, relatively, share
    /// them); an insertion sort then orders the keys within each run of equal top bits.
    /// In continuous data such runs rarely hold two different values, and equal values are
    /// equal keys that need no move, so this costs about half the six passes of a full
    /// sort. When the insertion sort would move more than 4 keys per key (e.g. large values
    /// written with many decimals), the keys as they stand get the full six-pass LSD sort.
    static func withSortedKeys<R>(_ values: [Double], _ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        let capacity = Swift.max(values.count, 1)
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        let spare = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: radixBuckets)
        defer {
            keys.deallocate()
            spare.deallocate()
            counts.deallocate()
        }
        var count = 0
        values.withUnsafeBufferPointer { v in
            for value in v {
                // Written always, kept only when finite: no branch.
                let k = key(value)
                keys[count] = k
                count &+= value.isFinite ? 1 : 0
            }
        }
        if count < threshold {
            var sorted = UnsafeMutableBufferPointer(start: keys, count: count)
            sorted.sort()
            return body(UnsafeBufferPointer(sorted))
        }
        var source = keys
        var target = spare
        for shift in [31, 42, 53] { radixPass(&source, &target, count: count, shift: UInt64(shift), counts: counts) }
        if !insertionSort(source, count: count, maximumMoves: 4 * count) {
            for shift in [0, 11, 22, 33, 44, 55] {
                radixPass(&source, &target, count: count, shift: UInt64(shift), counts: counts)
            }
        }
        return body(UnsafeBufferPointer(start: source, count: count))
    }

    /// 11-bit digits.
    static let radixBuckets = 1 << 11

    /// One stable counting pass of LSD radix sort on the 11-bit digit at `shift`, from
    /// `source` into `target`, which then swap. Skipped when every key has the same digit.
    static func radixPass(
        _ source: inout UnsafeMutablePointer<UInt64>,
        _ target: inout UnsafeMutablePointer<UInt64>,
        count: Int,
        shift: UInt64,
        counts: UnsafeMutablePointer<Int>
    ) {
        let mask = UInt64(radixBuckets - 1)
        counts.initialize(repeating: 0, count: radixBuckets)
        for index in 0..<count { counts[Int((source[index] &>> shift) & mask)] &+= 1 }
        if counts[Int((source[0] &>> shift) & mask)] == count { return }
        var offset = 0
        for digit in 0..<radixBuckets {
            let c = counts[digit]
            counts[digit] = offset
            offset &+= c
        }
        for index in 0..<count {
            let k = source[index]
            let digit = Int((k &>> shift) & mask)
            target[counts[digit]] = k
            counts[digit] &+= 1
        }
        swap(&source, &target)
    }

    /// Sorts `keys` in place by insertion; false (keys partly sorted) as soon as it would
    /// move more than `maximumMoves` keys.
    static func insertionSort(_ keys: UnsafeMutablePointer<UInt64>, count: Int, maximumMoves: Int) -> Bool {
        var moves = 0
        var index = 1
        while index < count {
            let k = keys[index]
            if keys[index &- 1] > k {
                var position = index
                while position > 0 && keys[position &- 1] > k {
                    keys[position] = keys[position &- 1]
                    position &-= 1
                }
                keys[position] = k
                moves &+= index &- position
                if moves > maximumMoves { return false }
            }
            index &+= 1
        }
        return true
    }

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
