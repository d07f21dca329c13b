import Foundation

/// What the `validate_data` stage found in a data set (``DataValidation``): the figures it
/// measured and every rule the data breaks, so that one run tells the user everything to
/// fix rather than the first problem only.
///
/// It is the stage's result and is stored with the pipeline run; the JSON keys
/// (``json()``) are snake_case: `passed`, `rows`, `columns`, `missing_share`,
/// `missing_count`, `class_counts`, `class_shares`, `violations`.
public struct DataValidationReport: Sendable, Equatable, Codable {
    /// One broken rule: which, about which column, in words with the numbers, and where.
    public struct Violation: Sendable, Equatable, Codable {
        /// The rule a violation breaks; the raw value is the key of ``DataRules`` it comes
        /// from, or the name of a check the model itself implies.
        public enum Rule: String, Sendable, Equatable, Codable, CaseIterable {
            /// A column the model needs (feature, target, segment) is not in the header.
            case columns
            /// Fewer rows than `min_rows`.
            case minRows = "min_rows"
            /// A numerical feature (or a regression target) holds a value that is not a
            /// finite number.
            case numbers
            /// A column has a larger share of missing cells than `max_missing_share`.
            case maxMissingShare = "max_missing_share"
            /// Numbers outside a column's range (`ranges`, or the feature's `min`/`max`).
            case ranges
            /// A categorical feature holds a value outside its declared `values`.
            case categories
            /// The labels cannot train the model: none, a single class, more than two for
            /// a binary model, or labels outside the declared `classes`.
            case classes
            /// More distinct labels than `max_class_count`.
            case maxClassCount = "max_class_count"
            /// A class holds a smaller share of the labelled rows than `min_class_share`.
            case minClassShare = "min_class_share"
        }

        /// The rule broken.
        public var rule: Rule
        /// The column it is about; nil for rules about the whole data set (`min_rows`).
        public var column: String?
        /// What is wrong, with the numbers, in one sentence.
        public var message: String
        /// How many rows break the rule, when it is about rows.
        public var count: Int?
        /// The first offending rows (at most ``DataValidation/maxLinesPerViolation``), as
        /// 1-based line numbers in the file (the header is line 1).
        public var lines: [Int]

        /// A violation.
        public init(rule: Rule, column: String? = nil, message: String, count: Int? = nil, lines: [Int] = []) {
            self.rule = rule
            self.column = column
            self.message = message
            self.count = count
            self.lines = lines
        }
    }

    /// Whether the data passes every rule (``violations`` is empty).
    public var passed: Bool
    /// Data rows (the header does not count).
    public var rows: Int
    /// The header's column names, in file order.
    public var columns: [String]
    /// Per model column present in the data (features, target, segments), the share of
    /// missing cells (0 when there are no rows).
    public var missingShare: [String: Double]
    /// Per model column present in the data, the number of missing cells.
    public var missingCount: [String: Int]
    /// Per class, its labelled rows: the declared classes (with 0 when absent) and every
    /// label seen. Empty for regression or when the target is missing.
    public var classCounts: [String: Int]
    /// Per class, its share of the labelled rows.
    public var classShares: [String: Double]
    /// Every broken rule, in a fixed order: missing columns, row count, then per column
    /// (in the model's order) numbers, missing share, ranges and categories, then labels.
    public var violations: [Violation]

    /// A report from its parts; `passed` follows from `violations`.
    public init(
        rows: Int,
        columns: [String],
        missingShare: [String: Double],
        missingCount: [String: Int],
        classCounts: [String: Int],
        classShares: [String: Double],
        violations: [Violation]
    ) {
        self.passed = violations.isEmpty
        self.rows = rows
        self.columns = columns
        self.missingShare = missingShare
        self.missingCount = missingCount
        self.classCounts = classCounts
        self.classShares = classShares
        self.violations = violations
    }

    /// The violations of one rule.
    public func violations(of rule: Violation.Rule) -> [Violation] {
        violations.filter { $0.rule == rule }
    }

    /// The report as a ``JSONValue`` (the stage's result), with the snake_case keys of its
    /// Codable form. Throws only if a number were not finite, which the validation never
    /// produces.
    public func json() throws -> JSONValue {
        try JSONValue(encoding: self)
    }

    enum CodingKeys: String, CodingKey {
        case passed, rows, columns, violations
        case missingShare = "missing_share"
        case missingCount = "missing_count"
        case classCounts = "class_counts"
        case classShares = "class_shares"
    }
}
