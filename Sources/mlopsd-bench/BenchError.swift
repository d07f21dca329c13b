import Glibc

/// Why the benchmark stopped; each reads as what went wrong and where to look.
enum BenchError: Error, CustomStringConvertible {
    /// `--help`: print the usage and exit 0.
    case help
    /// A bad command line.
    case usage(String)
    /// A system call failed.
    case system(String)
    /// A wait ran past its deadline.
    case timeout(String)
    /// The daemon did something it should not (exited, wrong results, bad exit status).
    case daemon(String)

    var description: String {
        switch self {
        case .help: return Options.usage
        case .usage(let text): return "\(text)\n\(Options.usage)"
        case .system(let text), .timeout(let text), .daemon(let text): return text
        }
    }

    /// A system error for `what`, with the current `errno` explained.
    static func errno(_ what: String) -> BenchError {
        .system("\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}
