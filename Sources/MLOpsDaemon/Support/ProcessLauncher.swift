import Glibc
import MLOpsClient

/// Starts a program with posix_spawn, an empty signal mask and default signal dispositions,
/// its standard streams on files.
///
/// Foundation.Process started from a Dispatch queue or a task hands the child a blocked
/// signal mask (NOTES.md: the child then ignores SIGTERM); a spawn that sets the mask and
/// dispositions explicitly does not (``ChildSpawn``, shared with the deploy hook). Used by
/// the tests and the benchmark (so it stays in the library), and anything that must start a
/// real `mlopsd` or `mlopsctl`.
public enum ProcessLauncher {
    /// How a child's output is opened.
    public enum OutputMode: Sendable {
        /// Start the file afresh.
        case truncate
        /// Add to what is there (a daemon restarted into the same log).
        case append
    }

    /// Spawns `executable` with `arguments` (argv[0] is `executable`) and `environment`
    /// (`NAME=value` strings). Standard input comes from `stdin`; standard output goes to
    /// `stdout` and standard error to `stderr`, or to the same file when nil.
    public static func spawn(
        _ executable: String,
        arguments: [String],
        environment: [String],
        stdin: String = "/dev/null",
        stdout: String,
        stderr: String? = nil,
        mode: OutputMode = .truncate
    ) throws(SystemError) -> pid_t {
        let flags = O_WRONLY | O_CREAT | (mode == .append ? O_APPEND : O_TRUNC)
        var actions: [ChildSpawn.FileAction] = [
            .open(0, path: stdin, flags: O_RDONLY),
            .open(1, path: stdout, flags: flags, mode: 0o644),
        ]
        if let stderr {
            actions.append(.open(2, path: stderr, flags: flags, mode: 0o644))
        } else {
            actions.append(.duplicate(1, to: 2))
        }
        do {
            return try ChildSpawn.spawn(
                executable,
                argv: [executable] + arguments,
                environment: environment,
                actions: actions
            )
        } catch {
            throw SystemError("posix_spawn \(executable)", errno: error.code)
        }
    }
}
