/// The lowest level the daemon logs (`log_level`): swift-log's level names, so the daemon
/// maps each case to its `Logger.Level` one to one.
public enum LogLevel: String, CaseIterable, Sendable, ConfigValue {
    /// Everything, including per-step tracing.
    case trace
    /// Debugging detail.
    case debug
    /// Normal operation (the default).
    case info
    /// Normal but significant events.
    case notice
    /// Something unexpected that the daemon handled.
    case warning
    /// A failure of one operation.
    case error
    /// A failure that threatens the daemon itself.
    case critical
}
