/// The rules of the built-in `validate_data` pipeline stage (docs/design.md §7): what a data set
/// must satisfy before a model is trained on it.
///
/// They come from the `validate_data:` section of the administrator's pipeline definition,
/// validated by ``schema`` (unknown keys, wrong types and bad bounds are refused with their
/// line and column) and read with ``init(validated:)``. Every rule has a default, so an
/// empty section (or none) still checks the data:
///
/// | key | default | rule |
/// |---|---|---|
/// | `min_rows` | 50 | the data has at least this many rows |
/// | `max_missing_share` | 0.05 | per model column, at most this share of cells are missing (``isMissing(_:)``) |
/// | `ranges` | none | per column, every number lies in the closed range `[lo, hi]` |
/// | `min_class_share` | 0.01 | every class has at least this share of the labelled rows |
/// | `max_class_count` | 100 | the target has at most this many distinct labels |
///
/// A numerical feature's own `min`/`max` in the model spec also act as a range; an entry
/// in `ranges` replaces them.
public struct DataRules: Sendable, Equatable {
    /// Default of ``minRows``: fewer rows than this rarely train anything worth deploying.
    public static let defaultMinRows = 50
    /// Default of ``maxMissingShare``: 5% of a column.
    public static let defaultMaxMissingShare = 0.05
    /// Default of ``minClassShare``: a class under 1% of the rows is usually a labelling
    /// mistake, or too rare to learn.
    public static let defaultMinClassShare = 0.01
    /// Default of ``maxClassCount``: more distinct labels than this usually means the wrong
    /// column (an id, a free-text field) was named as the target.
    public static let defaultMaxClassCount = 100

    /// Fewest data rows (the header does not count).
    public var minRows: Int
    /// Per model column (features, target, segments), the largest share of missing cells
    /// allowed, in [0, 1].
    public var maxMissingShare: Double
    /// Per column, the closed range its numbers must lie in. Overrides the feature's
    /// `min`/`max` from the model spec.
    public var ranges: [String: ClosedRange<Double>]
    /// Every class must hold at least this share of the labelled rows (classification only).
    public var minClassShare: Double
    /// More distinct labels than this is a violation (classification only).
    public var maxClassCount: Int

    /// Rules with the documented defaults for whatever is not given.
    public init(
        minRows: Int = DataRules.defaultMinRows,
        maxMissingShare: Double = DataRules.defaultMaxMissingShare,
        ranges: [String: ClosedRange<Double>] = [:],
        minClassShare: Double = DataRules.defaultMinClassShare,
        maxClassCount: Int = DataRules.defaultMaxClassCount
    ) {
        self.minRows = minRows
        self.maxMissingShare = maxMissingShare
        self.ranges = ranges
        self.minClassShare = minClassShare
        self.maxClassCount = maxClassCount
    }

    /// Reads the value ``SchemaValidator`` produced from a `validate_data:` section checked
    /// against ``schema``. A key that is absent (or not of the schema's type, which the
    /// validator would have refused) takes its default, so `.null` or `.object([:])` give
    /// the default rules.
    public init(validated value: JSONValue) {
        var ranges: [String: ClosedRange<Double>] = [:]
        if case .object(let entries)? = value["ranges"] {
            for (column, bounds) in entries {
                guard case .array(let pair) = bounds, pair.count == 2, let lo = pair[0].doubleValue,
                    let hi = pair[1].doubleValue,
                    lo <= hi
                else { continue }
                ranges[column] = lo...hi
            }
        }
        self.init(
            minRows: value["min_rows"]?.intValue ?? Self.defaultMinRows,
            maxMissingShare: value["max_missing_share"]?.doubleValue ?? Self.defaultMaxMissingShare,
            ranges: ranges,
            minClassShare: value["min_class_share"]?.doubleValue ?? Self.defaultMinClassShare,
            maxClassCount: value["max_class_count"]?.intValue ?? Self.defaultMaxClassCount
        )
    }

    /// The schema of the `validate_data:` section of a pipeline definition. Besides each
    /// key's type and bounds, a range must have its lower bound first.
    public static let schema = ObjectSchema(
        [
            Field("min_rows", .int(min: 1), default: .int(defaultMinRows), doc: "fewest data rows"),
            Field(
                "max_missing_share",
                .double(min: 0, max: 1),
                default: .double(defaultMaxMissingShare),
                doc: "per model column, the largest share of missing (empty or NA) cells"
            ),
            Field(
                "ranges",
                .map(keys: .column, values: .list(.double(), minCount: 2, maxCount: 2)),
                doc: "per column, the closed range [lo, hi] its numbers must lie in"
            ),
            Field(
                "min_class_share",
                .double(min: 0, max: 1),
                default: .double(defaultMinClassShare),
                doc: "every class at least this share of the labelled rows"
            ),
            Field(
                "max_class_count",
                .int(min: 2),
                default: .int(defaultMaxClassCount),
                doc: "more distinct labels than this is an error"
            ),
        ],
        check: { value, node in
            guard case .object(let entries)? = value["ranges"] else { return [] }
            var errors: [JobError] = []
            for column in entries.keys.sorted() {
                guard case .array(let pair)? = entries[column], pair.count == 2,
                    let lo = pair[0].doubleValue, let hi = pair[1].doubleValue, lo > hi
                else { continue }
                let mark = node.pair("ranges")?.value.pair(column)?.value.mark ?? node.mark
                errors.append(
                    JobError(
                        .invalidValue,
                        "ranges.\(column) must be [lo, hi] with lo ≤ hi, not [\(lo), \(hi)]",
                        at: mark,
                        fix: "write [\(hi), \(lo)]"
                    )
                )
            }
            return errors
        }
    )

    /// The cell texts that count as missing, compared without regard to case after
    /// trimming spaces: the empty cell, `NA`, `N/A`, `NaN`, `null` and `None` (what pandas,
    /// R and spreadsheets write for "no value").
    public static let missingMarkers: Set<String> = ["", "na", "n/a", "nan", "null", "none"]

    /// Whether `cell` is a missing value (``missingMarkers``).
    public static func isMissing(_ cell: String) -> Bool {
        guard let first = cell.utf8.first else { return true }
        // Every marker starts with n or N (or the spaces around it): most cells stop here.
        guard
            first == UInt8(ascii: "n") || first == UInt8(ascii: "N") || first == UInt8(ascii: " ")
                || first == UInt8(ascii: "\t"),
            cell.utf8.count <= 16
        else { return false }
        var s = Substring(cell)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return missingMarkers.contains(s.lowercased())
    }
}
