import Foundation

/// Turns submitted predictions (inline records, a JSONL file or a CSV file) into
/// ``PredictionRecord``s checked against the model's schema, or into problems that name
/// the row, the line and the column. No I/O: the daemon reads files, this checks them.
///
/// Rules (docs/monitoring.md):
/// - every record has an `id` (unique within the submission), a `prediction`, and every
///   feature and segment column of the model (a missing value is `null` in JSON, an empty
///   cell in CSV);
/// - numerical features are finite numbers; categorical features and segments are text;
/// - for classification models with declared classes, `prediction` and `label` are one of
///   them; for regression they are numbers;
/// - `timestamp` is RFC 3339 (default: the time of ingestion); `score` a finite number;
/// - JSON records may nest features under `features:` and segments under `segments:`, or
///   put every column at the top level; unknown keys are refused (with "did you mean");
///   unknown CSV columns are ignored and reported.
public struct PredictionParser: Sendable {
    /// One problem with a submission, as precise as the input allows.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// 1-based record number (data row in a CSV, line in JSONL, item inline).
        public var row: Int?
        /// 1-based line in the file, when there is a file.
        public var line: Int?
        /// The column or key the problem is in.
        public var column: String?
        /// What is wrong and what to write instead.
        public var message: String

        public init(row: Int?, line: Int?, column: String?, message: String) {
            self.row = row
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String {
            var place: [String] = []
            if let row { place.append("row \(row)" + (line.map { " (line \($0))" } ?? "")) }
            if let column { place.append("column \(EchoedValue.quoted(column))") }
            return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + message
        }
    }

    /// Keys a record may have besides the model's columns.
    public static let reservedKeys = ["id", "timestamp", "prediction", "score", "probabilities", "variant", "label"]
    /// The most problems listed; the rest are counted.
    public static let maxProblems = 20

    let spec: ModelSpec
    let now: String
    let numericalNames: [String]
    let categoricalNames: [String]
    let classes: Set<String>?

    /// A parser for `spec`'s columns; `now` (RFC 3339) stamps records without a timestamp.
    public init(spec: ModelSpec, now: String) {
        self.spec = spec
        self.now = now
        numericalNames = spec.features.filter { $0.type == .numerical }.map(\.name)
        categoricalNames = spec.features.filter { $0.type == .categorical }.map(\.name)
        classes = spec.classes.map(Set.init)
    }

    /// What a parse produced: the records, or every problem found (at most ``maxProblems``
    /// listed, `more` counting the rest), and CSV columns that were ignored.
    public struct Outcome: Sendable, Equatable {
        public var records: [PredictionRecord]
        public var problems: [Problem]
        public var more: Int
        public var ignoredColumns: [String]

        public init(records: [PredictionRecord], problems: [Problem], more: Int, ignoredColumns: [String]) {
            self.records = records
            self.problems = problems
            self.more = more
            self.ignoredColumns = ignoredColumns
        }
    }

    // MARK: - Entry points

    /// Parses JSON records (inline `records:` or JSONL lines). `lines[i]` is the file line
    /// of record i when it came from a file.
    public func parse(objects: [JSONValue], lines: [Int]? = nil) -> Outcome {
        var session = Session(parser: self)
        for (index, object) in objects.enumerated() {
            session.add(object: object, line: lines.map { $0[index] })
        }
        return session.outcome()
    }

    /// Parses a CSV table whose header names the columns.
    public func parse(table: CSVTable) -> Outcome {
        var session = Session(parser: self)
        guard session.begin(header: table.header) else { return session.outcome() }
        for (r, row) in table.rows.enumerated() {
            session.add(fields: row, line: table.rowLines[r])
        }
        return session.outcome()
    }

    /// One submission parsed record by record, so a file can be read in blocks: the records
    /// so far can be taken (``takeRecords()``) and stored while the rest is read, and the
    /// problems, duplicate ids and ignored columns are exactly those of parsing it whole
    /// (``PredictionParser/parse(table:)``, ``PredictionParser/parse(objects:lines:)``).
    public struct Session: Sendable {
        let parser: PredictionParser
        var collector = Collector()
        /// The row of each id so far (ids must be unique within a submission).
        var seen: [String: Int] = [:]
        /// Records added so far (the 1-based number of the last one).
        public private(set) var rows = 0
        /// CSV: the header index of each reserved column the file has (by
        /// ``PredictionParser/reservedKeys`` order), of each numerical and categorical
        /// feature and each segment column.
        var reserved: [Int?] = []
        var numerical: [Int] = []
        var categorical: [Int] = []
        var segment: [Int] = []
        /// CSV columns the model does not have (reported, not refused).
        public private(set) var ignoredColumns: [String] = []

        /// A session of `parser`.
        public init(parser: PredictionParser) {
            self.parser = parser
        }

        /// Whether a problem was found: nothing of the submission may be stored then.
        public var hasProblems: Bool { !collector.problems.isEmpty }

        /// Takes a CSV header; false (with the problem recorded) when it lacks a column
        /// every record needs, and then no row can be read.
        public mutating func begin(header: [String]) -> Bool {
            let spec = parser.spec
            let required = ["id", "prediction"] + spec.featureNames + spec.segmentFields
            let missing = required.filter { !header.contains($0) }
            if !missing.isEmpty {
                collector.add(
                    Problem(
                        row: nil,
                        line: 1,
                        column: nil,
                        message: "the header lacks " + missing.map { "`\($0)`" }.joined(separator: ", ")
                            + " (a prediction file needs id, prediction and every feature and segment column of the model)"
                    )
                )
                return false
            }
            let known = Set(PredictionParser.reservedKeys + spec.featureNames + spec.segmentFields)
            ignoredColumns = header.filter { !known.contains($0) }
            var index: [String: Int] = [:]
            for (i, name) in header.enumerated() where index[name] == nil { index[name] = i }
            reserved = PredictionParser.reservedKeys.map { index[$0] }
            // Every feature and segment column is in the header (checked above).
            numerical = parser.numericalNames.map { index[$0] ?? 0 }
            categorical = parser.categoricalNames.map { index[$0] ?? 0 }
            segment = spec.segmentFields.map { index[$0] ?? 0 }
            return true
        }

        /// Adds one CSV row (its fields in header order) starting on file line `line`.
        public mutating func add(fields: [String], line: Int) {
            rows += 1
            let reserved = reserved
            let numerical = numerical
            let categorical = categorical
            let segment = segment
            let record = parser.record(row: rows, line: line, collector: &collector) { field in
                let column: Int?
                switch field {
                case .id: column = reserved[0]
                case .timestamp: column = reserved[1]
                case .prediction: column = reserved[2]
                case .score: column = reserved[3]
                case .probabilities: column = reserved[4]
                case .variant: column = reserved[5]
                case .label: column = reserved[6]
                case .numerical(let i): column = numerical[i]
                case .categorical(let i): column = categorical[i]
                case .segment(let i): column = segment[i]
                }
                return column.map { .text(fields[$0]) }
            }
            if let record { keep(record, line: line) }
        }

        /// Adds one JSON record (a JSONL line, or an inline item when `line` is nil).
        public mutating func add(object: JSONValue, line: Int?) {
            rows += 1
            let row = rows
            guard case .object(var dict) = object else {
                collector.add(
                    Problem(
                        row: row,
                        line: line,
                        column: nil,
                        message: "a record must be a mapping of keys, not \(PredictionParser.kind(object))"
                    )
                )
                return
            }
            // Nested `features:` / `segments:` flattened into the top level.
            for group in ["features", "segments"] {
                guard let nested = dict.removeValue(forKey: group) else { continue }
                guard case .object(let inner) = nested else {
                    collector.add(
                        Problem(
                            row: row,
                            line: line,
                            column: group,
                            message: "`\(group)` must be a mapping of column to value"
                        )
                    )
                    continue
                }
                for (key, value) in inner {
                    if dict[key] != nil {
                        collector.add(
                            Problem(
                                row: row,
                                line: line,
                                column: key,
                                message: "given twice (in `\(group)` and at the top level)"
                            )
                        )
                    }
                    dict[key] = value
                }
            }
            let spec = parser.spec
            let known = Set(PredictionParser.reservedKeys + spec.featureNames + spec.segmentFields)
            for key in dict.keys.sorted() where !known.contains(key) {
                let close = Suggestion.closest(to: key, among: Array(known))
                collector.add(
                    Problem(
                        row: row,
                        line: line,
                        column: key,
                        message: "unknown key" + (close.map { " (did you mean `\($0)`?)" } ?? "")
                            + "; a record has id, prediction, the model's features and segments, and optionally timestamp, score, probabilities, variant, label"
                    )
                )
            }
            let parser = parser
            let record = parser.record(row: row, line: line, collector: &collector) { field in
                dict[parser.name(of: field)].map(Cell.init)
            }
            if let record { keep(record, line: line) }
        }

        /// Keeps a checked record unless its id came earlier in the submission.
        private mutating func keep(_ record: PredictionRecord, line: Int?) {
            if let first = seen[record.id] {
                collector.add(
                    Problem(
                        row: rows,
                        line: line,
                        column: "id",
                        message:
                            "id \(EchoedValue.quoted(record.id)) is also the id of row \(first); ids must be unique"
                    )
                )
            } else {
                seen[record.id] = rows
                collector.keep(record)
            }
        }

        /// The records checked since the last call (none once a problem was found).
        public mutating func takeRecords() -> [PredictionRecord] {
            defer { collector.records.removeAll(keepingCapacity: true) }
            return collector.records
        }

        /// The outcome: the records not taken yet, or the problems.
        public func outcome() -> Outcome {
            collector.outcome(ignored: ignoredColumns)
        }
    }

    // MARK: - One record

    /// A value as it came in: JSON keeps its type; CSV cells are text.
    enum Cell {
        case text(String)
        case json(JSONValue)

        init(_ value: JSONValue) { self = .json(value) }

        /// Missing: JSON null, or an empty CSV cell.
        var isMissing: Bool {
            switch self {
            case .text(let t): return t.isEmpty
            case .json(let v): return v == .null
            }
        }

        /// Text, from a string, or from a number or bool written in JSON.
        var text: String? {
            switch self {
            case .text(let t): return t
            case .json(.string(let s)): return s
            case .json(.int(let i)): return String(i)
            case .json(.double(let d)): return Self.plain(d)
            case .json(.bool(let b)): return b ? "true" : "false"
            default: return nil
            }
        }

        /// A number, from JSON numbers or CSV text; nil when it is not one. Plain decimal
        /// text takes ``DecimalParser``'s fast path (the same bits as `strtod`); anything
        /// else (white space around it, hexadecimal) is read as before.
        var number: Double? {
            switch self {
            case .text(let t):
                if let value = DecimalParser.parse(t) { return value }
                return Double(t.trimmingCharacters(in: .whitespaces))
            case .json(let v): return v.doubleValue
            }
        }

        var shown: String {
            switch self {
            case .text(let t): return EchoedValue.quoted(t)
            case .json(let v): return PredictionParser.kind(v)
            }
        }

        static func plain(_ d: Double) -> String {
            d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        }
    }

    struct Collector: Sendable {
        var records: [PredictionRecord] = []
        var problems: [Problem] = []
        var more = 0
        mutating func add(_ problem: Problem) {
            // Nothing is stored once a problem is found: the records need not be kept.
            records.removeAll()
            if problems.count < PredictionParser.maxProblems { problems.append(problem) } else { more += 1 }
        }
        mutating func keep(_ record: PredictionRecord) {
            if problems.isEmpty { records.append(record) }
        }
        func outcome(ignored: [String]) -> Outcome {
            Outcome(records: problems.isEmpty ? records : [], problems: problems, more: more, ignoredColumns: ignored)
        }
    }

    /// A column of a record, as ``record(row:line:collector:cell:)`` asks for it: a CSV row
    /// answers from precomputed indices, a JSON record from its keys.
    enum Field {
        case id
        case timestamp
        case prediction
        case label
        case score
        case probabilities
        case variant
        case numerical(Int)
        case categorical(Int)
        case segment(Int)
    }

    /// The name of `field` in the model's columns.
    func name(of field: Field) -> String {
        switch field {
        case .id: return "id"
        case .timestamp: return "timestamp"
        case .prediction: return "prediction"
        case .label: return "label"
        case .score: return "score"
        case .probabilities: return "probabilities"
        case .variant: return "variant"
        case .numerical(let i): return numericalNames[i]
        case .categorical(let i): return categoricalNames[i]
        case .segment(let i): return spec.segmentFields[i]
        }
    }

    /// One record checked against the model's columns: `cell` gives each field's value
    /// (nil: the column or key is absent). Problems go to `collector`; nil when it had any.
    func record(
        row: Int,
        line: Int?,
        collector: inout Collector,
        cell cells: (Field) -> Cell?
    ) -> PredictionRecord? {
        let before = collector.problems.count + collector.more
        func problem(_ column: String?, _ message: String) {
            collector.add(Problem(row: row, line: line, column: column, message: message))
        }
        // id
        var id = ""
        if let cell = cells(.id), !cell.isMissing, let text = cell.text {
            if text.count > 128 { problem("id", "an id has at most 128 characters") } else { id = text }
        } else {
            problem("id", "every prediction needs an id (labels are joined to predictions by it)")
        }
        // timestamp
        var at = now
        if let cell = cells(.timestamp), !cell.isMissing {
            if let text = cell.text, let date = Timestamp.parse(text) {
                at = Timestamp.string(date)
            } else {
                problem("timestamp", "\(cell.shown) is not an RFC 3339 time such as 2026-11-29T13:00:00Z")
            }
        }
        // features and segments
        var numeric: [Double] = []
        numeric.reserveCapacity(numericalNames.count)
        for (i, name) in numericalNames.enumerated() {
            guard let cell = cells(.numerical(i)) else {
                problem(name, "the feature is missing (write null, or an empty cell, for a missing value)")
                numeric.append(.nan)
                continue
            }
            if cell.isMissing {
                numeric.append(.nan)
            } else if let value = cell.number, value.isFinite {
                numeric.append(value)
            } else {
                problem(name, "\(cell.shown) is not a number (numerical feature)")
                numeric.append(.nan)
            }
        }
        var categorical: [String?] = []
        for (i, name) in categoricalNames.enumerated() {
            guard let cell = cells(.categorical(i)) else {
                problem(name, "the feature is missing (write null, or an empty cell, for a missing value)")
                categorical.append(nil)
                continue
            }
            if cell.isMissing {
                categorical.append(nil)
            } else if let text = cell.text, !Self.hasControl(text) {
                categorical.append(text)
            } else {
                problem(name, "\(cell.shown) is not a category (categorical feature; text without control characters)")
                categorical.append(nil)
            }
        }
        var segments: [String?] = []
        for (i, name) in spec.segmentFields.enumerated() {
            guard let cell = cells(.segment(i)) else {
                problem(name, "the segment column is missing (write null, or an empty cell, when unknown)")
                segments.append(nil)
                continue
            }
            if cell.isMissing {
                segments.append(nil)
            } else if let text = cell.text, !Self.hasControl(text) {
                segments.append(text)
            } else {
                problem(name, "\(cell.shown) is not text without control characters (segment column)")
                segments.append(nil)
            }
        }
        // prediction and label
        let prediction = outcomeValue(cells(.prediction), column: "prediction", required: true, problem: problem)
        let label = outcomeValue(cells(.label), column: "label", required: false, problem: problem)
        // score, probabilities, variant
        var score: Double?
        if let cell = cells(.score), !cell.isMissing {
            if let value = cell.number, value.isFinite {
                score = value
            } else {
                problem("score", "\(cell.shown) is not a number")
            }
        }
        var probabilities: JSONValue?
        if let cell = cells(.probabilities), !cell.isMissing {
            if case .json(.object(let dict)) = cell, dict.values.allSatisfy({ $0.doubleValue?.isFinite == true }) {
                probabilities = .object(dict)
            } else {
                problem("probabilities", "must be a mapping of class to probability")
            }
        }
        var variant: String?
        if let cell = cells(.variant), !cell.isMissing {
            if let text = cell.text, StringRule.name.isValid(text) {
                variant = text
            } else {
                problem("variant", "\(cell.shown) is not a variant name such as champion or challenger")
            }
        }
        guard collector.problems.count + collector.more == before, let prediction else { return nil }
        return PredictionRecord(
            id: id,
            at: at,
            numeric: numeric,
            categorical: categorical,
            segments: segments,
            prediction: prediction,
            score: score,
            probabilities: probabilities,
            variant: variant,
            label: label
        )
    }

    /// A prediction or label: one of the classes (classification) or a number (regression).
    func outcomeValue(_ cell: Cell?, column: String, required: Bool, problem: (String?, String) -> Void) -> String? {
        guard let cell, !cell.isMissing else {
            if required { problem(column, "every record needs a \(column)") }
            return nil
        }
        if spec.task == .regression {
            guard let value = cell.number, value.isFinite else {
                problem(column, "\(cell.shown) is not a number (the model is a regression)")
                return nil
            }
            return Cell.plain(value)
        }
        guard let text = cell.text else {
            problem(column, "\(cell.shown) is not a class")
            return nil
        }
        if let classes, !classes.contains(text) {
            problem(
                column,
                "\(EchoedValue.quoted(text)) is not one of the model's classes ("
                    + (spec.classes ?? []).joined(separator: ", ") + ")"
            )
            return nil
        }
        return text
    }

    /// Whether `text` has a control character (refused in categories and segment values).
    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// A JSON value as text: strings as they are, numbers and booleans written out.
    public static func text(of value: JSONValue) -> String? { Cell(value).text }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return EchoedValue.quoted(s)
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
