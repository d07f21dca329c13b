/// Why a configuration was refused: every problem, one line each.
///
/// A bad config is refused at start and at reload (docs/design.md §13); the message must say where
/// each problem is (`file:line:column`, or the environment variable) and how to fix it,
/// because the operator reads it in `journalctl` or on the terminal.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem in the file or the environment.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The config file's name, or `environment variable NAME`.
        public var source: String
        /// 1-based line, when the problem is in the file.
        public var line: Int?
        /// 1-based column, when the problem is in the file.
        public var column: Int?
        /// What is wrong.
        public var message: String
        /// How to fix it, when known.
        public var fix: String?

        /// A problem at `source` (and a position in it, when known).
        public init(source: String, line: Int? = nil, column: Int? = nil, message: String, fix: String? = nil) {
            self.source = source
            self.line = line
            self.column = column
            self.message = message
            self.fix = fix
        }

        /// A problem from a validation error, keeping its position.
        public init(source: String, _ error: JobError) {
            self.init(source: source, line: error.line, column: error.column, message: error.message, fix: error.fix)
        }

        /// `file:line:column: message; fix`, with `'` quotes around names.
        public var description: String {
            var place = source
            if let line {
                place += ":\(line)"
                if let column { place += ":\(column)" }
            }
            var text = message
            if let fix { text += "; " + fix }
            return place + ": " + text.replacingBackticks()
        }
    }

    /// Every problem found, in file order, environment problems after the file's.
    public var problems: [Problem]

    /// An error listing `problems`.
    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingBackticks() -> String {
        String(map { $0 == "`" ? "'" : $0 })
    }
}
