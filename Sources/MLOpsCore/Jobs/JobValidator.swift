/// What a handler declares about its kind: the schema of `params` and whether it needs a model.
public struct KindSpec: Sendable {
    /// The kind this spec describes.
    public var kind: JobKind
    /// The schema of `params`; an object schema whose fields are the kind's parameters.
    public var params: ObjectSchema
    /// One line for `docs/jobs-reference.md` and `mlopsctl`.
    public var summary: String
    /// A spec for `kind` whose `params` follow `params`.
    public init(kind: JobKind, params: ObjectSchema, summary: String) {
        self.kind = kind
        self.params = params
        self.summary = summary
    }
}

/// A job file that passed every check that needs no state.
public struct ValidatedJob: Sendable, Equatable {
    /// The job id (from `id:` or the file name).
    public var id: String
    /// What the job asks for.
    public var kind: JobKind
    /// The model it acts on, when the kind takes one.
    public var model: String?
    /// Why it was submitted, kept in history.
    public var reason: String?
    /// The validated parameters (an object; defaults filled in).
    public var params: JSONValue
    /// Where `model:` was written, so "unknown model" can point at it.
    public var modelMark: SourceMark?
    /// Where `id:` was written (or nil when the id came from the file name).
    public var idMark: SourceMark?
    /// Where each top-level parameter's value was written, so a handler that refuses a
    /// value against the daemon's state (a path outside the data roots, a version that
    /// exists) can point at it.
    public var paramMarks: [String: SourceMark]

    /// A validated job; the validator makes these, and tests and tools may too.
    public init(id: String, kind: JobKind, model: String? = nil, reason: String? = nil, params: JSONValue = .object([:]),
                modelMark: SourceMark? = nil, idMark: SourceMark? = nil, paramMarks: [String: SourceMark] = [:]) {
        self.id = id
        self.kind = kind
        self.model = model
        self.reason = reason
        self.params = params
        self.modelMark = modelMark
        self.idMark = idMark
        self.paramMarks = paramMarks
    }

    /// Where parameter `name` was written; the `params:` key or the model when it was not.
    public func mark(ofParam name: String) -> SourceMark? { paramMarks[name] ?? paramMarks[""] ?? modelMark }
}

/// The outcome of validating a job file: the job, or the rejection with the id to file it under.
public enum JobValidation: Sendable, Equatable {
    /// The job passed every check that needs no state.
    case valid(ValidatedJob)
    /// `id` is the job's id when one could be determined (from `id:` or the file name),
    /// otherwise nil and the daemon files the result under a name of its own.
    case rejected(id: String?, kind: JobKind?, model: String?, failure: ValidationFailure)
}

/// Validates job files: YAML, envelope (`kind`, `model`, `id`, `reason`, `params`), id rules
/// and the kind's parameters. Needs no I/O; the daemon and `mlopsctl validate` share it.
public enum JobValidator {
    /// Valid job ids: `[A-Za-z0-9._-]{1,128}`, not beginning with `.`: `.` and `..` mean
    /// directories in a path, and a result named `.x.json` would be hidden from `ls` and
    /// look like the daemon's temp files.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128, !id.hasPrefix(".") else { return false }
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

    /// The keys a job file may have at its top level.
    public static let envelopeKeys = ["kind", "model", "id", "reason", "params"]

    /// The longest `reason:` accepted.
    public static let maxReasonLength = 1000

    /// Validates `text`, the content of the file `fileName`. `spec` gives the schema a
    /// kind's `params` are checked against: by default the kind's own (``JobKind/spec``);
    /// the daemon passes its handlers' specs.
    public static func validate(
        text: String, fileName: String, limits: YAMLLimits = YAMLLimits(),
        spec: (JobKind) -> KindSpec = { $0.spec }
    ) -> JobValidation {
        let fileID = idFromFileName(fileName)
        let root: YAMLNode
        do {
            guard let composed = try YAMLComposer.compose(text, limits: limits) else {
                return .rejected(id: fileID, kind: nil, model: nil, failure: ValidationFailure([
                    JobError(.missingField, "the job file is empty; it needs at least `kind:`",
                             at: SourceMark(line: 1, column: 1), fix: "add `kind: <job kind>` (see docs/jobs-reference.md)"),
                ]))
            }
            root = composed
        } catch {
            return .rejected(id: fileID, kind: nil, model: nil, failure: ValidationFailure([error]))
        }
        guard case .mapping(let pairs) = root.content else {
            return .rejected(id: fileID, kind: nil, model: nil, failure: ValidationFailure([
                JobError(.notAMapping, "a job file must be a mapping of keys (`kind:`, `params:`, …), not \(ValidationRun.describe(root))",
                         at: root.mark, fix: "start the file with `kind: <job kind>`"),
            ]))
        }

        var errors: [JobError] = []
        var misspelt: Set<String> = []
        for pair in pairs where !envelopeKeys.contains(pair.key.scalarText ?? "") {
            let key = pair.key.scalarText ?? ""
            if let intended = Suggestion.closest(to: key, among: envelopeKeys) { misspelt.insert(intended) }
            errors.append(JobError(.unknownKey, "unknown key `\(key)` at the top level of the job", at: pair.key.mark,
                                   fix: Suggestion.fix(for: key, among: envelopeKeys)))
        }
        func present(_ key: String) -> YAMLPair? {
            guard let pair = root.pair(key), !pair.value.isNull else { return nil }
            return pair
        }

        // kind
        var kind: JobKind?
        var kindSpec: KindSpec?
        if let pair = present("kind") {
            if case .scalar(let text, _) = pair.value.content {
                if let k = JobKind(rawValue: text) {
                    kind = k
                    kindSpec = spec(k)
                } else {
                    let kinds = JobKind.allCases.map(\.rawValue)
                    errors.append(JobError(.unknownKind, "unknown kind `\(text)`", at: pair.value.mark,
                                           fix: Suggestion.closest(to: text, among: kinds).map { "did you mean `\($0)`?" }
                                               ?? "see docs/jobs-reference.md for the list of kinds"))
                }
            } else {
                errors.append(JobError(.wrongType, "kind must be a job kind such as `register-model`, not \(ValidationRun.describe(pair.value))",
                                       at: pair.value.mark))
            }
        } else {
            errors.append(JobError(.missingField, "kind is missing: every job names its kind", at: root.mark,
                                   fix: "add `kind: <job kind>` (see docs/jobs-reference.md)"))
        }

        // id
        var id = fileID
        var idMark: SourceMark?
        if let pair = present("id") {
            if let text = pair.value.scalarText, isValidID(text) {
                id = text
                idMark = pair.value.mark
            } else {
                errors.append(JobError(.invalidID, "id must be 1 to 128 characters from A-Z a-z 0-9 . _ - (not beginning with `.`), not \(ValidationRun.describe(pair.value))",
                                       at: pair.value.mark, fix: "use only letters, digits, `.`, `_` and `-` (at most 128), and begin with a letter, digit, `_` or `-`"))
            }
        } else if fileID == nil {
            errors.append(JobError(.invalidID, "the file name `\(fileName)` is not a valid job id and the job has no `id:`",
                                   at: root.mark, fix: "add `id:` with 1 to 128 characters from A-Z a-z 0-9 . _ -, or rename the file"))
        }

        // model
        var model: String?
        var modelMark: SourceMark?
        if let pair = present("model") {
            if let text = pair.value.scalarText {
                if StringRule.name.isValid(text) {
                    model = text
                    modelMark = pair.value.mark
                } else {
                    errors.append(JobError(.invalidValue, "model must be \(StringRule.name.description)", at: pair.value.mark))
                }
            } else {
                errors.append(JobError(.wrongType, "model must be a model name, not \(ValidationRun.describe(pair.value))",
                                       at: pair.value.mark))
            }
            if let kind, kind.modelRequirement == .forbidden {
                errors.append(JobError(.unknownKey, "kind \(kind.rawValue) does not take model:", at: pair.key.mark,
                                       fix: "remove `model:`"))
            }
        } else if let kind, kind.modelRequirement == .required {
            errors.append(JobError(.missingField, "model is missing: kind \(kind.rawValue) acts on a model", at: root.mark,
                                   fix: "add `model: <model name>`"))
        }

        // reason
        var reason: String?
        if let pair = present("reason") {
            do {
                reason = try SchemaValidator.validate(pair.value, against: .string(.maxLength(maxReasonLength)), path: "reason").stringValue
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }

        // params
        var params: JSONValue = .object([:])
        var paramMarks: [String: SourceMark] = [:]
        // A misspelt `params:` is reported once, as an unknown key, not also as every
        // required parameter missing.
        if let kindSpec, root.pair("params") != nil || !misspelt.contains("params") {
            let node: YAMLNode
            if let pair = root.pair("params") {
                node = pair.value.isNull ? YAMLNode(.mapping([]), at: pair.key.mark) : pair.value
            } else {
                node = YAMLNode(.mapping([]), at: root.mark)
            }
            paramMarks[""] = node.mark
            if case .mapping(let paramPairs) = node.content {
                for pair in paramPairs {
                    if let key = pair.key.scalarText { paramMarks[key] = pair.value.mark }
                }
            }
            do {
                params = try SchemaValidator.validate(node, against: .object(kindSpec.params), path: "params")
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }

        guard errors.isEmpty, let kind, let id else {
            return .rejected(id: id, kind: kind, model: model, failure: ValidationFailure(ValidationFailure.sorted(errors)))
        }
        return .valid(ValidatedJob(id: id, kind: kind, model: model, reason: reason, params: params,
                                   modelMark: modelMark, idMark: idMark, paramMarks: paramMarks))
    }
}
