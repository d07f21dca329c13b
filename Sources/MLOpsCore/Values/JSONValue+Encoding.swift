extension JSONValue {
    /// The JSON form of an `Encodable` value, built directly as a tree by
    /// ``JSONValueEncoder`` (no JSON text in between), so that a stage's report or a kind's
    /// typed result becomes a job result with exactly the keys its `CodingKeys` name. A whole
    /// number written as a double is `.int`, as reading `JSONEncoder`'s text back gives it
    /// (JSON does not tell them apart); ``doubleValue`` reads both.
    public init(encoding value: some Encodable) throws {
        self = try JSONValueEncoder().encode(value)
    }
}
