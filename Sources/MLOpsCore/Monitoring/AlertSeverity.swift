/// How urgent an alert is (docs/design.md §5); the journal entry's priority follows it.
public enum AlertSeverity: String, Codable, Sendable, CaseIterable {
    /// Worth knowing; nothing to do.
    case info
    /// Look at it soon.
    case warning
    /// Act now.
    case critical
}
