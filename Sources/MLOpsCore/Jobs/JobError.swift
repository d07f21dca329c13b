/// Why a job was rejected or failed, in words a user can act on.
///
/// Every rejection names a stable machine-readable `code`, a sentence for a human, the
/// 1-based line and column of the offending YAML node when there is one, and, where we
/// know it, the fix (for a misspelt key: the closest valid key).
public struct JobError: Error, Sendable, Equatable, Codable {
    /// Stable, documented identifier of the kind of problem (see `docs/jobs.md`).
    public var code: JobErrorCode
    /// What is wrong, as a sentence.
    public var message: String
    /// 1-based line of the offending node, when the problem is in the file's content.
    public var line: Int?
    /// 1-based column of the offending node.
    public var column: Int?
    /// How to fix it, when we know ("did you mean `params`?").
    public var fix: String?

    public init(_ code: JobErrorCode, _ message: String, at mark: SourceMark? = nil, fix: String? = nil) {
        self.code = code
        self.message = message
        self.line = mark?.line
        self.column = mark?.column
        self.fix = fix
    }
}

/// The documented error codes of job results. Raw values appear in result files.
public enum JobErrorCode: String, Sendable, Codable, CaseIterable {
    // The file itself.
    case notRegularFile = "not_regular_file"
    case hardLink = "hard_link"
    case tooLarge = "too_large"
    case notUTF8 = "not_utf8"
    case unreadable = "unreadable"
    // YAML.
    case yamlSyntax = "yaml_syntax"
    case aliasRefused = "alias_refused"
    case tooDeep = "too_deep"
    case duplicateKey = "duplicate_key"
    // Schema.
    case notAMapping = "not_a_mapping"
    case unknownKey = "unknown_key"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case invalidValue = "invalid_value"
    case unknownKind = "unknown_kind"
    case invalidID = "invalid_id"
    // Against the daemon's state.
    case duplicateID = "duplicate_id"
    case unknownModel = "unknown_model"
    case notImplemented = "not_implemented"
    case conflict = "conflict"
    // Execution.
    case poison = "poison"
    case internalError = "internal_error"
}

/// A 1-based position in a job or config file.
public struct SourceMark: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "line \(line), column \(column)" }
}
