/// A type a config key can hold: converts to and from the validated JSON value.
///
/// The schema validator has already checked a value's type and range before it is converted,
/// so ``init(configValue:)`` failing means a key's declared `Value` and schema disagree — the
/// table's own mistake, caught by `DaemonConfigTests` (every key's default round-trips).
public protocol ConfigValue: Sendable, Equatable {
    /// The typed value of a validated JSON value, or nil when it is of another type.
    init?(configValue: JSONValue)
    /// The value as JSON, as the schema validator would have produced it.
    var configValue: JSONValue { get }
    /// The value as `mlopsd --check-config` prints it.
    var configText: String { get }
}

extension Int: ConfigValue {
    /// A whole number.
    public init?(configValue: JSONValue) {
        guard let value = configValue.intValue else { return nil }
        self = value
    }

    /// `.int`.
    public var configValue: JSONValue { .int(self) }

    /// Decimal digits.
    public var configText: String { String(self) }
}

extension Double: ConfigValue {
    /// Any number (a whole one included).
    public init?(configValue: JSONValue) {
        guard let value = configValue.doubleValue else { return nil }
        self = value
    }

    /// `.double`, so that `60` and `60.0` compare equal.
    public var configValue: JSONValue { .double(self) }

    /// Whole numbers without a fraction (`60`), others as Swift prints them (`0.1`).
    public var configText: String { ValidationRun.format(self) }
}

extension String: ConfigValue {
    /// Text.
    public init?(configValue: JSONValue) {
        guard let value = configValue.stringValue else { return nil }
        self = value
    }

    /// `.string`.
    public var configValue: JSONValue { .string(self) }

    /// The text itself.
    public var configText: String { self }
}

extension Array: ConfigValue where Element == String {
    /// A list of texts.
    public init?(configValue: JSONValue) {
        guard case .array(let items) = configValue else { return nil }
        var strings: [String] = []
        for item in items {
            guard let string = item.stringValue else { return nil }
            strings.append(string)
        }
        self = strings
    }

    /// `.array` of `.string`.
    public var configValue: JSONValue { .array(map { .string($0) }) }

    /// The items joined by `, `.
    public var configText: String { joined(separator: ", ") }
}

extension ConfigValue where Self: RawRepresentable, RawValue == String {
    /// The case whose raw value is the text.
    public init?(configValue: JSONValue) {
        guard let raw = configValue.stringValue, let value = Self(rawValue: raw) else { return nil }
        self = value
    }

    /// The raw value as `.string`.
    public var configValue: JSONValue { .string(rawValue) }

    /// The raw value.
    public var configText: String { rawValue }
}
