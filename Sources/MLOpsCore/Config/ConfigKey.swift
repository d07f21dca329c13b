/// One key of the daemon's configuration, declared once: its name in the file, the
/// environment variable that overrides it (`MLOPSD_` and the name in upper case; for the
/// seed system's four keys also their old unprefixed name), its type, schema (type and inclusive range),
/// exclusive bounds, default and doc line. ``DaemonConfig`` derives everything from these
/// declarations (``DaemonConfig/Keys``): the file schema, the defaults, the environment
/// overrides, path resolution, the `--check-config` listing and its own typed fields, so a
/// key misspelt in code does not compile instead of silently reading a default.
public struct ConfigKey<Value: ConfigValue>: Sendable {
    /// The key as written in the file (`max_attempts`).
    public let name: String
    /// The variable that overrides the file (`MLOPSD_MAX_ATTEMPTS`).
    public let environmentName: String
    /// The seed system's unprefixed variable, still read for the four keys it had
    /// (`MONITORING_CHECK_INTERVAL`, …); ``environmentName`` wins when both are set. Nil for
    /// every other key: a generic name such as `LOG_LEVEL`, set in a shell for another
    /// tool, must not change mlopsd.
    public let environmentAlias: String?
    /// What the value must look like (type, inclusive range, allowed texts).
    public let schema: Schema
    /// The value when neither the file nor the environment gives one.
    public let defaultValue: Value
    /// One line for the docs and messages.
    public let doc: String
    /// Exclusive lower bound the schema cannot say (`> 0`).
    public let greaterThan: Double?
    /// Exclusive upper bound the schema cannot say (`< 1`).
    public let lessThan: Double?
    /// Whether the value is a path (or paths) resolved against the working directory; an
    /// empty text stays empty (meaning "none").
    public let isPath: Bool

    /// The prefix of every variable that overrides a key.
    public static var environmentPrefix: String { "MLOPSD_" }

    /// A key named `name`, overridden by the variable `MLOPSD_` + `name` upper-cased (and by
    /// `alias`, the seed system's name, when given).
    init(
        _ name: String,
        _ schema: Schema,
        default defaultValue: Value,
        _ doc: String,
        greaterThan: Double? = nil,
        lessThan: Double? = nil,
        isPath: Bool = false,
        alias: String? = nil
    ) {
        self.name = name
        self.environmentName = Self.environmentPrefix + name.uppercased()
        self.environmentAlias = alias
        self.schema = schema
        self.defaultValue = defaultValue
        self.doc = doc
        self.greaterThan = greaterThan
        self.lessThan = lessThan
        self.isPath = isPath
    }

    /// The typed value of a validated JSON value; the default when absent.
    func value(of json: JSONValue?) -> Value {
        json.flatMap(Value.init(configValue:)) ?? defaultValue
    }
}

/// The type-independent side of a ``ConfigKey``, for the steps that go over every key
/// (schema, environment, bounds, path resolution, listing).
protocol AnyConfigKey: Sendable {
    /// The key as written in the file.
    var name: String { get }
    /// The variable that overrides it.
    var environmentName: String { get }
    /// The seed system's unprefixed variable, if the key has one.
    var environmentAlias: String? { get }
    /// The file schema's field: name, schema, default and doc.
    var field: Field { get }
    /// The message when `value` breaks an exclusive bound, naming the key as `name`.
    func exclusiveProblem(_ value: JSONValue?, name: String) -> String?
    /// What an environment value must look like, for error messages.
    var form: String { get }
    /// The bounds the schema cannot say (`> 0`, `< 1`), for the docs.
    var exclusiveBounds: (greaterThan: Double?, lessThan: Double?) { get }
    /// The environment value as a YAML node, to be validated like the file's.
    func node(forEnvironmentValue raw: String) -> YAMLNode
    /// `value` in the canonical form of the key's type (the default when absent).
    func normalized(_ value: JSONValue?) -> JSONValue
    /// `value` with its paths resolved against `base` (unchanged for a key that is not a path).
    func resolvingPaths(_ value: JSONValue, against base: String) -> JSONValue
    /// `value` as `--check-config` prints it.
    func text(of value: JSONValue?) -> String
    /// Whether every value the schema lets through converts to the key's type (a key
    /// declared `Int` with a `.double` schema would silently read its default otherwise).
    var typeFitsSchema: Bool { get }
}

extension ConfigKey: AnyConfigKey {
    var field: Field { Field(name, schema, default: defaultValue.configValue, doc: doc) }

    var exclusiveBounds: (greaterThan: Double?, lessThan: Double?) { (greaterThan, lessThan) }

    func exclusiveProblem(_ value: JSONValue?, name: String) -> String? {
        guard let d = value?.doubleValue else { return nil }
        if let greaterThan, d <= greaterThan {
            return "\(name) must be greater than \(ValidationRun.format(greaterThan)), not \(ValidationRun.format(d))"
        }
        if let lessThan, d >= lessThan {
            return "\(name) must be less than \(ValidationRun.format(lessThan)), not \(ValidationRun.format(d))"
        }
        return nil
    }

    var form: String {
        switch schema {
        case .list: return "expected a colon-separated list of paths, e.g. /srv/data:/mnt/data"
        default: return "expected \(schema.expectation)"
        }
    }

    /// Text kept verbatim, numbers and booleans read like plain YAML scalars, lists split on `:`.
    func node(forEnvironmentValue raw: String) -> YAMLNode {
        let origin = SourceMark(line: 1, column: 1)
        switch schema {
        case .list:
            let items = raw.split(separator: ":", omittingEmptySubsequences: false)
                .map { YAMLNode(.scalar(String($0), .quoted), at: origin) }
            return YAMLNode(.sequence(items), at: origin)
        case .string, .oneOf:
            return YAMLNode(.scalar(raw, .quoted), at: origin)
        default:
            return YAMLNode(.scalar(raw.trimmingSpaces(), .plain), at: origin)
        }
    }

    func normalized(_ value: JSONValue?) -> JSONValue { self.value(of: value).configValue }

    func resolvingPaths(_ value: JSONValue, against base: String) -> JSONValue {
        guard isPath else { return value }
        switch value {
        case .string(let path) where !path.isEmpty: return .string(DaemonConfig.resolve(path, against: base))
        case .array(let items): return .array(items.map { resolvingPaths($0, against: base) })
        default: return value
        }
    }

    func text(of value: JSONValue?) -> String { self.value(of: value).configText }

    var typeFitsSchema: Bool {
        switch schema {
        case .int: return Value.self == Int.self
        case .double: return Value.self == Double.self
        case .string: return Value.self == String.self
        case .list(.string, _, _): return Value.self == [String].self
        case .oneOf(let choices):
            return choices.allSatisfy { Value(configValue: .string($0)) != nil }
        default: return false
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[start...end])
    }
}
