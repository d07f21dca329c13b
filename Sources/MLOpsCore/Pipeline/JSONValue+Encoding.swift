import Foundation

extension JSONValue {
    /// The JSON form of an `Encodable` value, through `JSONEncoder`, so that a stage's
    /// report becomes a job result with exactly the keys its `CodingKeys` name. A whole
    /// number written as a double reads back as `.int` (JSON does not tell them apart);
    /// ``doubleValue`` reads both.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
