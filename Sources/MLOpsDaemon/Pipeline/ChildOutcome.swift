import Foundation
import Glibc

/// How a supervised child ended, and what became of its output.
///
/// A child that could not be started is not an outcome but a ``ChildSpawnError``: every
/// outcome describes a process that ran and was reaped.
public struct ChildOutcome: Sendable, Equatable {
    /// How the process ended, as `waitpid` reported it.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It called `exit` with this code.
        case exited(Int32)
        /// A signal ended it (SIGTERM 15, SIGKILL 9, …).
        case signalled(Int32)

        /// `exited(3)` or `signalled(SIGKILL)`.
        public var description: String {
            switch self {
            case .exited(let code): "exited(\(code))"
            case .signalled(let signo): "signalled(\(ChildOutcome.signalName(signo)))"
            }
        }
    }

    /// What happened to one of the child's output streams.
    public struct StreamTally: Sendable, Equatable {
        /// Bytes of the child's output written to the file (at most the cap; the truncation
        /// marker line is not counted).
        public var bytesWritten: Int
        /// Bytes the child wrote beyond the cap: counted, not stored.
        public var bytesDropped: Int
        /// Lines the stream held (a last line without a newline counts).
        public var lines: Int
        /// Lines that went to the journal (at most ``ChildSupervisor/journalLineLimit``).
        public var linesLogged: Int

        /// A tally.
        public init(bytesWritten: Int = 0, bytesDropped: Int = 0, lines: Int = 0, linesLogged: Int = 0) {
            self.bytesWritten = bytesWritten
            self.bytesDropped = bytesDropped
            self.lines = lines
            self.linesLogged = linesLogged
        }

        /// Whether the file stops short of what the child wrote.
        public var truncated: Bool { bytesDropped > 0 }
    }

    /// How the child ended.
    public var termination: Termination
    /// Whether the child overran its timeout and its group was signalled for it.
    public var timedOut: Bool
    /// Whether the awaiting task was cancelled and the group was signalled for it.
    public var cancelled: Bool
    /// Whether processes of the group outlived the child (after a normal exit) and had to be
    /// signalled.
    public var leftoversKilled: Bool
    /// The child's process id.
    public var pid: pid_t
    /// The child's process group (and session) id.
    public var processGroup: pid_t
    /// When the child started (wall clock).
    public var started: Date
    /// When the child was reaped and its group was empty (wall clock).
    public var finished: Date
    /// From the start to the end of supervision, on the monotonic clock.
    public var duration: Duration
    /// The child's standard output.
    public var stdout: StreamTally
    /// The child's standard error.
    public var stderr: StreamTally

    /// An outcome.
    public init(
        termination: Termination,
        timedOut: Bool,
        cancelled: Bool,
        leftoversKilled: Bool,
        pid: pid_t,
        processGroup: pid_t,
        started: Date,
        finished: Date,
        duration: Duration,
        stdout: StreamTally,
        stderr: StreamTally
    ) {
        self.termination = termination
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.leftoversKilled = leftoversKilled
        self.pid = pid
        self.processGroup = processGroup
        self.started = started
        self.finished = finished
        self.duration = duration
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether the stage's command succeeded: it exited 0 on its own, within its time.
    public var succeeded: Bool { termination == .exited(0) && !timedOut && !cancelled }

    /// ``duration`` in seconds.
    public var seconds: Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// `SIGTERM`, `SIGKILL`, … for the common signals, `signal 42` for the rest.
    public static func signalName(_ signo: Int32) -> String {
        switch signo {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGILL: "SIGILL"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGSEGV: "SIGSEGV"
        case SIGPIPE: "SIGPIPE"
        case SIGALRM: "SIGALRM"
        case SIGTERM: "SIGTERM"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        case SIGXCPU: "SIGXCPU"
        default: "signal \(signo)"
        }
    }
}
