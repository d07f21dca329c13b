import Foundation
import Glibc
import Logging
import Subprocess
import Synchronization
import SystemPackage

/// Runs one pipeline-stage child under supervision (docs/design.md §7) and reports how it ended.
///
/// The child is started with swift-subprocess (posix_spawn), which gives it an empty signal
/// mask and default signal dispositions — unlike Foundation.Process started from a task,
/// whose children ignore SIGTERM (NOTES.md) — and, with `createSession`, its own session
/// and process group, so that the whole tree it starts can be signalled at once:
/// - standard input is `/dev/null`; no shell is involved; no descriptor of ours leaks;
/// - standard output and error go through pipes into their log files (capped) and, line by
///   line, into the journal as `childOutput` events (see ``ChildOutputPump``);
/// - after ``ChildCommand/timeout`` seconds, or when the awaiting task is cancelled, the
///   group gets SIGTERM, and SIGKILL ``ChildCommand/grace`` seconds later unless no live
///   member is left; each signal is logged as a `childKilled` warning saying why;
/// - the child is always reaped; when members of its group outlive it (a background job it
///   did not wait for), they get the same SIGTERM → grace → SIGKILL, so a finished stage
///   leaves nothing running.
///
/// Limits: a process that leaves the group (`setpgid`, `setsid`) escapes the group signals.
/// ``StrayChildren`` and, under systemd, the unit's cgroup catch what is left at the next start.
/// The timer and the TERM → KILL sequence are tasks on the concurrency pool: code that
/// blocks pool threads for long delays them (never by less than the configured times).
public enum ChildSupervisor {
    /// The most lines per stream and stage that go to the journal; the rest is only in the file.
    public static let journalLineLimit = 1_000
    /// The longest line (in bytes) sent to the journal; longer lines are cut and end with `…`.
    public static let journalLineBytes = 2_048

    /// Runs `command` to its end and returns how it ended.
    ///
    /// - Parameters:
    ///   - command: what to run, where, for how long, where the output goes.
    ///   - logger: receives `childOutput` (info) and `childKilled` (warning) events,
    ///     labelled with the command's run, stage and model.
    ///   - onStart: called once the child runs, with its pid, process group and start time,
    ///     before its output is read (so keep it short: the pipes hold 64 KiB each).
    /// - Returns: the outcome of a child that ran and was reaped.
    /// - Throws: ``ChildSpawnError`` when the child could not be started (nothing runs then),
    ///   or — very rarely — could not be watched to its end (its group is killed first).
    ///   A task already cancelled before the start starts nothing and throws
    ///   ``ChildSpawnError/cancelledBeforeStart``.
    public static func run(
        _ command: ChildCommand,
        logger: Logger,
        onStart: @escaping @Sendable (ChildStart) async -> Void = { _ in }
    ) async throws(ChildSpawnError) -> ChildOutcome {
        try validate(command)
        if Task.isCancelled { throw .cancelledBeforeStart }
        let stdoutFD = try openOutput(command.stdoutPath)
        defer { close(stdoutFD) }
        let stderrFD = try openOutput(command.stderrPath)
        defer { close(stderrFD) }

        let labels: Logger.Metadata = [
            "run": .string(command.runID), "stage": .string(command.stage), "model": .string(command.model),
        ]
        let terminator = ChildGroupTerminator(
            timeout: .seconds(command.timeout),
            grace: .seconds(command.grace),
            logger: logger,
            metadata: labels,
            stage: command.stage
        )
        func pump(_ stream: String, _ fd: Int32, _ path: String) -> ChildOutputPump {
            var metadata = labels
            metadata["event"] = LogEvent.childOutput.metadataValue
            metadata["stream"] = .string(stream)
            return ChildOutputPump(
                stream: stream,
                fd: fd,
                path: path,
                cap: command.outputCap,
                logger: logger,
                metadata: metadata
            )
        }
        let stdoutPump = pump("stdout", stdoutFD, command.stdoutPath)
        let stderrPump = pump("stderr", stderrFD, command.stderrPath)

        // The child runs in a task of its own that is never cancelled: cancellation of the
        // caller is turned into the group's TERM → grace → KILL by the terminator, while the
        // output is still read to its end and the child is still reaped here.
        let runner = Task {
            await launch(command, stdout: stdoutPump, stderr: stderrPump, terminator: terminator, onStart: onStart)
        }
        let launched = await withTaskCancellationHandler {
            await runner.value
        } onCancel: {
            terminator.trigger(.cancelled)
        }
        switch launched {
        case .failure(let error):
            if case .supervisionFailed = error {
                terminator.trigger(.supervisionFailed)
            }
            _ = await terminator.finish()
            throw error
        case .success(let run):
            let reason = await terminator.finish()
            let end = ContinuousClock.now
            return ChildOutcome(
                termination: run.termination,
                timedOut: reason == .timeout,
                cancelled: reason == .cancelled,
                leftoversKilled: reason == .leftovers,
                pid: run.start.pid,
                processGroup: run.start.processGroup,
                started: run.start.started,
                finished: Date(),
                duration: end - run.startInstant,
                stdout: run.stdout,
                stderr: run.stderr
            )
        }
    }

    // MARK: - Running

    /// What the runner task brings back from a child that ran.
    struct Launched: Sendable {
        var start: ChildStart
        var startInstant: ContinuousClock.Instant
        var termination: ChildOutcome.Termination
        var stdout: ChildOutcome.StreamTally
        var stderr: ChildOutcome.StreamTally
    }

    /// The body's result: the start and both streams' tallies.
    private struct Pumped: Sendable {
        var start: ChildStart
        var startInstant: ContinuousClock.Instant
        var stdout: ChildOutcome.StreamTally
        var stderr: ChildOutcome.StreamTally
    }

    /// Spawns the child, reads its output to the end, and returns once it is reaped.
    private static func launch(
        _ command: ChildCommand,
        stdout: ChildOutputPump,
        stderr: ChildOutputPump,
        terminator: ChildGroupTerminator,
        onStart: @escaping @Sendable (ChildStart) async -> Void
    ) async -> Result<Launched, ChildSpawnError> {
        let executable = command.argv.first ?? ""
        var options = PlatformOptions()
        options.createSession = true
        // Only used if our body throws (it does not): the terminator does the real work.
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(command.grace))
        ]
        var environment: [Environment.Key: String] = [:]
        for (name, value) in command.childEnvironment {
            environment[Environment.Key(stringLiteral: name)] = value
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(Array(command.argv.dropFirst())),
            environment: .custom(environment),
            workingDirectory: FilePath(command.workingDirectory),
            platformOptions: options
        )
        let started = Mutex<pid_t?>(nil)
        do {
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) {
                execution in
                let pid = execution.processIdentifier.value
                started.withLock { $0 = pid }
                let startInstant = ContinuousClock.now
                let start = ChildStart(
                    pid: pid,
                    processGroup: pid,
                    startTime: ProcessTable.entry(for: pid)?.startTime ?? 0,
                    started: Date()
                )
                terminator.started(group: pid)
                await onStart(start)
                async let out = stdout.run(execution.standardOutput)
                async let err = stderr.run(execution.standardError)
                let (outTally, errTally) = await (out, err)
                return Pumped(start: start, startInstant: startInstant, stdout: outTally, stderr: errTally)
            }
            let termination: ChildOutcome.Termination =
                switch result.terminationStatus {
                case .exited(let code): .exited(code)
                case .signaled(let signo): .signalled(signo)
                }
            let pumped = result.closureResult
            return .success(
                Launched(
                    start: pumped.start,
                    startInstant: pumped.startInstant,
                    termination: termination,
                    stdout: pumped.stdout,
                    stderr: pumped.stderr
                )
            )
        } catch {
            if let pid = started.withLock({ $0 }) {
                return .failure(.supervisionFailed(pid: pid, reason: "\(error)"))
            }
            return .failure(spawnError(error, command: command))
        }
    }

    /// A swift-subprocess error before the start, as a ``ChildSpawnError`` naming the path.
    private static func spawnError(_ error: any Error, command: ChildCommand) -> ChildSpawnError {
        let executable = command.argv.first ?? ""
        guard let error = error as? SubprocessError else {
            return .spawnFailed(path: executable, reason: "\(error)")
        }
        let reason = error.underlyingError.map { String(cString: strerror($0.rawValue)) } ?? error.description
        switch error.code {
        case .failedToChangeWorkingDirectory:
            return .workingDirectoryUnusable(path: command.workingDirectory, reason: reason)
        case .executableNotFound:
            return .notExecutable(path: executable, reason: reason)
        default:
            return .spawnFailed(path: executable, reason: reason)
        }
    }

    // MARK: - Checks before the start

    /// Checks the command before anything is started, so that each mistake gets its own
    /// message (the kernel reports a missing working directory and a missing program with
    /// the same ENOENT).
    static func validate(_ command: ChildCommand) throws(ChildSpawnError) {
        guard let executable = command.argv.first, !executable.isEmpty else { throw .emptyCommand }
        guard executable.hasPrefix("/") else { throw .relativeExecutable(executable) }
        if let bad = command.argv.first(where: { $0.utf8.contains(0) }) {
            throw .invalidCommand(
                executable: executable,
                reason: "the argument \(bad.debugDescription) contains a NUL byte"
            )
        }
        for (name, value) in command.childEnvironment
        where name.isEmpty || name.contains("=") || name.utf8.contains(0) || value.utf8.contains(0) {
            throw .invalidCommand(
                executable: executable,
                reason: "the environment variable \(name.debugDescription) is not valid"
            )
        }
        guard command.timeout.isFinite, command.timeout > 0 else {
            throw .invalidCommand(
                executable: executable,
                reason: "the timeout \(command.timeout) is not a positive number of seconds"
            )
        }
        guard command.grace.isFinite, command.grace >= 0 else {
            throw .invalidCommand(
                executable: executable,
                reason: "the grace \(command.grace) is not a number of seconds ≥ 0"
            )
        }
        guard command.outputCap >= 0 else {
            throw .invalidCommand(executable: executable, reason: "the output cap \(command.outputCap) is negative")
        }
        var st = stat()
        guard stat(command.workingDirectory, &st) == 0 else {
            throw .workingDirectoryUnusable(path: command.workingDirectory, reason: ChildSpawnError.text(errno))
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw .workingDirectoryUnusable(path: command.workingDirectory, reason: "it is not a directory")
        }
        guard stat(executable, &st) == 0 else { throw .executableMissing(path: executable, errno: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw .notExecutable(path: executable, reason: "it is not a regular file")
        }
        guard access(executable, X_OK) == 0 else {
            throw .notExecutable(path: executable, reason: ChildSpawnError.text(errno))
        }
    }

    /// Opens (creates or truncates) an output file, close-on-exec, mode 0640.
    static func openOutput(_ path: String) throws(ChildSpawnError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .outputFileUnusable(path: path, errno: errno) }
        return fd
    }
}
