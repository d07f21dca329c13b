import CPosix
import Glibc
import MLOpsCore

/// An administrator's deploy command (from a pipeline file), run synchronously with a
/// timeout after the serving link is switched (docs/design.md §10: a failing hook rolls it back).
///
/// Commands come only from the administrator's files (docs/design.md §14), so there is no shell and
/// no PATH search: `argv[0]` must be an absolute path and the arguments are passed as they
/// are. The command is started with `posix_spawn`:
/// - in its own process group, so a timeout can end it together with everything it started
///   (SIGTERM to the group, then SIGKILL to the group after `grace` seconds);
/// - with an empty signal mask and default signal dispositions (like ``ProcessLauncher``:
///   a child started from a Dispatch queue would otherwise ignore SIGTERM, NOTES.md);
/// - with standard input from `/dev/null` and standard output and error on one pipe, of
///   which the last ``outputLimit`` bytes are kept;
/// - with no descriptor of ours beyond 0–2, in `workingDirectory`;
/// - with exactly the given environment, minus systemd's variables (`NOTIFY_SOCKET`,
///   `WATCHDOG_*`, `LISTEN_*`: a hook must not ping our watchdog), plus
///   `PATH=/usr/local/bin:/usr/bin:/bin` unless the environment sets `PATH`.
///
/// The process is always reaped. When it exits but something it started in the background
/// keeps the pipe open, reading stops after ``drainAfterExit`` seconds instead of waiting
/// for that process; such leftovers are not killed after a normal exit (only after a timeout).
public struct DeployHook: Sendable {
    /// The command and its arguments; `argv[0]` is an absolute path.
    public var argv: [String]
    /// Seconds the command may run before it is terminated.
    public var timeout: Double
    /// Seconds between SIGTERM and SIGKILL after a timeout.
    public var grace: Double = 2

    /// The most output kept (the tail: the end of a failing command's output says why).
    public static let outputLimit = 64 * 1024
    /// `PATH` for the command when the environment names none.
    public static let defaultPath = "/usr/local/bin:/usr/bin:/bin"
    /// After the command exited, how long output is still read when the pipe stays open
    /// (a background process it started holds it); reading also stops after 0.1 s of silence.
    public static let drainAfterExit = 1.0

    /// A hook running `argv` with `timeout` seconds, then `grace` seconds between SIGTERM
    /// and SIGKILL.
    public init(argv: [String], timeout: Double, grace: Double = 2) {
        self.argv = argv
        self.timeout = timeout
        self.grace = grace
    }

    /// Runs the command to its end (or its timeout) and returns how it ended. Never throws:
    /// a command that cannot start is an outcome like any other.
    public func run(environment: [String: String], workingDirectory: String) -> HookOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func outcome(_ status: HookOutcome.Status, _ output: String = "") -> HookOutcome {
            HookOutcome(
                status: status,
                output: output,
                duration: DeployHook.seconds(clock.now - start),
                timeout: timeout
            )
        }
        let prepared: Prepared
        switch prepare(environment: environment, workingDirectory: workingDirectory) {
        case .success(let value): prepared = value
        case .failure(let reason): return outcome(.couldNotStart(reason.text))
        }
        let pid: pid_t
        let readFD: Int32
        switch spawn(prepared) {
        case .success(let started): (pid, readFD) = started
        case .failure(let reason): return outcome(.couldNotStart(reason.text))
        }
        defer { close(readFD) }
        var supervisor = Supervisor(
            pid: pid,
            readFD: readFD,
            clock: clock,
            start: start,
            timeout: timeout,
            grace: grace
        )
        let status = supervisor.run()
        return outcome(status, supervisor.output.text)
    }

    // MARK: - Preparing and spawning

    /// Why the command could not start, as the text after "could not start ".
    struct StartFailure: Error {
        var text: String
    }

    /// The checked inputs of one spawn.
    struct Prepared {
        var executable: String
        var argv: [String]
        var environment: [String]
        var workingDirectory: String
    }

    /// Checks argv, the environment and the working directory before anything is started,
    /// so each mistake gets its own message (posix_spawn reports a missing working directory
    /// and a missing executable with the same ENOENT).
    private func prepare(environment: [String: String], workingDirectory: String) -> Result<Prepared, StartFailure> {
        guard let executable = argv.first, !executable.isEmpty else {
            return .failure(StartFailure(text: "the hook: its command is empty; give an absolute path to a program"))
        }
        guard executable.hasPrefix("/") else {
            return .failure(
                StartFailure(
                    text:
                        "\(executable): the command must be an absolute path (hooks run without a shell and without a PATH search)"
                )
            )
        }
        if let bad = argv.first(where: { $0.utf8.contains(0) }) {
            return .failure(
                StartFailure(text: "\(executable): the argument \(bad.debugDescription) contains a NUL byte")
            )
        }
        var env = ServiceNotifier.childEnvironment(environment)
        if env["PATH"] == nil { env["PATH"] = DeployHook.defaultPath }
        for (name, value) in env {
            if name.isEmpty || name.contains("=") || name.utf8.contains(0) || value.utf8.contains(0) {
                return .failure(
                    StartFailure(text: "\(executable): the environment variable \(name.debugDescription) is not valid")
                )
            }
        }
        var st = stat()
        guard stat(workingDirectory, &st) == 0 else {
            return .failure(StartFailure(text: "\(executable) in \(workingDirectory): \(DeployHook.errorText(errno))"))
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            return .failure(StartFailure(text: "\(executable) in \(workingDirectory): it is not a directory"))
        }
        guard stat(executable, &st) == 0 else {
            return .failure(StartFailure(text: "\(executable): \(DeployHook.errorText(errno))"))
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            return .failure(StartFailure(text: "\(executable): it is not a regular file"))
        }
        return .success(
            Prepared(
                executable: executable,
                argv: argv,
                environment: env.map { "\($0.key)=\($0.value)" }.sorted(),
                workingDirectory: workingDirectory
            )
        )
    }

    /// Starts the command; returns its pid and the read end of its output pipe (non-blocking).
    private func spawn(_ prepared: Prepared) -> Result<(pid_t, Int32), StartFailure> {
        var fds: [Int32] = [-1, -1]
        guard DeployHook.makePipe(&fds) else {
            return .failure(
                StartFailure(text: "\(prepared.executable): cannot create a pipe: \(DeployHook.errorText(errno))")
            )
        }
        let (readFD, writeFD) = (fds[0], fds[1])
        _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)

        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(
                prepared.executable,
                argv: prepared.argv,
                environment: prepared.environment,
                actions: [
                    .open(0, path: "/dev/null", flags: O_RDONLY),
                    .duplicate(writeFD, to: 1),
                    .duplicate(writeFD, to: 2),
                    // Descriptors of ours that lack FD_CLOEXEC (the database, the spool) stay ours.
                    .closeFrom(3),
                    .changeDirectory(prepared.workingDirectory),
                ],
                ownProcessGroup: true
            )
        } catch {
            close(readFD)
            close(writeFD)
            switch error.step {
            case .changeDirectory:
                return .failure(
                    StartFailure(
                        text:
                            "\(prepared.executable) in \(prepared.workingDirectory): \(DeployHook.errorText(error.code))"
                    )
                )
            case .spawn:
                return .failure(StartFailure(text: "\(prepared.executable): \(DeployHook.errorText(error.code))"))
            }
        }
        close(writeFD)
        return .success((pid, readFD))
    }

    /// A pipe whose both ends are close-on-exec from the start (pipe2), so no program that
    /// another thread starts meanwhile inherits the write end and holds our reader open.
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        fds.withUnsafeMutableBufferPointer { mlopsd_pipe_cloexec($0.baseAddress) } == 0
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// Watches one started hook: reads its output, enforces the timeout, reaps it.
private struct Supervisor {
    let pid: pid_t
    let readFD: Int32
    let clock: ContinuousClock
    let deadline: ContinuousClock.Instant
    let grace: Double
    private(set) var output = OutputTail(limit: DeployHook.outputLimit)

    private var waitStatus: Int32?
    private var reapedAt: ContinuousClock.Instant?
    private var lastOutput: ContinuousClock.Instant
    private var endOfOutput = false
    private var timedOut = false
    private var killAt: ContinuousClock.Instant?
    private var killed = false
    /// Sleep between waitpid checks once the pipe is closed (grows to 50 ms).
    private var backoff = 0.001

    init(
        pid: pid_t,
        readFD: Int32,
        clock: ContinuousClock,
        start: ContinuousClock.Instant,
        timeout: Double,
        grace: Double
    ) {
        self.pid = pid
        self.readFD = readFD
        self.clock = clock
        self.deadline = start + .seconds(max(0, timeout))
        self.grace = max(0, grace)
        lastOutput = start
    }

    mutating func run() -> HookOutcome.Status {
        while true {
            reap()
            let now = clock.now
            enforceTimeout(now)
            if isDone(now) { break }
            wait(until: nextWake(now), now: now)
        }
        if timedOut { return .timedOut }
        guard let status = waitStatus else { return .exited(-1) }
        let signal = status & 0x7F
        if signal == 0 { return .exited((status >> 8) & 0xFF) }
        return .signaled(signal)
    }

    /// Reaps the hook if it has exited.
    private mutating func reap() {
        guard reapedAt == nil else { return }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid {
            waitStatus = status
            reapedAt = clock.now
        } else if rc < 0 && errno == ECHILD {
            // Reaped by someone else (SIGCHLD ignored): the status is lost.
            reapedAt = clock.now
        }
    }

    /// SIGTERM to the group at the deadline, SIGKILL to the group `grace` later unless the
    /// whole group is gone by then.
    private mutating func enforceTimeout(_ now: ContinuousClock.Instant) {
        if !timedOut && reapedAt == nil && now >= deadline {
            timedOut = true
            kill(-pid, SIGTERM)
            killAt = now + .seconds(grace)
        }
        guard timedOut, !killed, let killAt else { return }
        if reapedAt != nil && kill(-pid, 0) != 0 && errno == ESRCH {
            killed = true  // nothing left to kill
        } else if now >= killAt {
            kill(-pid, SIGKILL)
            killed = true
        }
    }

    /// Reaped, and either the output is at its end, or (nothing left of a timed-out group
    /// to wait for and) the pipe stayed quiet or open too long after the exit.
    private func isDone(_ now: ContinuousClock.Instant) -> Bool {
        guard let reapedAt else { return false }
        if endOfOutput { return true }
        if timedOut && !killed { return false }
        let quiet = now - max(lastOutput, reapedAt) >= .milliseconds(100)
        return quiet || now - reapedAt >= .seconds(DeployHook.drainAfterExit)
    }

    /// The next moment something is due (deadline, SIGKILL, end of draining), at most 50 ms
    /// away so that an exit is noticed while the pipe stays open.
    private func nextWake(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var wake = now + .milliseconds(50)
        if !timedOut && reapedAt == nil { wake = min(wake, deadline) }
        if timedOut && !killed, let killAt { wake = min(wake, killAt) }
        if let reapedAt { wake = min(wake, max(lastOutput, reapedAt) + .milliseconds(100)) }
        return wake
    }

    /// Waits for output until `wake`, reading what comes; once the pipe is at its end,
    /// sleeps briefly instead (the exit is then near: short, growing sleeps).
    private mutating func wait(until wake: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let remaining = max(0, DeployHook.seconds(wake - now))
        if endOfOutput {
            let pause = min(remaining, backoff)
            backoff = min(backoff * 2, 0.05)
            _ = poll(nil, 0, Int32((pause * 1000).rounded(.up)))
            return
        }
        var pfd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        let rc = poll(&pfd, 1, Int32((remaining * 1000).rounded(.up)))
        if rc > 0 { drain() }
    }

    /// Reads everything available now; notes the end of the output.
    private mutating func drain() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 {
                output.append(chunk[0..<n])
                lastOutput = clock.now
                continue
            }
            if n == 0 { endOfOutput = true }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { endOfOutput = true }
            return
        }
    }
}

/// The last `limit` bytes of a stream.
private struct OutputTail {
    let limit: Int
    private var bytes: [UInt8] = []
    private var dropped = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit {
            bytes.removeFirst(bytes.count - limit)
            dropped = true
        }
    }

    /// The kept bytes as text (invalid UTF-8 repaired), after a note when the start was
    /// dropped; at most `limit` bytes in all.
    var text: String {
        guard dropped else { return String(decoding: bytes, as: UTF8.self) }
        let note = Array("[earlier output dropped]\n".utf8)
        var tail = bytes.suffix(limit - note.count)
        // Start on a character boundary, not inside a multi-byte sequence.
        while let first = tail.first, first & 0xC0 == 0x80 { tail = tail.dropFirst() }
        return String(decoding: note + tail, as: UTF8.self)
    }
}
