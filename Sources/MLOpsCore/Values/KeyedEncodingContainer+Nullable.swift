extension KeyedEncodingContainer {
    /// Writes `value`, or an explicit `null` when it is nil: for result fields that are
    /// always present (`"parent_version" : null`), where synthesized `Codable` would leave
    /// the key out.
    mutating func encodeNullable<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
