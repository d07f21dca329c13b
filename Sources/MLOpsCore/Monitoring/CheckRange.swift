/// The `since` / `until` / `last` parameters that pick a stretch of a model's stored checks
/// (`monitoring-history`, `report`): one reading of them for both kinds.
public protocol CheckRange: Sendable {
    /// Only checks at or after this time (RFC 3339, as written).
    var since: String? { get }
    /// Only checks at or before this time (RFC 3339, as written).
    var until: String? { get }
    /// The most checks: the newest of the range.
    var last: Int { get }
}

extension Kinds.MonitoringHistory.Parameters: CheckRange {}
extension Kinds.Report.Parameters: CheckRange {}
