/// Decodes a `Decodable` value straight from a ``JSONValue`` tree, without printing and
/// re-parsing JSON.
///
/// The job validator turns each job's validated `params` into its kind's `Parameters`
/// struct with it, so a handler gets typed fields; `mlopsctl` decodes a result document's
/// `result` into the kind's `Result` struct the same way. Numbers follow JSON: an integer
/// decodes as a `Double` too, and a `null` value counts as absent for optionals.
public struct JSONValueDecoder: Sendable {
    /// A decoder.
    public init() {}

    /// `T` decoded from `value`; a `DecodingError` names the coding path that did not fit.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if let direct = value as? T { return direct }
        return try T(from: TreeDecoder(value: value, codingPath: []))
    }
}

/// One position in the tree being decoded.
private struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatch(
                [String: JSONValue].self,
                .init(codingPath: codingPath, debugDescription: "expected a mapping")
            )
        }
        return KeyedDecodingContainer(KeyedTree<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch(
                [JSONValue].self,
                .init(codingPath: codingPath, debugDescription: "expected a list")
            )
        }
        return UnkeyedTree(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleTree(value: value, codingPath: codingPath)
    }
}

/// A coding key for list positions and free mapping keys.
public struct AnyCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Scalar conversions shared by the three containers.
private enum Scalar {
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T {
        if let direct = value as? T { return direct }
        // Free-form lists and mappings (inline records, pipeline parameters) stay JSONValue:
        // hand them over whole instead of element by element.
        if case .array(let items) = value, let direct = items as? T { return direct }
        if case .object(let object) = value, let direct = object as? T { return direct }
        let converted: Any?
        switch value {
        case .bool(let b): converted = type == Bool.self ? b : nil
        case .string(let s): converted = type == String.self ? s : nil
        case .int(let i):
            if type == Int.self {
                converted = i
            } else if type == Double.self {
                converted = Double(i)
            } else if type == Int64.self {
                converted = Int64(i)
            } else if type == UInt32.self {
                converted = UInt32(exactly: i)
            } else if type == UInt64.self {
                converted = UInt64(exactly: i)
            } else {
                converted = nil
            }
        case .double(let d):
            if type == Double.self {
                converted = d
            } else if type == Int.self, let i = Int(exactly: d) {
                converted = i
            } else {
                converted = nil
            }
        default: converted = nil
        }
        if let result = converted as? T { return result }
        if isPrimitive(type) {
            throw DecodingError.typeMismatch(
                type,
                .init(codingPath: path, debugDescription: "expected \(type), found \(describe(value))")
            )
        }
        return try T(from: TreeDecoder(value: value, codingPath: path))
    }

    static func isPrimitive(_ type: Any.Type) -> Bool {
        type == Bool.self || type == String.self || type == Int.self || type == Double.self
            || type == Int64.self || type == UInt32.self || type == UInt64.self
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "text"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}

private struct KeyedTree<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(for key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(codingPath: codingPath, debugDescription: "no value for `\(key.stringValue)`")
            )
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try Scalar.decode(type, from: value(for: key), at: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = object[key.stringValue], value != .null else { return nil }
        return try Scalar.decode(type, from: value, at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TreeDecoder(value: value(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: value(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        TreeDecoder(value: .object(object), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedTree: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> (JSONValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                .init(codingPath: codingPath, debugDescription: "the list has no more items")
            )
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [AnyCodingKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try Scalar.decode(type, from: value, at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next()
        return try TreeDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try TreeDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return TreeDecoder(value: value, codingPath: path)
    }
}

private struct SingleTree: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Scalar.decode(type, from: value, at: codingPath)
    }
}
