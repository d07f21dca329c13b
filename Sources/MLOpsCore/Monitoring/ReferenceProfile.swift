import Foundation

/// A production version's reference data, prepared once for many checks: numerical
/// columns sorted (the two-sample KS test walks sorted arrays), categorical columns and
/// segment columns counted. The daemon keeps one per stored artifact between checks.
public struct ReferenceProfile: Sendable {
    /// Reference rows.
    public var rows: Int
    /// Finite values of each numerical feature, sorted ascending, by feature name.
    /// Setting it prepares the columns again (`prepared`).
    public var numeric: [String: [Double]] {
        didSet { prepared = Self.prepare(numeric) }
    }
    /// The numerical columns prepared once for the checks (distinct values and their
    /// counts, PSI bins), by feature name. A column that is empty, holds a non-finite value
    /// or is not ascending has no entry; its tests then take the plain path (which gives no
    /// answer for such a column).
    public private(set) var prepared: [String: ReferenceColumn]
    /// Category counts of each categorical feature (missing values not counted).
    public var categorical: [String: [String: Int]]
    /// Value counts of each segment column (missing values not counted).
    public var segments: [String: [String: Int]]
    /// The label-free signals fitted on the same reference (outputs, estimator, PCA model);
    /// ``ReferenceSignals/none`` unless set.
    public var signals: ReferenceSignals = .none

    /// A profile from its parts (tests, and the builder below).
    public init(
        rows: Int,
        numeric: [String: [Double]],
        categorical: [String: [String: Int]],
        segments: [String: [String: Int]]
    ) {
        self.rows = rows
        self.numeric = numeric
        self.categorical = categorical
        self.segments = segments
        prepared = Self.prepare(numeric)
    }

    static func prepare(_ numeric: [String: [Double]]) -> [String: ReferenceColumn] {
        numeric.compactMapValues { ReferenceColumn(sorted: $0) }
    }

    /// The profile of a reference table that passed ``ReferenceData/check(_:spec:fileName:)``.
    /// Cells that are not finite numbers in a numerical column are left out.
    public init(table: CSVTable, spec: ModelSpec) {
        rows = table.rows.count
        var numeric: [String: [Double]] = [:]
        categorical = [:]
        segments = [:]
        for feature in spec.features {
            guard let index = table.column(feature.name) else { continue }
            switch feature.type {
            case .numerical:
                var values: [Double] = []
                values.reserveCapacity(table.rows.count)
                for row in table.rows {
                    if let value = Double(row[index]), value.isFinite { values.append(value) }
                }
                values.sort()
                numeric[feature.name] = values
            case .categorical:
                categorical[feature.name] = Self.count(table, index)
            }
        }
        for name in spec.segmentFields {
            if let index = table.column(name) { segments[name] = Self.count(table, index) }
        }
        self.numeric = numeric
        prepared = Self.prepare(numeric)
    }

    static func count(_ table: CSVTable, _ index: Int) -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in table.rows where !row[index].isEmpty { counts[row[index], default: 0] += 1 }
        return counts
    }
}

/// The latest predictions of a model, column by column in the model's order.
public struct MonitoringWindow: Sendable {
    /// Predictions in the window.
    public var count: Int
    /// One column per numerical feature (spec order); NaN is a missing value.
    public var numeric: [[Double]]
    /// One column per categorical feature (spec order); nil is a missing value.
    public var categorical: [[String?]]
    /// One column per segment field (equipment, then population); nil is unknown.
    public var segments: [[String?]]
    /// The prediction of each row.
    public var predictions: [String]
    /// The label of each row, when known.
    public var labels: [String?]
    /// The score of each row, when given (for roc_auc).
    public var scores: [Double?]
    /// A multiclass model's logged probabilities, one column per class of the version's
    /// reference outputs (``ReferenceSignals/classes``, in that order; NaN where a row has
    /// none); empty when not read (binary models, versions without outputs).
    public var classProbabilities: [[Double]] = []

    /// A window from its columns.
    public init(
        count: Int,
        numeric: [[Double]],
        categorical: [[String?]],
        segments: [[String?]],
        predictions: [String],
        labels: [String?],
        scores: [Double?]
    ) {
        self.count = count
        self.numeric = numeric
        self.categorical = categorical
        self.segments = segments
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
    }

    /// A window of records (tests and the offline tool).
    public init(records: [PredictionRecord], spec: ModelSpec) {
        let numericCount = spec.features.filter { $0.type == .numerical }.count
        let categoricalCount = spec.features.count - numericCount
        count = records.count
        numeric = (0..<numericCount).map { i in records.map { $0.numeric[i] } }
        categorical = (0..<categoricalCount).map { i in records.map { $0.categorical[i] } }
        segments = spec.segmentFields.indices.map { i in records.map { $0.segments[i] } }
        predictions = records.map(\.prediction)
        labels = records.map(\.label)
        scores = records.map(\.score)
    }

    /// One column per class of logged probabilities (one JSON object text per row, as the
    /// store keeps them), for ``classProbabilities``; NaN where a row has none or lacks the
    /// class.
    /// A flat object of plain keys and numbers (what the store writes) is scanned directly;
    /// anything else (escapes, nesting) goes through `JSONSerialization`.
    public static func probabilityColumns(_ texts: [String?], classes: [String]) -> [[Double]] {
        var columns = [[Double]](repeating: [Double](repeating: .nan, count: texts.count), count: classes.count)
        let names = classes.map { Array($0.utf8) }
        var values = [Double](repeating: .nan, count: classes.count)
        for (r, text) in texts.enumerated() {
            guard var text else { continue }
            for c in values.indices { values[c] = .nan }
            let scanned = text.withUTF8 { scanFlatObject($0, names: names, into: &values) }
            if scanned {
                for c in values.indices { columns[c][r] = values[c] }
                continue
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                continue
            }
            for (c, name) in classes.enumerated() {
                if let value = object[name] as? NSNumber { columns[c][r] = value.doubleValue }
            }
        }
        return columns
    }

    /// Scans `{"key": number, …}` whose keys have no escape; `values[c]` gets the number of
    /// `names[c]`. False when the text is anything else (the caller then parses it fully).
    static func scanFlatObject(
        _ bytes: UnsafeBufferPointer<UInt8>,
        names: [[UInt8]],
        into values: inout [Double]
    ) -> Bool {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        var i = 0
        let n = bytes.count
        func skipSpace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
        skipSpace()
        guard i < n, bytes[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        if i < n, bytes[i] == UInt8(ascii: "}") { return true }
        var number = [CChar](repeating: 0, count: 64)
        while true {
            skipSpace()
            guard i < n, bytes[i] == quote else { return false }
            i += 1
            let keyStart = i
            while i < n, bytes[i] != quote {
                if bytes[i] == backslash { return false }
                i += 1
            }
            guard i < n else { return false }
            let key = UnsafeBufferPointer(rebasing: bytes[keyStart..<i])
            i += 1
            skipSpace()
            guard i < n, bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            let valueStart = i
            while i < n, i - valueStart < 63 {
                let b = bytes[i]
                guard
                    (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-")
                        || b == UInt8(ascii: "+")
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                else { break }
                number[i - valueStart] = CChar(bitPattern: b)
                i += 1
            }
            guard i > valueStart else { return false }
            number[i - valueStart] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = number.withUnsafeMutableBufferPointer { buffer -> Double? in
                guard let base = buffer.baseAddress else { return nil }
                let parsed = strtod(base, &end)
                return end == base + (i - valueStart) ? parsed : nil
            }
            guard let value else { return false }
            if let c = names.firstIndex(where: { $0.elementsEqual(key) }) { values[c] = value }
            skipSpace()
            guard i < n else { return false }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "}") else { return false }
            i += 1
            skipSpace()
            return i == n
        }
    }
}
