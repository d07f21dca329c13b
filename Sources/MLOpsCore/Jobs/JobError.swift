/// Why a job was rejected or failed, in words a user can act on.
///
/// Every rejection names a stable machine-readable `code`, a sentence for a human, the
/// 1-based line and column of the offending YAML node when there is one, and, where we
/// know it, the fix (for a misspelt key: the closest valid key).
public struct JobError: Error, Sendable, Equatable, Codable {
    /// Stable, documented identifier of the kind of problem (see `docs/jobs-reference.md`).
    public var code: JobErrorCode
    /// What is wrong, as a sentence.
    public var message: String
    /// 1-based line of the offending node, when the problem is in the file's content.
    public var line: Int?
    /// 1-based column of the offending node.
    public var column: Int?
    /// How to fix it, when we know ("did you mean `params`?").
    public var fix: String?

    /// An error with `code` and `message`, at `mark` when the problem has a position, with a `fix` when we know one.
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
    /// The spool entry is not a regular file (a directory, link, FIFO…).
    case notRegularFile = "not_regular_file"
    /// The file has more than one link; it could be changed behind our back.
    case hardLink = "hard_link"
    /// The job file is larger than `max_job_bytes`, or a data file it names is larger than
    /// `max_data_file_bytes` (or holds more records than a job reads).
    case tooLarge = "too_large"
    /// The file is not valid UTF-8 text.
    case notUTF8 = "not_utf8"
    /// The file could not be opened or read.
    case unreadable = "unreadable"
    // YAML.
    /// Not valid YAML, more than one document, an explicit tag, or a non-text key.
    case yamlSyntax = "yaml_syntax"
    /// The file uses a YAML anchor (`&a`) or alias (`*a`).
    case aliasRefused = "alias_refused"
    /// Nesting deeper than `max_yaml_depth`, or too many nodes.
    case tooDeep = "too_deep"
    /// A key appears twice in one mapping.
    case duplicateKey = "duplicate_key"
    // Schema.
    /// The document is not a mapping of keys.
    case notAMapping = "not_a_mapping"
    /// A key the schema does not know (often a misspelling), or `model:` where the kind takes none.
    case unknownKey = "unknown_key"
    /// A required field is absent or empty.
    case missingField = "missing_field"
    /// A value of the wrong shape (text for a number, a list for text, a quoted number).
    case wrongType = "wrong_type"
    /// A value of the right type that breaks a rule (range, pattern, choice, cross-field rule).
    case invalidValue = "invalid_value"
    /// `kind:` is not one of the documented kinds.
    case unknownKind = "unknown_kind"
    /// The job id (from `id:` or the file name) is not `[A-Za-z0-9._-]{1,128}`.
    case invalidID = "invalid_id"
    // Against the daemon's state.
    /// A job with this id was already seen.
    case duplicateID = "duplicate_id"
    /// The job names a model that is not registered.
    case unknownModel = "unknown_model"
    /// The job names a model version that does not exist.
    case unknownVersion = "unknown_version"
    /// A file or directory the job names is missing, outside the data roots, or not what it must be.
    case badArtifact = "bad_artifact"
    /// A promotion gate of the model's policy refused the version (the result lists every gate).
    case gateRefused = "gate_refused"
    /// The deploy hook failed after the serving link was switched; the link was switched back.
    case deployFailed = "deploy_failed"
    /// The job names a pipeline that has no definition in the pipelines directory.
    case unknownPipeline = "unknown_pipeline"
    /// The job tries to set a command (or another thing only the administrator's pipeline
    /// definition may set).
    case commandRefused = "command_refused"
    /// A pipeline stage did not succeed; the result names the stage and its report.
    case stageFailed = "stage_failed"
    /// The run was cancelled by a `cancel-pipeline` job.
    case cancelled = "cancelled"
    /// The daemon stopped or restarted while the run was in progress.
    case interrupted = "interrupted"
    /// The job contradicts the current state (e.g. a pipeline already running).
    case conflict = "conflict"
    // Execution.
    /// The job crashed the daemon `max_attempts` times and was set aside.
    case poison = "poison"
    /// A write the job's own work needed failed on the disk (a backup into a full
    /// `backup_dir`); nothing of it was kept.
    case writeFailed = "write_failed"
    /// A bug or an unexpected system failure; the message says what.
    case internalError = "internal_error"
}

/// A 1-based position in a job or config file.
public struct SourceMark: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column (in characters).
    public var column: Int
    /// A position; both 1-based.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    /// "line L, column C", for messages.
    public var description: String { "line \(line), column \(column)" }
}
