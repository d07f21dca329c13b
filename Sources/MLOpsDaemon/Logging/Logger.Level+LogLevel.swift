import Logging
import MLOpsCore

extension Logger.Level {
    /// The swift-log level of a configured `log_level` (the names are the same, case for case).
    init(_ level: LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}
