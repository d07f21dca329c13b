import CPosix
import Glibc

/// mlopsd's one `posix_spawn` path (the deploy hook, ``ProcessLauncher``): builds the C
/// argv and envp, the file actions and the attributes, and starts the program.
///
/// Every child gets an empty signal mask and every signal at its default disposition:
/// a child started from a Dispatch queue or a task would otherwise inherit a blocked mask
/// and ignore SIGTERM (NOTES.md). Pipeline stages use swift-subprocess instead
/// (``ChildSupervisor``), which does the same.
enum ChildSpawn {
    /// One step of setting up the child's descriptors and directory, applied in order.
    enum FileAction {
        /// Opens `path` with `flags` (and `mode` when it creates the file) as `descriptor`.
        case open(Int32, path: String, flags: Int32, mode: mode_t = 0)
        /// Makes `target` a copy of `descriptor`.
        case duplicate(Int32, to: Int32)
        /// Closes every descriptor from this one up (ours without FD_CLOEXEC stay ours).
        case closeFrom(Int32)
        /// Changes into the directory before the program starts.
        case changeDirectory(String)
    }

    /// Why a spawn failed: the errno, and the step that gave it (posix_spawn reports a
    /// missing directory and a missing program with the same ENOENT; callers word them apart).
    struct Failure: Error {
        /// Where it failed.
        enum Step {
            /// Adding the `chdir` action (the directory's path is refused).
            case changeDirectory
            /// `posix_spawn` itself (the program, the directory, a descriptor).
            case spawn
        }

        /// The errno.
        var code: Int32
        /// The step that failed.
        var step: Step
    }

    /// Starts `executable` with `argv` (its `argv[0]` included) and exactly `environment`
    /// (`NAME=value` strings), after `actions`; in a process group of its own when
    /// `ownProcessGroup` (so a timeout can signal everything it started). Returns the pid.
    static func spawn(
        _ executable: String,
        argv: [String],
        environment: [String],
        actions: [FileAction],
        ownProcessGroup: Bool = false
    ) throws(Failure) -> pid_t {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        for action in actions {
            switch action {
            case .open(let descriptor, let path, let flags, let mode):
                posix_spawn_file_actions_addopen(&fileActions, descriptor, path, flags, mode)
            case .duplicate(let descriptor, let target):
                posix_spawn_file_actions_adddup2(&fileActions, descriptor, target)
            case .closeFrom(let lowest):
                _ = mlopsd_spawn_add_close_from(&fileActions, lowest)
            case .changeDirectory(let directory):
                let rc = directory.withCString { mlopsd_spawn_add_chdir(&fileActions, $0) }
                guard rc == 0 else { throw Failure(code: rc, step: .changeDirectory) }
            }
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
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArgv { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &fileActions, &attributes, cArgv, cEnvironment)
        guard rc == 0 else { throw Failure(code: rc, step: .spawn) }
        return pid
    }
}
