/// The seeded, stratified split of a training set into rows to fit on and rows to measure
/// on, and the seeded sample of fitted rows kept as reference data.
///
/// Stratified: each class gives `round(share × its rows)` rows to validation, but always
/// keeps at least one for training, so that a rare class is still learnt. The shuffle is
/// one Fisher–Yates pass over all rows with ``SplitMix64`` seeded by the `seed` parameter;
/// the reference sample continues the same generator. Row lists are in file order.
public struct DataSplit: Sendable, Equatable {
    /// Rows fitted on (indices into the data, ascending).
    public var train: [Int]
    /// Rows held out for the metrics (ascending).
    public var validation: [Int]
    /// Rows written to `reference.csv`: all training rows, or a seeded sample of
    /// `referenceRows` of them (ascending).
    public var reference: [Int]

    /// Splits rows whose classes are `labels` (class indices).
    public static func make(labels: [Int], validationShare: Double, seed: UInt64, referenceRows: Int) -> DataSplit {
        var rng = SplitMix64(seed: seed)
        var order = Array(labels.indices)
        rng.shuffle(&order)
        var perClass: [Int: Int] = [:]
        for y in labels { perClass[y, default: 0] += 1 }
        var quota: [Int: Int] = [:]
        for (y, count) in perClass {
            quota[y] = Swift.min(count - 1, Int((validationShare * Double(count)).rounded()))
        }
        var isValidation = [Bool](repeating: false, count: labels.count)
        for i in order {
            let y = labels[i]
            if let q = quota[y], q > 0 {
                isValidation[i] = true
                quota[y] = q - 1
            }
        }
        let train = labels.indices.filter { !isValidation[$0] }
        let validation = labels.indices.filter { isValidation[$0] }
        var reference = train
        if train.count > referenceRows {
            // Partial Fisher–Yates: the first `referenceRows` of a shuffle.
            var pool = train
            for i in 0..<referenceRows {
                let j = i + rng.next(below: pool.count - i)
                pool.swapAt(i, j)
            }
            reference = pool[0..<referenceRows].sorted()
        }
        return DataSplit(train: train, validation: validation, reference: reference)
    }
}
