import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd about the daemon's state: READY, STATUS, RELOADING, STOPPING, WATCHDOG.
///
/// Why not `sd_notify`: it reads `NOTIFY_SOCKET` from the environment on every call, and
/// docs/design.md §12 requires that no child process ever inherits `NOTIFY_SOCKET` or
/// `WATCHDOG_*` (a child that pinged the watchdog would hide a hung daemon; a child that
/// sent `READY=1` or `STOPPING=1` would confuse systemd). So the notifier captures the
/// socket and the watchdog interval once, removes the variables from the process
/// environment, and sends the datagrams itself over an `AF_UNIX`/`SOCK_DGRAM` socket.
///
/// Without `NOTIFY_SOCKET` (a local run, tests) every call is a silent no-op returning
/// `false`, so callers never need to check ``isEnabled``.
///
/// Thread-safe: all state is immutable after `init`, and each send uses its own
/// short-lived close-on-exec socket.
public final class ServiceNotifier: Sendable {
    /// The socket address to send to, or `nil` when notifications are off.
    private let address: NotifySocketAddress?
    /// Microseconds from `WATCHDOG_USEC`, when the watchdog is meant for this process.
    private let watchdogMicroseconds: UInt64?

    /// The `NOTIFY_SOCKET` value captured at `init`, for diagnostics (`nil` when absent or
    /// unusable).
    public let socketPath: String?

    /// Whether a notification socket was found (the daemon runs under systemd with
    /// `Type=notify`).
    public var isEnabled: Bool { address != nil }

    /// How often to send ``watchdogPing()``: half of `WATCHDOG_USEC`, as systemd
    /// recommends, so one late ping does not kill the service. `nil` when the unit has no
    /// `WatchdogSec=`, the watchdog belongs to another process (`WATCHDOG_PID`), or there
    /// is no notification socket.
    public var watchdogInterval: Duration? {
        guard isEnabled, let microseconds = watchdogMicroseconds else { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }

    /// Captures the systemd notification settings and (by default) removes them from the
    /// process environment.
    ///
    /// - Parameters:
    ///   - environment: where to read `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`;
    ///     the process environment by default.
    ///   - unsetEnvironment: call `unsetenv` for those three variables so that no child or
    ///     helper inherits them. Do this
    ///     early in `main`, before any thread reads the environment (`unsetenv` is not
    ///     thread-safe against concurrent `getenv`).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        unsetEnvironment: Bool = true
    ) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let address = path.flatMap(NotifySocketAddress.init(notifySocket:))
        self.address = address
        self.socketPath = address == nil ? nil : path

        var watchdog: UInt64?
        if let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 {
            if let pidText = environment["WATCHDOG_PID"] {
                if let pid = Int32(pidText), pid == getpid() { watchdog = usec }
            } else {
                watchdog = usec
            }
        }
        self.watchdogMicroseconds = watchdog

        if unsetEnvironment {
            for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
                unsetenv(name)
            }
        }
    }

    /// Sends `READY=1` with a status line: the daemon is up (spool watched, store open).
    /// Also sent after a reload to end `RELOADING=1`.
    @discardableResult
    public func ready(status: String) -> Bool {
        send("READY=1\nSTATUS=" + Self.singleLine(status))
    }

    /// Sends `STATUS=…`, the short live summary `systemctl status` shows.
    @discardableResult
    public func status(_ text: String) -> Bool {
        send("STATUS=" + Self.singleLine(text))
    }

    /// Sends `RELOADING=1` at the start of a SIGHUP reload; follow with ``ready(status:)``.
    @discardableResult
    public func reloading() -> Bool {
        send("RELOADING=1")
    }

    /// Sends `STOPPING=1` when a graceful stop begins.
    @discardableResult
    public func stopping() -> Bool {
        send("STOPPING=1")
    }

    /// Sends `WATCHDOG=1`. Call it from the loop that does the work, every
    /// ``watchdogInterval``, so that a hung loop stops the pings and systemd restarts us.
    @discardableResult
    public func watchdogPing() -> Bool {
        send("WATCHDOG=1")
    }

    /// Asks systemd to extend the current start or stop timeout by `duration`
    /// (`EXTEND_TIMEOUT_USEC=`), for a graceful stop that needs longer than expected.
    @discardableResult
    public func extendTimeout(by duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        return send("EXTEND_TIMEOUT_USEC=\(microseconds)")
    }

    /// Sends one raw notification (newline-separated `KEY=value` assignments).
    ///
    /// - Returns: `true` when the whole datagram was sent; `false` when notifications are
    ///   off or the send failed (a missing systemd is not an error worth reporting).
    @discardableResult
    public func send(_ raw: String) -> Bool {
        guard let address else { return false }
        return address.sendDatagram(Array(raw.utf8))
    }

    /// The environment for a child process: `env` without the variables that belong to
    /// this service's relation with systemd (`NOTIFY_SOCKET`, `WATCHDOG_*`, `LISTEN_FDS`,
    /// `LISTEN_PID`, `LISTEN_FDNAMES`), so children can neither ping the watchdog nor
    /// claim our sockets.
    public static func childEnvironment(_ env: [String: String]) -> [String: String] {
        env.filter { key, _ in
            !(key == "NOTIFY_SOCKET" || key.hasPrefix("WATCHDOG_") || key == "LISTEN_FDS"
                || key == "LISTEN_PID" || key == "LISTEN_FDNAMES")
        }
    }

    /// Replaces newlines, which would start a new assignment in the datagram.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
