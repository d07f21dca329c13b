/// The `params:` that pick a stretch of a model's stored checks (`monitoring-history`,
/// `report`): `since`, `until` and `last`, one type and one schema for both kinds, which
/// differ only in how many checks `last` allows and defaults to.
public struct CheckRange: Codable, Sendable, Equatable {
    /// Only checks at or after this time (RFC 3339, as written).
    public var since: String?
    /// Only checks at or before this time (RFC 3339, as written).
    public var until: String?
    /// The most checks: the newest of the range.
    public var last: Int

    /// A range of at most `last` checks between `since` and `until`.
    public init(since: String? = nil, until: String? = nil, last: Int) {
        self.since = since
        self.until = until
        self.last = last
    }

    /// The schema: `last` from 1 to `maxChecks`, `defaultChecks` when not given, described
    /// by `lastDoc`.
    public static func schema(defaultChecks: Int, maxChecks: Int, lastDoc: String) -> ObjectSchema {
        ObjectSchema([
            Field("since", .string(RegistryKinds.timeText), doc: "only checks at or after this time"),
            Field("until", .string(RegistryKinds.timeText), doc: "only checks at or before this time"),
            Field("last", .int(min: 1, max: maxChecks), default: .int(defaultChecks), doc: lastDoc),
        ])
    }
}
