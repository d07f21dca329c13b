/// Rows of encoded model inputs, stored row-major in one buffer: what the objective and
/// the predictions multiply with the weights.
struct DesignMatrix: Sendable {
    /// Number of rows.
    let rows: Int
    /// Inputs per row.
    let columns: Int
    /// `rows × columns` values, row by row.
    var values: [Double]

    /// Encodes `rows` (feature values in the encodings' order) with `encodings`.
    init(_ rows: [[FeatureValue]], encodings: [FeatureEncoding]) {
        let widths = encodings.map(\.width)
        let offsets = widths.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }
        let columns = offsets[offsets.count - 1]
        let lookups = encodings.map(\.categoryIndex)
        self.rows = rows.count
        self.columns = columns
        var values = [Double](repeating: 0, count: rows.count * columns)
        values.withUnsafeMutableBufferPointer { buffer in
            for (r, row) in rows.enumerated() {
                for (f, encoding) in encodings.enumerated() where f < row.count {
                    encoding.encode(row[f], into: buffer, at: r * columns + offsets[f], lookup: lookups[f])
                }
            }
        }
        self.values = values
    }
}
