/// How a run of a ``DeployHook`` ended, with its output, for the deploy's result and the
/// audit log.
///
/// A failing hook rolls the serving switch back (docs/design.md §10), and the administrator needs
/// to know why it failed without digging: the status, a one-sentence summary and the tail
/// of what the command printed.
public struct HookOutcome: Sendable, Equatable {
    /// How the command ended.
    public enum Status: Sendable, Equatable {
        /// It exited with this status (−1 when the status was lost: someone else reaped it).
        case exited(Int32)
        /// A signal ended it (not one of ours: ours make it `timedOut`).
        case signaled(Int32)
        /// It was still running at the timeout and was killed, with its process group.
        case timedOut
        /// It never ran; the text says what was wrong (`/x: No such file or directory`).
        case couldNotStart(String)
    }

    /// How the command ended.
    public var status: Status
    /// Standard output and standard error, interleaved as written; at most the last
    /// ``DeployHook/outputLimit`` bytes, with a first line saying so when more was dropped.
    public var output: String
    /// Seconds from the start to the end of the run (including the grace after a timeout).
    public var duration: Double
    /// The timeout the hook ran with (for the summary).
    public var timeout: Double

    /// An outcome from its parts.
    public init(status: Status, output: String, duration: Double, timeout: Double) {
        self.status = status
        self.output = output
        self.duration = duration
        self.timeout = timeout
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { status == .exited(0) }

    /// One sentence for a result or a log line: "exited with status 3", "killed by signal
    /// 9", "did not finish within 5 s and was killed", "could not start /x: No such file or
    /// directory".
    public var summary: String {
        switch status {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        case .timedOut: return "did not finish within \(HookOutcome.seconds(timeout)) s and was killed"
        case .couldNotStart(let reason): return "could not start \(reason)"
        }
    }

    /// `5` for 5.0, `0.5` for 0.5.
    static func seconds(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
