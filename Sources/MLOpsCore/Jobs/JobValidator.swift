/// What a handler declares about its kind: the schema of `params` and whether it needs a model.
public struct KindSpec: Sendable {
    public var kind: JobKind
    /// The schema of `params`; an object schema whose fields are the kind's parameters.
    public var params: ObjectSchema
    /// One line for `docs/jobs.md` and `mlopsctl`.
    public var summary: String
    public init(kind: JobKind, params: ObjectSchema, summary: String) {
        self.kind = kind
        self.params = params
        self.summary = summary
    }
}

/// A job file that passed every check that needs no state.
public struct ValidatedJob: Sendable, Equatable {
    public var id: String
    public var kind: JobKind
    public var model: String?
    public var reason: String?
    /// The validated parameters (an object; defaults filled in).
    public var params: JSONValue
    /// Where `model:` was written, so "unknown model" can point at it.
    public var modelMark: SourceMark?
    /// Where `id:` was written (or nil when the id came from the file name).
    public var idMark: SourceMark?
}

/// The outcome of validating a job file: the job, or the rejection with the id to file it under.
public enum JobValidation: Sendable, Equatable {
    case valid(ValidatedJob)
    /// `id` is the job's id when one could be determined (from `id:` or the file name),
    /// otherwise nil and the daemon files the result under a name of its own.
    case rejected(id: String?, kind: JobKind?, model: String?, failure: ValidationFailure)
}

/// Validates job files: YAML, envelope (`kind`, `model`, `id`, `reason`, `params`), id rules
/// and the kind's parameters. Needs no I/O; the daemon and `mlopsctl validate` share it.
public enum JobValidator {
    /// Valid job ids: `[A-Za-z0-9._-]{1,128}`.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128 else { return false }
        return id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// The id a file name gives (name without `.yaml`/`.yml`), if it is a valid id.
    public static func idFromFileName(_ fileName: String) -> String? {
        var stem = Substring(fileName)
        for ext in [".yaml", ".yml"] where stem.hasSuffix(ext) {
            stem = stem.dropLast(ext.count)
            break
        }
        let id = String(stem)
        return isValidID(id) ? id : nil
    }

    /// Validates `text`, the content of the file `fileName`. `spec` returns the spec of a
    /// kind that has a handler, or nil for a kind not built yet (then `params` is not
    /// checked and the daemon answers `not_implemented`).
    public static func validate(
        text: String, fileName: String, limits: YAMLLimits = YAMLLimits(),
        spec: (JobKind) -> KindSpec?
    ) -> JobValidation {
        .rejected(id: idFromFileName(fileName), kind: nil, model: nil,
                  failure: ValidationFailure([JobError(.internalError, "job validator not built yet")]))
    }
}
