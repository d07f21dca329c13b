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
    /// `SubmitTime`: when Slurm accepted the job (nil when not given or `Unknown`).
    public var submitTime: Date?
    /// `StartTime`, only once the job has started: for a pending job Slurm prints its
    /// *expected* start there, which is not a start.
    public var startTime: Date?
    /// `EndTime`, only once the job is over: for a running job Slurm prints its start plus
    /// its time limit there, which is not an end.
    public var endTime: Date?

    /// A status.
    public init(
        state: String,
        exitStatus: Int? = nil,
        signal: Int? = nil,
        reason: String? = nil,
        nodes: String? = nil,
        fromAccounting: Bool = false,
        submitTime: Date? = nil,
        startTime: Date? = nil,
        endTime: Date? = nil
    ) {
        self.state = state
        self.exitStatus = exitStatus
        self.signal = signal
        self.reason = reason
        self.nodes = nodes
        self.fromAccounting = fromAccounting
        self.submitTime = submitTime
        self.startTime = startTime
        self.endTime = endTime
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
    /// has no `JobState`. Its times are read in `timeZone`: scontrol prints them in the
    /// local time of its own process (`TZ`), without a zone.
    public static func parseScontrol(_ output: String, timeZone: TimeZone = .gmt) -> SlurmJobStatus? {
        let fields = scontrolFields(output)
        guard let state = fields["JobState"], !state.isEmpty else { return nil }
        var status = SlurmJobStatus(state: state)
        if let code = fields["ExitCode"] { (status.exitStatus, status.signal) = exitCode(code) }
        if let reason = fields["Reason"], reason != "None", !reason.isEmpty { status.reason = reason }
        if let nodes = fields["NodeList"], nodes != "(null)", !nodes.isEmpty { status.nodes = nodes }
        status.setTimes(
            submit: fields["SubmitTime"],
            start: fields["StartTime"],
            end: fields["EndTime"],
            timeZone: timeZone
        )
        return status
    }

    /// Sets the three times from Slurm's text, keeping a start only once the job started
    /// and an end only once it is over (before that they are Slurm's estimates).
    mutating func setTimes(submit: String?, start: String?, end: String?, timeZone: TimeZone) {
        submitTime = submit.flatMap { Self.parseTime($0, timeZone: timeZone) }
        startTime = hasStarted ? start.flatMap { Self.parseTime($0, timeZone: timeZone) } : nil
        endTime = isFinished ? end.flatMap { Self.parseTime($0, timeZone: timeZone) } : nil
        // A job cancelled while pending has an end but never started.
        if let startTime, let endTime, endTime < startTime { self.endTime = startTime }
    }

    /// Reads one of Slurm's times, `2026-12-06T10:30:12` (local time of the printing
    /// process, no zone; whole seconds), as a moment in `timeZone`. Nil for `Unknown`,
    /// `None`, `N/A`, an empty value or anything else that is not such a time.
    public static func parseTime(_ text: String, timeZone: TimeZone) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(
            omittingEmptySubsequences: false,
            whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }
        )
        guard parts.count == 6,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 6, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]),
            (0...23).contains(numbers[3]), (0...59).contains(numbers[4]), (0...60).contains(numbers[5])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(
            year: numbers[0],
            month: numbers[1],
            day: numbers[2],
            hour: numbers[3],
            minute: numbers[4],
            second: numbers[5]
        )
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == numbers[2]
        else { return nil }
        return date
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

    /// Parses `sacct -c -j ID -P -n -o JobID,State,ExitCode,Start,End` for job `id` (the
    /// job's own line, not its steps). Nil when the job is not there. `sacct -c` prints the
    /// times as the job completion log holds them, in the controller's local time, read
    /// here in `timeZone`. (Its `Submit` column repeats the start, so it is not asked for.)
    public static func parseAccounting(
        _ output: String,
        id: String,
        timeZone: TimeZone = .current
    )
        -> SlurmJobStatus?
    {
        for line in output.split(whereSeparator: \.isNewline).reversed() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count >= 3, parts[0] == id else { continue }
            // "CANCELLED by 0" → CANCELLED
            let state = parts[1].split(separator: " ").first.map(String.init) ?? parts[1]
            var status = SlurmJobStatus(state: state, fromAccounting: true)
            (status.exitStatus, status.signal) = exitCode(parts[2])
            status.setTimes(
                submit: nil,
                start: parts.count > 3 ? parts[3] : nil,
                end: parts.count > 4 ? parts[4] : nil,
                timeZone: timeZone
            )
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
