/// The shape a YAML node must have, with the rules that make a value valid.
///
/// Schemas are data, so the same description drives validation (with line and column),
/// "did you mean" suggestions for misspelt keys, and the field tables in `docs/jobs-reference.md`.
public indirect enum Schema: Sendable {
    /// Any scalar, taken as text. `pattern` (a description and a predicate) restricts it.
    case string(StringRule = .any)
    /// A plain integer scalar within the bounds.
    case int(min: Int? = nil, max: Int? = nil)
    /// A plain number (integer or decimal) within the bounds; never inf or nan.
    case double(min: Double? = nil, max: Double? = nil)
    /// A plain `true` or `false` (YAML 1.1 `yes`/`no`/`on`/`off` are refused as ambiguous).
    case bool
    /// One of the listed strings.
    case oneOf([String])
    /// A sequence whose items match the schema.
    case list(Schema, minCount: Int = 0, maxCount: Int? = nil)
    /// A mapping with known keys.
    case object(ObjectSchema)
    /// A mapping with free string keys (restricted by `keys`) whose values match the schema.
    case map(keys: StringRule = .any, values: Schema)
    /// Anything; converted as-is.
    case any

    /// What a value of this schema is, for "must be …" messages ("an integer", "a list").
    public var expectation: String {
        switch self {
        case .string(let rule): return rule.description == StringRule.any.description ? "text" : rule.description
        case .int: return "a whole number"
        case .double: return "a number"
        case .bool: return "true or false"
        case .oneOf(let choices): return "one of " + choices.joined(separator: ", ")
        case .list: return "a list"
        case .object, .map: return "a mapping"
        case .any: return "a value"
        }
    }
}

/// A restriction on a string: what it must look like, in words, and the check.
public struct StringRule: Sendable {
    /// Shown in errors: "must be <description>".
    public var description: String
    /// The check itself.
    public var isValid: @Sendable (String) -> Bool
    /// A rule described by `description` and decided by `isValid`.
    public init(_ description: String, _ isValid: @escaping @Sendable (String) -> Bool) {
        self.description = description
        self.isValid = isValid
    }
    /// Any text.
    public static let any = StringRule("any text") { _ in true }

    /// Text of at most `count` characters (descriptions, reasons).
    public static func maxLength(_ count: Int) -> StringRule {
        StringRule("text of at most \(count) characters") { $0.count <= count }
    }

    /// A name like a model, pipeline or version label: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
    public static let name = StringRule(
        "a name of 1 to 64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit"
    ) { text in
        let b = Array(text.utf8)
        guard let first = b.first, b.count <= 64, isAlnum(first) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// A data column name: `[A-Za-z_][A-Za-z0-9_.-]{0,63}`.
    public static let column = StringRule(
        "a column name of 1 to 64 characters from A-Z a-z 0-9 _ . - starting with a letter or _"
    ) { text in
        let b = Array(text.utf8)
        guard let first = b.first, b.count <= 64, isAlpha(first) || first == 0x5F else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// Non-empty text without control characters, at most 4096 bytes (file paths).
    public static let path = StringRule("a non-empty path") { text in
        !text.isEmpty && text.utf8.count <= 4096
            && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || (b >= 0x30 && b <= 0x39) }
}

/// One key of an object schema.
public struct Field: Sendable {
    /// The key as written in YAML.
    public var name: String
    /// What its value must look like.
    public var schema: Schema
    /// Whether the key must be present (with a non-null value).
    public var required: Bool
    /// Put into the validated value when the key is absent.
    public var defaultValue: JSONValue?
    /// One line for the docs and for "missing field" messages.
    public var doc: String
    /// A field; `default` is used when the key is absent (or its value is null).
    public init(
        _ name: String,
        _ schema: Schema,
        required: Bool = false,
        default defaultValue: JSONValue? = nil,
        doc: String = ""
    ) {
        self.name = name
        self.schema = schema
        self.required = required
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// The keys of a mapping, and a check across them that runs once they are all valid.
public struct ObjectSchema: Sendable {
    /// The accepted keys, in documentation order.
    public var fields: [Field]
    /// Cross-field rules (e.g. "target must not also be a feature"). Gets the validated
    /// object and the node it came from (for marks); returns the problems it finds.
    public var check: (@Sendable (JSONValue, YAMLNode) -> [JobError])?
    /// When set, keys not in `fields` are accepted with values of this schema instead of
    /// being refused as unknown (`run-pipeline`: the keys a pipeline declares, checked by
    /// its handler against the pipeline definition, which the validator cannot see).
    public var additionalValues: Schema?
    /// An object schema with its fields and an optional cross-field check.
    public init(
        _ fields: [Field],
        additionalValues: Schema? = nil,
        check: (@Sendable (JSONValue, YAMLNode) -> [JobError])? = nil
    ) {
        self.fields = fields
        self.additionalValues = additionalValues
        self.check = check
    }
}
