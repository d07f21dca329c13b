/// Memory that the iterations of one `DispatchQueue.concurrentPerform` call share: the one
/// place where the statistics and CSV code cross threads with a pointer.
///
/// The rule every user keeps (and states where it uses one): during a `concurrentPerform`
/// call, each element is either only read, or written by exactly one iteration and read by
/// no other one (iteration `i` writes element `i`; a CSV chunk writes only its own rows and
/// its own flags; a column's pass writes only that column); the caller reads the results
/// only after the call has returned, and the memory outlives the call (borrowed from an
/// array by ``Swift/Array/withParallelBuffer(_:)``, or allocated and freed by the caller
/// around the calls).
public struct ParallelBuffer<Element>: @unchecked Sendable {
    // @unchecked Sendable: the compiler cannot see that the iterations' indices are
    // disjoint. Under the rule above no element is accessed by two threads unless all of
    // them only read it, and concurrentPerform returns only after every iteration has
    // finished (which orders their writes before the caller's reads).

    /// The first element; nil only when there is none.
    public let baseAddress: UnsafeMutablePointer<Element>?
    /// How many elements there are.
    public let count: Int

    /// `count` elements from `start`, which must stay allocated while the buffer is used.
    public init(start: UnsafeMutablePointer<Element>, count: Int) {
        self.baseAddress = start
        self.count = count
    }

    /// The elements of `buffer`, which must stay allocated while the buffer is used.
    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        // An empty array may have no storage; no index is then valid.
        self.baseAddress = buffer.baseAddress
        self.count = buffer.count
    }

    /// Element `index`, read or written in place.
    public subscript(index: Int) -> Element {
        unsafeAddress {
            assert(index >= 0 && index < count, "ParallelBuffer index \(index) out of 0..<\(count)")
            return UnsafePointer(baseAddress.unsafelyUnwrapped + index)
        }
        nonmutating unsafeMutableAddress {
            assert(index >= 0 && index < count, "ParallelBuffer index \(index) out of 0..<\(count)")
            return baseAddress.unsafelyUnwrapped + index
        }
    }

    /// The elements from `offset` on (a chunk's row of a table laid out chunk by chunk).
    public func dropFirst(_ offset: Int) -> ParallelBuffer {
        guard let baseAddress else { return self }
        return ParallelBuffer(start: baseAddress + offset, count: count - offset)
    }
}

extension Array {
    /// Runs `body` with the array's elements as a ``ParallelBuffer`` for the iterations of
    /// a `concurrentPerform` call inside `body` to fill.
    public mutating func withParallelBuffer<Result>(
        _ body: (ParallelBuffer<Element>) throws -> Result
    ) rethrows -> Result {
        try withUnsafeMutableBufferPointer { buffer in try body(ParallelBuffer(buffer)) }
    }
}
