/// One pipeline-stage child to run: what to execute, where, with which environment, for how
/// long, where its output goes, and how its journal lines are labelled (docs/design.md §7).
///
/// There is never a shell: `argv[0]` is the absolute path of the program and every argument
/// is passed to it as it is. The environment is the child's COMPLETE environment (nothing is
/// inherited from the daemon), except that the variables in ``scrubbedVariables`` are always
/// removed: they belong to the daemon's own conversation with systemd (docs/design.md §12).
///
/// The pipeline sets `MLOPSD_RUN_ID` in every child's environment; children inherit it, and
/// ``StrayChildren`` relies on it to recognise a group left behind by a daemon that died.
public struct ChildCommand: Sendable, Equatable {
    /// The program and its arguments; `argv[0]` is an absolute path to an executable file.
    public var argv: [String]
    /// The directory the child starts in; it must exist.
    public var workingDirectory: String
    /// The child's complete environment (minus ``scrubbedVariables``, see ``childEnvironment``).
    public var environment: [String: String]
    /// Seconds the child may run before its process group gets SIGTERM.
    public var timeout: Double
    /// Seconds between SIGTERM and SIGKILL to the process group (after a timeout, a
    /// cancellation, or when members of the group outlive the child).
    public var grace: Double
    /// The file the child's standard output is written to (created or truncated).
    public var stdoutPath: String
    /// The file the child's standard error is written to (created or truncated).
    public var stderrPath: String
    /// The most bytes of each stream written to its file; later bytes are counted, not
    /// written, and one line `[mlopsd: output truncated after N bytes]` ends the file.
    public var outputCap: Int
    /// The pipeline run, for the journal (`MLOPSD_RUN`).
    public var runID: String
    /// The stage name, for the journal (`MLOPSD_STAGE`).
    public var stage: String
    /// The model, for the journal (`MLOPSD_MODEL`).
    public var model: String

    /// The default ``outputCap``: 10 MiB per stream.
    public static let defaultOutputCap = 10 * 1024 * 1024

    /// Variables never passed to a child even when ``environment`` holds them: systemd's
    /// notification socket and watchdog (a child must not ping or notify for the daemon),
    /// socket activation (the sockets are the daemon's), and the daemon's invocation id.
    public static let scrubbedVariables: Set<String> = [
        "NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
        "INVOCATION_ID",
    ]

    /// A command; `grace` defaults to 10 seconds and `outputCap` to ``defaultOutputCap``.
    public init(
        argv: [String],
        workingDirectory: String,
        environment: [String: String],
        timeout: Double,
        grace: Double = 10,
        stdoutPath: String,
        stderrPath: String,
        outputCap: Int = ChildCommand.defaultOutputCap,
        runID: String,
        stage: String,
        model: String
    ) {
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.timeout = timeout
        self.grace = grace
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.outputCap = outputCap
        self.runID = runID
        self.stage = stage
        self.model = model
    }

    /// The environment the child actually gets: ``environment`` without ``scrubbedVariables``.
    public var childEnvironment: [String: String] {
        environment.filter { !Self.scrubbedVariables.contains($0.key) }
    }
}
