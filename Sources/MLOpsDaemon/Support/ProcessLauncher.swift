import Glibc
import MLOpsClient

/// Starts a program with posix_spawn, an empty signal mask and default signal dispositions,
/// its standard streams on files.
///
/// Foundation.Process started from a Dispatch queue or a task hands the child a blocked
/// signal mask (NOTES.md: the child then ignores SIGTERM); a spawn that sets the mask and
/// dispositions explicitly does not. Used by the tests, the benchmark and anything that
/// must start a real `mlopsd` or `mlopsctl`.
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
        _ executable: String, arguments: [String], environment: [String],
        stdin: String = "/dev/null", stdout: String, stderr: String? = nil, mode: OutputMode = .truncate
    ) throws(SystemError) -> pid_t {
        let flags = O_WRONLY | O_CREAT | (mode == .append ? O_APPEND : O_TRUNC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, flags, 0o644)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, flags, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SystemError("posix_spawn \(executable)", errno: rc) }
        return pid
    }
}
