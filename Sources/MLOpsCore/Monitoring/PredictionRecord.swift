/// One logged prediction, checked against its model's schema and laid out in the model's
/// column order, ready to store (docs/design.md §8).
public struct PredictionRecord: Sendable, Equatable {
    /// Unique per model; labels join on it.
    public var id: String
    /// When the prediction was made (RFC 3339 as the store writes it).
    public var at: String
    /// One value per numerical feature, in the model's order; NaN when missing.
    public var numeric: [Double]
    /// One value per categorical feature, in the model's order; nil when missing.
    public var categorical: [String?]
    /// One value per segment column (equipment, then population); nil when missing.
    public var segments: [String?]
    /// The predicted class, or the predicted number as text (regression).
    public var prediction: String
    /// A score or probability of the predicted (or positive) class, when given.
    public var score: Double?
    /// Class probabilities, when given (JSON object text, sorted keys).
    public var probabilities: JSONValue?
    /// The A/B arm (`champion`, `challenger`), when a test runs.
    public var variant: String?
    /// The true label, when it came with the prediction.
    public var label: String?

    /// A record; the parser makes these.
    public init(
        id: String,
        at: String,
        numeric: [Double],
        categorical: [String?],
        segments: [String?],
        prediction: String,
        score: Double? = nil,
        probabilities: JSONValue? = nil,
        variant: String? = nil,
        label: String? = nil
    ) {
        self.id = id
        self.at = at
        self.numeric = numeric
        self.categorical = categorical
        self.segments = segments
        self.prediction = prediction
        self.score = score
        self.probabilities = probabilities
        self.variant = variant
        self.label = label
    }

    /// The numerical features as the store keeps them: little-endian Float64, back to back.
    public var numericBlob: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(numeric.count * 8)
        for value in numeric {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Decodes a stored numeric BLOB into `count` values (NaN for missing bytes).
    public static func decodeNumeric(_ bytes: UnsafeRawBufferPointer, count: Int, into output: inout [Double]) {
        for i in 0..<count {
            let offset = i * 8
            guard offset + 8 <= bytes.count else {
                output.append(.nan)
                continue
            }
            let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            output.append(Double(bitPattern: UInt64(littleEndian: bits)))
        }
    }

    /// Decodes a stored numeric BLOB straight into one column per feature (appending one
    /// value to each; NaN where the BLOB is short): a window is built column by column
    /// without a row-major copy to transpose.
    public static func decodeNumeric(_ bytes: UnsafeRawBufferPointer, intoColumns columns: inout [[Double]]) {
        for i in columns.indices {
            let offset = i * 8
            if offset + 8 <= bytes.count {
                let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                columns[i].append(Double(bitPattern: UInt64(littleEndian: bits)))
            } else {
                columns[i].append(.nan)
            }
        }
    }

    /// Builds a window's numerical columns from stored BLOBs, one row at a time (the store
    /// hands them over row by row). Rows are copied whole into a small row-major block
    /// (a `memcpy` per BLOB on little-endian machines), and each full block is transposed
    /// into the columns with one bulk append per column, instead of an append per value.
    /// The columns are the same as ``decodeNumeric(_:intoColumns:)`` builds.
    public struct NumericColumnDecoder {
        /// Rows per block: 64 rows of 50 features are 25 KB, within a first-level cache.
        static let blockRows = 64
        let width: Int
        var columns: [[Double]]
        var block: [Double]
        var gathered: [Double]
        var filled = 0

        /// A decoder for `width` values per row, with room for `capacity` rows.
        public init(width: Int, capacity: Int) {
            self.width = Swift.max(width, 0)
            columns = Array(repeating: [], count: self.width)
            for index in columns.indices { columns[index].reserveCapacity(capacity) }
            block = Array(repeating: .nan, count: self.width * Self.blockRows)
            gathered = Array(repeating: .nan, count: Self.blockRows)
        }

        /// Appends the row stored as `bytes` (little-endian Float64 back to back); values
        /// the BLOB is too short for are NaN, extra bytes are ignored.
        public mutating func append(_ bytes: UnsafeRawBufferPointer) {
            let width = width
            let row = filled * width
            block.withUnsafeMutableBufferPointer { block in
                let available = Swift.min(bytes.count / 8, width)
                #if _endian(little)
                if available > 0, let source = bytes.baseAddress, let target = block.baseAddress {
                    UnsafeMutableRawPointer(target + row).copyMemory(from: source, byteCount: available * 8)
                }
                #else
                for i in 0..<available {
                    let bits = bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                    block[row + i] = Double(bitPattern: UInt64(littleEndian: bits))
                }
                #endif
                for i in available..<width { block[row + i] = .nan }
            }
            finishRow()
        }

        /// Appends a row without a BLOB: NaN (missing) for every value.
        public mutating func appendMissing() {
            let row = filled * width
            for i in 0..<width { block[row + i] = .nan }
            finishRow()
        }

        /// The columns, one per value of a row, each as long as the rows appended.
        public mutating func finish() -> [[Double]] {
            flush()
            let result = columns
            columns = Array(repeating: [], count: width)
            return result
        }

        mutating func finishRow() {
            filled += 1
            if filled == Self.blockRows { flush() }
        }

        /// Transposes the block's rows into the columns.
        mutating func flush() {
            guard filled > 0 else { return }
            let rows = filled
            let width = width
            block.withUnsafeBufferPointer { block in
                for column in 0..<width {
                    gathered.withUnsafeMutableBufferPointer { gathered in
                        for row in 0..<rows { gathered[row] = block[row * width + column] }
                    }
                    columns[column].append(contentsOf: gathered[0..<rows])
                }
            }
            filled = 0
        }
    }

    /// Text columns (categorical features, segments) as the store keeps them: values
    /// separated by U+001F, a missing value written as U+001E. The parser refuses control
    /// characters in values, so the encoding is unambiguous and decoding a 10,000-row
    /// window costs a split per row, not a JSON parse.
    public static func encodeText(_ values: [String?]) -> String {
        values.map { $0 ?? "\u{1E}" }.joined(separator: "\u{1F}")
    }

    /// The inverse of ``encodeText(_:)``, `count` values (missing ones nil).
    public static func decodeText(_ text: String, count: Int) -> [String?] {
        guard count > 0 else { return [] }
        var values: [String?] = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map {
            $0 == "\u{1E}" ? nil : String($0)
        }
        while values.count < count { values.append(nil) }
        return Array(values.prefix(count))
    }
}
