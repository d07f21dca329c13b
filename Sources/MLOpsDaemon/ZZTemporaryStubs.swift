// TEMPORARY: replaced by the systemd branch at merge.
import Logging
import Foundation
public enum JournalMode { case automatic, journal, stderr }
public struct JournalLogHandler {
    public static func bootstrap(identifier: String, mode: JournalMode, level: Logger.Level) {}
}
public final class ServiceNotifier: Sendable {
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, unsetEnvironment: Bool = true) {}
    public func ready(status: String) {}
    public func status(_ s: String) {}
    public func reloading() {}
    public func stopping() {}
    public func watchdogPing() {}
    public var watchdogInterval: Duration? { nil }
}
