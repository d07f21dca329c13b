/// The shape a YAML node must have, with the rules that make a value valid.
///
/// Schemas are data, so the same description drives validation (with line and column),
/// "did you mean" suggestions for misspelt keys, and the field tables in `docs/jobs.md`.
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
}

/// A restriction on a string: what it must look like, in words, and the check.
public struct StringRule: Sendable {
    /// Shown in errors: "must be <description>".
    public var description: String
    public var isValid: @Sendable (String) -> Bool
    public init(_ description: String, _ isValid: @escaping @Sendable (String) -> Bool) {
        self.description = description
        self.isValid = isValid
    }
    /// Any text.
    public static let any = StringRule("any text") { _ in true }
}

/// One key of an object schema.
public struct Field: Sendable {
    public var name: String
    public var schema: Schema
    public var required: Bool
    /// Put into the validated value when the key is absent.
    public var defaultValue: JSONValue?
    /// One line for the docs and for "missing field" messages.
    public var doc: String
    public init(_ name: String, _ schema: Schema, required: Bool = false, default defaultValue: JSONValue? = nil, doc: String = "") {
        self.name = name
        self.schema = schema
        self.required = required
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// The keys of a mapping, and a check across them that runs once they are all valid.
public struct ObjectSchema: Sendable {
    public var fields: [Field]
    /// Cross-field rules (e.g. "target must not also be a feature"). Gets the validated
    /// object and the node it came from (for marks); returns the problems it finds.
    public var check: (@Sendable (JSONValue, YAMLNode) -> [JobError])?
    public init(_ fields: [Field], check: (@Sendable (JSONValue, YAMLNode) -> [JobError])? = nil) {
        self.fields = fields
        self.check = check
    }
}

/// All the problems found in one document, first (by position) first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [JobError]
    public init(_ errors: [JobError]) { self.errors = errors }
    /// The problem a result document names in its `error` field.
    public var primary: JobError { errors.first ?? JobError(.internalError, "validation failed without a reason") }
}

/// Checks a ``YAMLNode`` against a ``Schema`` and converts it to a ``JSONValue``.
public enum SchemaValidator {
    /// Validates `node` (nil: the key was absent or the value empty) against `schema`.
    /// `path` names the node in messages ("params.features[2].type").
    public static func validate(_ node: YAMLNode, against schema: Schema, path: String) throws(ValidationFailure) -> JSONValue {
        throw ValidationFailure([JobError(.internalError, "schema validator not built yet")])
    }
}
