/// One logged prediction, checked against its model's schema and laid out in the model's
/// column order, ready to store (DESIGN §8).
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
    public init(id: String, at: String, numeric: [Double], categorical: [String?], segments: [String?], prediction: String,
                score: Double? = nil, probabilities: JSONValue? = nil, variant: String? = nil, label: String? = nil) {
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
        var values: [String?] = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { $0 == "\u{1E}" ? nil : String($0) }
        while values.count < count { values.append(nil) }
        return Array(values.prefix(count))
    }
}
