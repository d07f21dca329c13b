import Glibc

/// Why a child could not be started (or, rarely, could not be watched to its end).
///
/// Each case names the path at fault and, where the system said why, the errno text, so
/// that the stage's failure message tells the administrator what to fix.
public enum ChildSpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command has no program.
    case emptyCommand
    /// `argv[0]` is not an absolute path (there is no PATH search and no shell).
    case relativeExecutable(String)
    /// An argument or environment entry holds a NUL byte or an invalid name.
    case invalidCommand(executable: String, reason: String)
    /// The program cannot be found or reached (`stat` failed with this errno).
    case executableMissing(path: String, errno: Int32)
    /// The program exists but cannot be executed (not a regular file, or no execute
    /// permission: `reason` says which).
    case notExecutable(path: String, reason: String)
    /// The working directory is missing or is not a directory.
    case workingDirectoryUnusable(path: String, reason: String)
    /// An output file could not be opened for writing (`open` failed with this errno).
    case outputFileUnusable(path: String, errno: Int32)
    /// The spawn itself failed (what swift-subprocess or the kernel reported).
    case spawnFailed(path: String, reason: String)
    /// The awaiting task was cancelled before the child was started; nothing ran.
    case cancelledBeforeStart
    /// The child started but could not be watched to its end (its group was killed).
    case supervisionFailed(pid: pid_t, reason: String)

    /// One sentence naming the path and the cause.
    public var description: String {
        switch self {
        case .emptyCommand:
            "cannot start the stage: its command is empty; give an absolute path to a program"
        case .relativeExecutable(let path):
            "cannot start \(path): the command must be an absolute path (stages run without a shell and without a PATH search)"
        case .invalidCommand(let executable, let reason):
            "cannot start \(executable): \(reason)"
        case .executableMissing(let path, let code):
            "cannot start \(path): \(Self.text(code))"
        case .notExecutable(let path, let reason):
            "cannot start \(path): \(reason)"
        case .workingDirectoryUnusable(let path, let reason):
            "cannot use the working directory \(path): \(reason)"
        case .outputFileUnusable(let path, let code):
            "cannot open the output file \(path): \(Self.text(code))"
        case .spawnFailed(let path, let reason):
            "cannot start \(path): \(reason)"
        case .cancelledBeforeStart:
            "the stage was cancelled before its command started"
        case .supervisionFailed(let pid, let reason):
            "lost track of child \(pid): \(reason)"
        }
    }

    /// The errno text (`No such file or directory`).
    static func text(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
