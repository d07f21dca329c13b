import Foundation

/// Encodes an `Encodable` value straight into a ``JSONValue`` tree, with the result
/// `JSONEncoder` followed by decoding its text as a `JSONValue` would give, without the text
/// in between: a job's typed result becomes the tree the result document carries. For a
/// `monitoring-history` of 1,000 checks that round trip was most of the job's time.
///
/// What it matches of `JSONEncoder` (default strategies): keys as the `CodingKeys` say,
/// `encodeIfPresent` leaves a nil out and `encodeNil` writes `null`; a whole `Double` or
/// `Float` (as its shortest text reads back) within ±2^53 becomes `.int` (JSON text does not tell them apart, and reading it
/// back gives an int); a non-finite number is an error, as in `JSONEncoder`; `Date` as
/// seconds since 2001-01-01, `Data` as Base64, `URL` as its absolute string, `Decimal` as a
/// number. A value that encodes nothing is an empty object (where `JSONEncoder` refuses it at
/// the top level).
public struct JSONValueEncoder {
    /// An encoder.
    public init() {}

    /// The tree of `value`.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONValueEncoder.box(value, codingPath: [])
    }

    /// The tree of one value: the special cases of `JSONEncoder`'s defaults, else whatever
    /// its `encode(to:)` writes.
    static func box(_ value: some Encodable, codingPath: [CodingKey]) throws -> JSONValue {
        switch value {
        case let value as JSONValue: return value
        case let value as String: return .string(value)
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(value)
        case let value as Double: return try number(value, codingPath)
        case let value as Float: return try number(value, codingPath)
        case let value as Date: return try number(value.timeIntervalSinceReferenceDate, codingPath)
        case let value as Data: return .string(value.base64EncodedString())
        case let value as URL: return .string(value.absoluteString)
        case let value as Decimal: return try number(NSDecimalNumber(decimal: value).doubleValue, codingPath)
        default:
            let encoder = TreeEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.storage.value ?? .object([:])
        }
    }

    /// A number as the text round trip gives it back: whole values as `.int`.
    static func number(_ value: Double, _ codingPath: [CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value,
                .init(codingPath: codingPath, debugDescription: "Unable to encode \(value) directly in JSON.")
            )
        }
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 {
            return .int(Int(value))
        }
        return .double(value)
    }

    /// A `Float` as `JSONEncoder` writes it (its shortest text, read back as a `Double`).
    static func number(_ value: Float, _ codingPath: [CodingKey]) throws -> JSONValue {
        guard value.isFinite else { return try number(Double(value), codingPath) }
        return try number(Double(value.description) ?? Double(value), codingPath)
    }

    /// An integer of another width, as `.int` (or `.double` when it does not fit `Int`).
    static func integer(_ value: some BinaryInteger) -> JSONValue {
        if let exact = Int(exactly: value) { return .int(exact) }
        return .double(Double(value))
    }
}

/// Where a container's value goes: containers nest by sharing these boxes, and the tree is
/// assembled when it is read.
final class TreeStorage {
    /// What was written; nil until something is.
    enum Node {
        case value(JSONValue)
        case object(ObjectBox)
        case array(ArrayBox)
    }

    var node: Node?

    /// The finished tree.
    var value: JSONValue? {
        switch node {
        case .none: return nil
        case .value(let value): return value
        case .object(let box): return box.value
        case .array(let box): return box.value
        }
    }
}

/// An object being written.
final class ObjectBox {
    var fields: [String: TreeStorage] = [:]
    var value: JSONValue {
        .object(fields.compactMapValues(\.value))
    }
}

/// An array being written.
final class ArrayBox {
    var items: [TreeStorage] = []
    var value: JSONValue { .array(items.map { $0.value ?? .object([:]) }) }
}

/// The `Encoder` ``JSONValueEncoder`` hands to a value's `encode(to:)`.
final class TreeEncoder: Encoder {
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any] = [:]
    let storage: TreeStorage

    init(codingPath: [CodingKey], storage: TreeStorage = TreeStorage()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing) = storage.node {
            box = existing
        } else {
            box = ObjectBox()
            storage.node = .object(box)
        }
        return KeyedEncodingContainer(TreeKeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing) = storage.node {
            box = existing
        } else {
            box = ArrayBox()
            storage.node = .array(box)
        }
        return TreeUnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        TreeSingleValueContainer(storage: storage, codingPath: codingPath)
    }
}

/// A key for positions in an array, in coding paths.
struct TreeIndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        let storage = TreeStorage()
        storage.node = .value(value)
        box.fields[key.stringValue] = storage
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try JSONValueEncoder.number(value, codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try JSONValueEncoder.number(value, codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(JSONValueEncoder.integer(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try JSONValueEncoder.box(value, codingPath: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        let storage = TreeStorage()
        storage.node = .object(nested)
        box.fields[key.stringValue] = storage
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let nested = ArrayBox()
        let storage = TreeStorage()
        storage.node = .array(nested)
        box.fields[key.stringValue] = storage
        return TreeUnkeyedContainer(box: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> Encoder {
        let storage = TreeStorage()
        box.fields["super"] = storage
        return TreeEncoder(codingPath: codingPath, storage: storage)
    }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        let storage = TreeStorage()
        box.fields[key.stringValue] = storage
        return TreeEncoder(codingPath: codingPath + [key], storage: storage)
    }
}

struct TreeUnkeyedContainer: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [CodingKey]
    var count: Int { box.items.count }

    private func append(_ value: JSONValue) {
        let storage = TreeStorage()
        storage.node = .value(value)
        box.items.append(storage)
    }

    private var nextPath: [CodingKey] { codingPath + [TreeIndexKey(count)] }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONValueEncoder.number(value, nextPath)) }
    mutating func encode(_ value: Float) throws { append(try JSONValueEncoder.number(value, nextPath)) }
    mutating func encode(_ value: Int) throws { append(.int(value)) }
    mutating func encode(_ value: Int8) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { append(JSONValueEncoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try JSONValueEncoder.box(value, codingPath: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<
        NestedKey
    > {
        let path = nextPath
        let nested = ObjectBox()
        let storage = TreeStorage()
        storage.node = .object(nested)
        box.items.append(storage)
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(box: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = nextPath
        let nested = ArrayBox()
        let storage = TreeStorage()
        storage.node = .array(nested)
        box.items.append(storage)
        return TreeUnkeyedContainer(box: nested, codingPath: path)
    }

    mutating func superEncoder() -> Encoder {
        let path = nextPath
        let storage = TreeStorage()
        box.items.append(storage)
        return TreeEncoder(codingPath: path, storage: storage)
    }
}

struct TreeSingleValueContainer: SingleValueEncodingContainer {
    let storage: TreeStorage
    let codingPath: [CodingKey]

    private func set(_ value: JSONValue) { storage.node = .value(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try JSONValueEncoder.number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { set(try JSONValueEncoder.number(value, codingPath)) }
    mutating func encode(_ value: Int) throws { set(.int(value)) }
    mutating func encode(_ value: Int8) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { set(JSONValueEncoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        set(try JSONValueEncoder.box(value, codingPath: codingPath))
    }
}
