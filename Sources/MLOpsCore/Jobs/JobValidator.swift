/// Validates job files: YAML, envelope (`kind`, `model`, `id`, `reason`, `params`), id rules
/// and the kind's parameters. Needs no I/O; the daemon and `mlopsctl validate` share it.
public enum JobValidator {
    /// Valid job ids: `[A-Za-z0-9._-]{1,128}`, not beginning with `.`: `.` and `..` mean
    /// directories in a path, and a result named `.x.json` would be hidden from `ls` and
    /// look like the daemon's temp files.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128, !id.hasPrefix(".") else { return false }
        return id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F
                || b == 0x2D
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

    /// Validates `text`, the content of the file `fileName`, and decodes its `params:` into
    /// the kind's typed parameters. `declaration` finds a kind's declaration: every kind's
    /// own by default; tests substitute their own.
    public static func validate(
        text: String,
        fileName: String,
        limits: YAMLLimits = YAMLLimits(),
        declaration: (JobKind) -> any JobKindDeclaration.Type = { $0.declaration }
    ) -> JobValidation {
        let fileID = idFromFileName(fileName)
        let root: YAMLNode
        let pairs: [YAMLPair]
        switch envelope(text, fileID: fileID, limits: limits) {
        case .mapping(let node, let nodePairs): (root, pairs) = (node, nodePairs)
        case .rejected(let rejection): return rejection
        }
        var errors: [JobError] = []
        let misspelt = Self.unknownKeys(pairs, errors: &errors)
        let (kind, kindDeclaration) = Self.kind(root, declaration: declaration, errors: &errors)
        let (id, idMark) = Self.id(root, fileID: fileID, fileName: fileName, errors: &errors)
        let (model, modelMark) = Self.model(root, kind: kind, declaration: kindDeclaration, errors: &errors)
        let reason = Self.reason(root, errors: &errors)
        // A misspelt `params:` is reported once, as an unknown key, not also as every
        // required parameter missing.
        var params = Params()
        if let kindDeclaration, root.pair("params") != nil || !misspelt.contains("params") {
            params = Self.params(root, declaration: kindDeclaration, errors: &errors)
        }

        guard errors.isEmpty, let kind, let id, let parameters = params.parameters else {
            if errors.isEmpty {
                errors.append(
                    JobError(
                        .internalError,
                        "the job passed every check but has no parameters",
                        at: root.mark
                    )
                )
            }
            return .rejected(
                id: id,
                kind: kind,
                model: model,
                failure: ValidationFailure(ValidationFailure.sorted(errors))
            )
        }
        return .valid(
            ValidatedJob(
                id: id,
                kind: kind,
                model: model,
                reason: reason,
                params: params.value,
                parameters: parameters,
                modelMark: modelMark,
                idMark: idMark,
                paramMarks: params.marks
            )
        )
    }

    /// The file composed: a mapping with its pairs, or the job rejected (empty, broken
    /// YAML, not a mapping).
    enum Envelope {
        case mapping(YAMLNode, [YAMLPair])
        case rejected(JobValidation)
    }

    /// Composes `text` and checks that it is a mapping.
    static func envelope(_ text: String, fileID: String?, limits: YAMLLimits) -> Envelope {
        let root: YAMLNode
        do {
            guard let composed = try YAMLComposer.compose(text, limits: limits) else {
                return .rejected(
                    .rejected(
                        id: fileID,
                        kind: nil,
                        model: nil,
                        failure: ValidationFailure([
                            JobError(
                                .missingField,
                                "the job file is empty; it needs at least `kind:`",
                                at: SourceMark(line: 1, column: 1),
                                fix: "add `kind: <job kind>` (see docs/jobs-reference.md)"
                            )
                        ])
                    )
                )
            }
            root = composed
        } catch {
            return .rejected(.rejected(id: fileID, kind: nil, model: nil, failure: ValidationFailure([error])))
        }
        guard case .mapping(let pairs) = root.content else {
            return .rejected(
                .rejected(
                    id: fileID,
                    kind: nil,
                    model: nil,
                    failure: ValidationFailure([
                        JobError(
                            .notAMapping,
                            "a job file must be a mapping of keys (`kind:`, `params:`, …), "
                                + "not \(ValidationRun.describe(root))",
                            at: root.mark,
                            fix: "start the file with `kind: <job kind>`"
                        )
                    ])
                )
            )
        }
        return .mapping(root, pairs)
    }

    /// Reports every top-level key that is not an envelope key; returns the envelope keys
    /// they look like misspellings of.
    static func unknownKeys(_ pairs: [YAMLPair], errors: inout [JobError]) -> Set<String> {
        var misspelt: Set<String> = []
        for pair in pairs where !envelopeKeys.contains(pair.key.scalarText ?? "") {
            let key = pair.key.scalarText ?? ""
            if let intended = Suggestion.closest(to: key, among: envelopeKeys) { misspelt.insert(intended) }
            errors.append(
                JobError(
                    .unknownKey,
                    "unknown key \(EchoedValue.quoted(key)) at the top level of the job",
                    at: pair.key.mark,
                    fix: Suggestion.fix(for: key, among: envelopeKeys)
                )
            )
        }
        return misspelt
    }

    /// The pair of `key` in `root`, unless absent or null.
    static func present(_ key: String, in root: YAMLNode) -> YAMLPair? {
        guard let pair = root.pair(key), !pair.value.isNull else { return nil }
        return pair
    }

    /// `kind:` and its declaration.
    static func kind(
        _ root: YAMLNode,
        declaration: (JobKind) -> any JobKindDeclaration.Type,
        errors: inout [JobError]
    ) -> (JobKind?, (any JobKindDeclaration.Type)?) {
        guard let pair = present("kind", in: root) else {
            errors.append(
                JobError(
                    .missingField,
                    "kind is missing: every job names its kind",
                    at: root.mark,
                    fix: "add `kind: <job kind>` (see docs/jobs-reference.md)"
                )
            )
            return (nil, nil)
        }
        guard case .scalar(let text, _) = pair.value.content else {
            errors.append(
                JobError(
                    .wrongType,
                    "kind must be a job kind such as `register-model`, not \(ValidationRun.describe(pair.value))",
                    at: pair.value.mark
                )
            )
            return (nil, nil)
        }
        guard let kind = JobKind(rawValue: text) else {
            let kinds = JobKind.allCases.map(\.rawValue)
            errors.append(
                JobError(
                    .unknownKind,
                    "unknown kind \(EchoedValue.quoted(text))",
                    at: pair.value.mark,
                    fix: Suggestion.closest(to: text, among: kinds).map { "did you mean `\($0)`?" }
                        ?? "see docs/jobs-reference.md for the list of kinds"
                )
            )
            return (nil, nil)
        }
        return (kind, declaration(kind))
    }

    /// `id:`, else the id the file name gives; with the mark of `id:` when given.
    static func id(
        _ root: YAMLNode,
        fileID: String?,
        fileName: String,
        errors: inout [JobError]
    ) -> (String?, SourceMark?) {
        if let pair = present("id", in: root) {
            if let text = pair.value.scalarText, isValidID(text) { return (text, pair.value.mark) }
            errors.append(
                JobError(
                    .invalidID,
                    "id must be 1 to 128 characters from A-Z a-z 0-9 . _ - (not beginning with `.`), "
                        + "not \(ValidationRun.describe(pair.value))",
                    at: pair.value.mark,
                    fix: "use only letters, digits, `.`, `_` and `-` (at most 128), "
                        + "and begin with a letter, digit, `_` or `-`"
                )
            )
        } else if fileID == nil {
            errors.append(
                JobError(
                    .invalidID,
                    "the file name \(EchoedValue.quoted(fileName, limit: 255)) is not a valid job id and the job has no `id:`",
                    at: root.mark,
                    fix: "add `id:` with 1 to 128 characters from A-Z a-z 0-9 . _ -, or rename the file"
                )
            )
        }
        return (fileID, nil)
    }

    /// `model:`, checked against the kind's model rule; with its mark.
    static func model(
        _ root: YAMLNode,
        kind: JobKind?,
        declaration: (any JobKindDeclaration.Type)?,
        errors: inout [JobError]
    ) -> (String?, SourceMark?) {
        guard let pair = present("model", in: root) else {
            if let kind, let declaration, declaration.modelRule.isRequired {
                errors.append(
                    JobError(
                        .missingField,
                        "model is missing: kind \(kind.rawValue) acts on a model",
                        at: root.mark,
                        fix: "add `model: <model name>`"
                    )
                )
            }
            return (nil, nil)
        }
        var model: String?
        var modelMark: SourceMark?
        if let text = pair.value.scalarText {
            if StringRule.name.isValid(text) {
                model = text
                modelMark = pair.value.mark
            } else {
                errors.append(
                    JobError(
                        .invalidValue,
                        "model must be \(StringRule.name.description)",
                        at: pair.value.mark
                    )
                )
            }
        } else {
            errors.append(
                JobError(
                    .wrongType,
                    "model must be a model name, not \(ValidationRun.describe(pair.value))",
                    at: pair.value.mark
                )
            )
        }
        if let kind, let declaration, declaration.modelRule == .forbidden {
            errors.append(
                JobError(
                    .unknownKey,
                    "kind \(kind.rawValue) does not take model:",
                    at: pair.key.mark,
                    fix: "remove `model:`"
                )
            )
        }
        return (model, modelMark)
    }

    /// `reason:`, at most ``maxReasonLength`` characters.
    static func reason(_ root: YAMLNode, errors: inout [JobError]) -> String? {
        guard let pair = present("reason", in: root) else { return nil }
        do {
            let schema = Schema.string(.maxLength(maxReasonLength))
            return try SchemaValidator.validate(pair.value, against: schema, path: "reason").stringValue
        } catch {
            errors.append(contentsOf: error.errors)
            return nil
        }
    }

    /// `params:` validated against the kind's schema and decoded into its typed parameters.
    struct Params {
        /// The validated value (`{}` until validated).
        var value: JSONValue = .object([:])
        /// Where each parameter's value is (`""`: the mapping itself).
        var marks: [String: SourceMark] = [:]
        /// The kind's `Parameters`, when valid.
        var parameters: (any Sendable)?
    }

    /// `params:` (absent or null: an empty mapping) validated and decoded for `declaration`.
    static func params(
        _ root: YAMLNode,
        declaration: any JobKindDeclaration.Type,
        errors: inout [JobError]
    ) -> Params {
        var params = Params()
        let node: YAMLNode
        if let pair = root.pair("params") {
            node = pair.value.isNull ? YAMLNode(.mapping([]), at: pair.key.mark) : pair.value
        } else {
            node = YAMLNode(.mapping([]), at: root.mark)
        }
        params.marks[""] = node.mark
        if case .mapping(let paramPairs) = node.content {
            for pair in paramPairs {
                if let key = pair.key.scalarText { params.marks[key] = pair.value.mark }
            }
        }
        do {
            params.value = try SchemaValidator.validate(node, against: .object(declaration.schema), path: "params")
            params.parameters = try decode(params.value, as: declaration, at: node)
        } catch {
            errors.append(contentsOf: error.errors)
        }
        return params
    }

    /// `params` (valid against the schema) as the declaration's typed parameters. A value
    /// the schema accepts and the struct cannot hold is a bug in the declaration; it is
    /// reported at the parameter it concerns rather than trapping.
    static func decode(
        _ params: JSONValue,
        as declaration: any JobKindDeclaration.Type,
        at node: YAMLNode
    )
        throws(ValidationFailure) -> any Sendable
    {
        do {
            return try declaration.decodeParametersErased(params)
        } catch {
            var path: [any CodingKey] = []
            var detail = "\(error)"
            switch error as? DecodingError {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                path = context.codingPath
                detail = context.debugDescription
            case .keyNotFound(let key, let context):
                path = context.codingPath + [key]
                detail = context.debugDescription
            default: break
            }
            let name = path.map(\.stringValue).joined(separator: ".")
            let mark = path.first.flatMap { node.pair($0.stringValue)?.value.mark } ?? node.mark
            throw ValidationFailure([
                JobError(
                    .internalError,
                    "params.\(name) passed the schema of \(declaration.kind.rawValue) but does not fit its parameters: \(detail)",
                    at: mark,
                    fix: "report this as a bug in mlopsd"
                )
            ])
        }
    }
}
