/// SplitMix64, a small seeded random generator whose output is fixed by its seed on every
/// platform and toolchain.
///
/// Training must be reproducible: the same data, parameters and seed give the same
/// validation split, the same reference sample and so the same model and metrics. The
/// standard library's generators are not seedable, and its bounded-integer algorithms may
/// change between releases, so the trainer draws only through ``next()`` and
/// ``next(below:)`` defined here.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (`bound` ≥ 1), without modulo bias: draws that
    /// fall in the incomplete last block of 2⁶⁴ are rejected.
    public mutating func next(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates), drawing with ``next(below:)``.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { items.swapAt(i, j) }
        }
    }
}
