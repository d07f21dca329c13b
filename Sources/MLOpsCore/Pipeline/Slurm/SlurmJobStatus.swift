import Foundation

/// What Slurm says about a batch job, read from `scontrol -o show job ID` or, once
/// scontrol has forgotten the job, from `sacct -c` (docs/slurm.md), and what it means for
/// the stage.
public struct SlurmJobStatus: Sendable, Equatable {
    /// `JobState`, e.g. `PENDING`, `RUNNING`, `COMPLETING`, `COMPLETED`, `FAILED`.
    public var state: String
    /// The exit status of the batch script (`ExitCode=status:signal`).
    public var exitStatus: Int?
    /// The signal that ended it (`ExitCode=status:signal`), 0 when none.
    public var signal: Int?
    /// `Reason` (why a job is pending, or why it failed), when Slurm gave one.
    public var reason: String?
    /// `NodeList`, when known.
    public var nodes: String?
    /// From `sacct -c`: its exit codes are 0:0 for cancelled and timed-out jobs.
    public var fromAccounting: Bool

    /// A status.
    public init(
        state: String,
        exitStatus: Int? = nil,
        signal: Int? = nil,
        reason: String? = nil,
        nodes: String? = nil,
        fromAccounting: Bool = false
    ) {
        self.state = state
        self.exitStatus = exitStatus
        self.signal = signal
        self.reason = reason
        self.nodes = nodes
        self.fromAccounting = fromAccounting
    }

    /// How the stage ends, once the job has.
    public enum Ending: Sendable, Equatable {
        /// `COMPLETED` with exit status 0.
        case succeeded
        /// The script exited non-zero or was killed by a signal (`FAILED`, `OUT_OF_MEMORY`).
        case failed(exitStatus: Int?, signal: Int?, why: String)
        /// `CANCELLED` (by `scancel`, the daemon's or an administrator's).
        case cancelled
        /// `TIMEOUT`: over its `--time`.
        case timedOut
        /// `NODE_FAIL`, `BOOT_FAIL`: the cluster, not the stage, failed.
        case nodeFailure(why: String)
    }

    /// States in which the job is not over yet: `COMPLETING` is not finished (its
    /// processes may still write), nor is a job being requeued or resized.
    public static let activeStates: Set<String> = [
        "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD",
        "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "SPECIAL_EXIT", "POWER_UP_NODE",
    ]

    /// Whether the job is over.
    public var isFinished: Bool { !Self.activeStates.contains(state) }

    /// Whether the job has started on a node (not only queued).
    public var hasStarted: Bool { state != "PENDING" && state != "CONFIGURING" && state != "REQUEUED" }

    /// The stage's ending, or nil while the job is not over.
    public var ending: Ending? {
        guard isFinished else { return nil }
        switch state {
        case "COMPLETED":
            if (exitStatus ?? 0) == 0 && (signal ?? 0) == 0 { return .succeeded }
            return .failed(exitStatus: exitStatus, signal: signal, why: "COMPLETED with exit code \(exitCodeText)")
        case "CANCELLED", "DEADLINE": return .cancelled
        case "TIMEOUT": return .timedOut
        case "NODE_FAIL", "BOOT_FAIL":
            return .nodeFailure(why: "\(state)" + (reason.map { " (\($0))" } ?? "") + (nodes.map { " on \($0)" } ?? ""))
        case "OUT_OF_MEMORY":
            return .failed(exitStatus: exitStatus, signal: signal, why: "OUT_OF_MEMORY: the job went over its --mem")
        case "PREEMPTED":
            return .failed(exitStatus: exitStatus, signal: signal, why: "PREEMPTED by a higher-priority job")
        default:
            return .failed(
                exitStatus: exitStatus,
                signal: signal,
                why: "\(state) with exit code \(exitCodeText)" + (reason.map { " (\($0))" } ?? "")
            )
        }
    }

    /// `status:signal`, as Slurm prints it.
    public var exitCodeText: String { "\(exitStatus.map(String.init) ?? "?"):\(signal.map(String.init) ?? "?")" }

    /// Parses one line of `scontrol -o show job ID` (`Key=Value` words). Nil when the line
    /// has no `JobState`.
    public static func parseScontrol(_ output: String) -> SlurmJobStatus? {
        let fields = scontrolFields(output)
        guard let state = fields["JobState"], !state.isEmpty else { return nil }
        var status = SlurmJobStatus(state: state)
        if let code = fields["ExitCode"] { (status.exitStatus, status.signal) = exitCode(code) }
        if let reason = fields["Reason"], reason != "None", !reason.isEmpty { status.reason = reason }
        if let nodes = fields["NodeList"], nodes != "(null)", !nodes.isEmpty { status.nodes = nodes }
        return status
    }

    /// The `Key=Value` words of one `scontrol -o` line. A value runs to the next space
    /// that is followed by another `Key=` (values such as `Command=` may hold spaces).
    public static func scontrolFields(_ line: String) -> [String: String] {
        var fields: [String: String] = [:]
        let text = line.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        var key: String?
        var value = ""
        for word in words {
            if let eq = word.firstIndex(of: "="),
                word[word.startIndex..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == ":" || $0 == "/" }),
                word.startIndex != eq
            {
                if let key { fields[key] = value }
                key = String(word[word.startIndex..<eq])
                value = String(word[word.index(after: eq)...])
            } else if key != nil {
                value += " " + word
            }
        }
        if let key { fields[key] = value }
        return fields
    }

    /// Parses `sacct -c -j ID -P -n -o JobID,State,ExitCode` for job `id` (the job's own
    /// line, not its steps). Nil when the job is not there.
    public static func parseAccounting(_ output: String, id: String) -> SlurmJobStatus? {
        for line in output.split(whereSeparator: \.isNewline).reversed() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count >= 3, parts[0] == id else { continue }
            // "CANCELLED by 0" → CANCELLED
            let state = parts[1].split(separator: " ").first.map(String.init) ?? parts[1]
            var status = SlurmJobStatus(state: state, fromAccounting: true)
            (status.exitStatus, status.signal) = exitCode(parts[2])
            return status
        }
        return nil
    }

    /// `status:signal` → its two numbers.
    static func exitCode(_ text: String) -> (Int?, Int?) {
        let parts = text.split(separator: ":")
        guard parts.count == 2 else { return (Int(text), nil) }
        return (Int(parts[0]), Int(parts[1]))
    }
}
