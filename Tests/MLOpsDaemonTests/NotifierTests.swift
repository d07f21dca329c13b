import Foundation
import Testing

@testable import MLOpsDaemon

/// ``ServiceNotifier`` against a real datagram socket standing in for systemd.
///
/// Serialized: two tests read or change the process environment.
@Suite(.serialized)
struct NotifierTests {
    @Test func readySendsReadyAndStatusInOneDatagram() throws {
        let socket = try NotifierTestSocket()
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": socket.notifySocket], unsetEnvironment: false)
        #expect(notifier.isEnabled)
        #expect(notifier.ready(status: "watching spool, 0 jobs"))
        #expect(socket.receive() == "READY=1\nSTATUS=watching spool, 0 jobs")
    }

    @Test func lifecycleCallsSendExactDatagrams() throws {
        let socket = try NotifierTestSocket()
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": socket.notifySocket], unsetEnvironment: false)
        notifier.status("3 jobs running")
        notifier.reloading()
        notifier.ready(status: "reloaded")
        notifier.watchdogPing()
        notifier.stopping()
        notifier.extendTimeout(by: .seconds(30))
        #expect(notifier.send("CUSTOM=1"))
        let expected = [
            "STATUS=3 jobs running", "RELOADING=1", "READY=1\nSTATUS=reloaded", "WATCHDOG=1",
            "STOPPING=1", "EXTEND_TIMEOUT_USEC=30000000", "CUSTOM=1",
        ]
        for datagram in expected {
            #expect(socket.receive() == datagram)
        }
    }

    @Test func newlinesInStatusCannotInjectAssignments() throws {
        let socket = try NotifierTestSocket()
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": socket.notifySocket], unsetEnvironment: false)
        notifier.status("model x\nREADY=1")
        #expect(socket.receive() == "STATUS=model x READY=1")
    }

    @Test func abstractNamespaceSocketReceivesDatagrams() throws {
        let socket = try NotifierTestSocket(abstract: true)
        #expect(socket.notifySocket.hasPrefix("@"))
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": socket.notifySocket], unsetEnvironment: false)
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogPing())
        #expect(socket.receive() == "WATCHDOG=1")
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        let notifier = ServiceNotifier(
            environment: ["NOTIFY_SOCKET": "/run/nonexistent/notify", "WATCHDOG_USEC": "60000000"],
            unsetEnvironment: false
        )
        #expect(notifier.watchdogInterval == .seconds(30))
    }

    @Test func watchdogPidOfThisProcessKeepsWatchdog() {
        let notifier = ServiceNotifier(
            environment: [
                "NOTIFY_SOCKET": "/run/nonexistent/notify", "WATCHDOG_USEC": "2000000",
                "WATCHDOG_PID": String(getpid()),
            ],
            unsetEnvironment: false
        )
        #expect(notifier.watchdogInterval == .seconds(1))
    }

    @Test func watchdogPidOfAnotherProcessDisablesWatchdog() {
        let notifier = ServiceNotifier(
            environment: [
                "NOTIFY_SOCKET": "/run/nonexistent/notify", "WATCHDOG_USEC": "2000000",
                "WATCHDOG_PID": String(getpid() + 1),
            ],
            unsetEnvironment: false
        )
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func invalidWatchdogUsecDisablesWatchdog() {
        for value in ["0", "-5", "abc", ""] {
            let notifier = ServiceNotifier(
                environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": value],
                unsetEnvironment: false
            )
            #expect(notifier.watchdogInterval == nil, "WATCHDOG_USEC=\(value)")
        }
    }

    @Test func withoutNotifySocketCallsAreSilentNoOps() {
        let notifier = ServiceNotifier(environment: ["WATCHDOG_USEC": "2000000"], unsetEnvironment: false)
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
        #expect(!notifier.ready(status: "x"))
        #expect(!notifier.watchdogPing())
        #expect(!notifier.send("STOPPING=1"))
    }

    @Test func unusableNotifySocketValuesDisableNotifications() {
        for value in ["relative/path", "", "@", "vsock:2:1234", "/" + String(repeating: "a", count: 200)] {
            let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": value], unsetEnvironment: false)
            #expect(!notifier.isEnabled, "NOTIFY_SOCKET=\(value)")
        }
    }

    @Test func sendToAbsentSocketReportsFailure() {
        let notifier = ServiceNotifier(
            environment: ["NOTIFY_SOCKET": "/nonexistent-\(UUID().uuidString)/notify"],
            unsetEnvironment: false
        )
        #expect(notifier.isEnabled)
        #expect(!notifier.ready(status: "nobody listens"))
    }

    @Test func initRemovesSystemdVariablesFromProcessEnvironment() throws {
        let socket = try NotifierTestSocket()
        setenv("NOTIFY_SOCKET", socket.notifySocket, 1)
        setenv("WATCHDOG_USEC", "4000000", 1)
        setenv("WATCHDOG_PID", String(getpid()), 1)
        let notifier = ServiceNotifier(unsetEnvironment: true)
        #expect(getenv("NOTIFY_SOCKET") == nil)
        #expect(getenv("WATCHDOG_USEC") == nil)
        #expect(getenv("WATCHDOG_PID") == nil)
        // What was captured still works after the variables are gone.
        #expect(notifier.watchdogInterval == .seconds(2))
        #expect(notifier.stopping())
        #expect(socket.receive() == "STOPPING=1")
    }

    @Test func unsetEnvironmentFalseLeavesProcessEnvironmentAlone() {
        let name = "NOTIFY_SOCKET"
        let before = getenv(name).map { String(cString: $0) }
        _ = ServiceNotifier(environment: [name: "/run/x"], unsetEnvironment: false)
        #expect(getenv(name).map { String(cString: $0) } == before)
    }

    @Test func childEnvironmentStripsSystemdVariables() {
        let env = [
            "PATH": "/usr/bin", "HOME": "/var/lib/mlopsd", "NOTIFY_SOCKET": "/run/systemd/notify",
            "WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1", "LISTEN_FDS": "1", "LISTEN_PID": "1",
            "LISTEN_FDNAMES": "x", "MLOPSD_STAGE": "train", "INVOCATION_ID": "abc",
        ]
        #expect(
            ServiceNotifier.childEnvironment(env) == [
                "PATH": "/usr/bin", "HOME": "/var/lib/mlopsd", "MLOPSD_STAGE": "train", "INVOCATION_ID": "abc",
            ]
        )
    }
}
