import MLOpsClient

/// Why a job's artifact could not be found, accepted or stored, in words that say what to fix.
///
/// Jobs name model directories; the daemon only takes what lies under the configured data
/// roots (docs/design.md §14) and only regular files and directories (a link could point anywhere,
/// a FIFO could block the copy forever). The message goes into the job's result, so it
/// names the path and the remedy.
public enum ArtifactError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path does not exist (or a component of it is not a directory).
    case notFound(String)
    /// After resolving symbolic links and `..`, the path is not under any data root.
    case outsideDataRoots(path: String, roots: [String])
    /// The path is not a directory (an artifact is a directory of files).
    case notADirectory(String)
    /// Something other than a regular file or a directory inside the artifact.
    case unsupportedEntry(path: String, kind: String)
    /// The artifact holds more files than the store takes.
    case tooManyFiles(Int)
    /// Directories nested deeper than the store takes.
    case tooDeep(path: String, limit: Int)
    /// A string that is not a SHA-256 digest (64 lower-case hex digits) was given as one.
    case invalidDigest(String)
    /// A system call failed while reading the source or writing the store.
    case io(SystemError)

    /// What is wrong and what to do about it.
    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path) does not exist; check the path the job names"
        case .outsideDataRoots(let path, let roots):
            let list = roots.isEmpty ? "none are configured" : roots.joined(separator: ", ")
            return "\(path) is not under a data root after resolving symbolic links (data roots: \(list)); "
                + "move the files under a data root, or have the administrator add one to data_roots"
        case .notADirectory(let path):
            return "\(path) is not a directory; name the directory that holds the model's files"
        case .unsupportedEntry(let path, let kind):
            return "\(path) is a \(kind); an artifact may hold only regular files and directories, "
                + "so replace it with a copy of what it stands for, or remove it"
        case .tooManyFiles(let limit):
            return "the artifact holds more than \(limit) files; pack small files into archives"
        case .tooDeep(let path, let limit):
            return "\(path) is nested more than \(limit) directories deep; flatten the artifact's layout"
        case .invalidDigest(let text):
            return "'\(text)' is not a SHA-256 digest (64 lower-case hexadecimal digits)"
        case .io(let error):
            return "\(error)"
        }
    }
}
