/// A job file that passed every check that needs no state, with its parameters decoded.
public struct ValidatedJob: Sendable {
    /// The job id (from `id:` or the file name).
    public var id: String
    /// What the job asks for.
    public var kind: JobKind
    /// The model it acts on, when the kind takes one.
    public var model: String?
    /// Why it was submitted, kept in history.
    public var reason: String?
    /// The validated parameters as written (an object; defaults filled in): what the store
    /// keeps. Handlers read ``parameters`` instead.
    public var params: JSONValue
    /// The parameters as the kind's typed ``JobKindDeclaration/Parameters``.
    public var parameters: any Sendable
    /// Where `model:` was written, so "unknown model" can point at it.
    public var modelMark: SourceMark?
    /// Where `id:` was written (or nil when the id came from the file name).
    public var idMark: SourceMark?
    /// Where each top-level parameter's value was written, so a handler that refuses a
    /// value against the daemon's state (a path outside the data roots, a version that
    /// exists) can point at it.
    public var paramMarks: [String: SourceMark]

    /// A validated job; the validator makes these.
    public init(
        id: String,
        kind: JobKind,
        model: String? = nil,
        reason: String? = nil,
        params: JSONValue,
        parameters: any Sendable,
        modelMark: SourceMark? = nil,
        idMark: SourceMark? = nil,
        paramMarks: [String: SourceMark] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.model = model
        self.reason = reason
        self.params = params
        self.parameters = parameters
        self.modelMark = modelMark
        self.idMark = idMark
        self.paramMarks = paramMarks
    }

    /// This job as a job of `Kind`, when that is its kind.
    public func typed<Kind: JobKindDeclaration>(as _: Kind.Type) -> Job<Kind>? {
        guard let parameters = parameters as? Kind.Parameters else { return nil }
        return Job(
            id: id,
            model: model,
            reason: reason,
            parameters: parameters,
            params: params,
            modelMark: modelMark,
            paramMarks: paramMarks
        )
    }
}

extension ValidatedJob: Equatable {
    /// Equal when everything but the decoded parameters is: those follow from `params`.
    public static func == (lhs: ValidatedJob, rhs: ValidatedJob) -> Bool {
        lhs.id == rhs.id && lhs.kind == rhs.kind && lhs.model == rhs.model && lhs.reason == rhs.reason
            && lhs.params == rhs.params && lhs.modelMark == rhs.modelMark && lhs.idMark == rhs.idMark
            && lhs.paramMarks == rhs.paramMarks
    }
}

/// A valid job of one kind, as its handler receives it: typed parameters and the marks that
/// let a refusal point at the line it concerns.
public struct Job<Kind: JobKindDeclaration>: Sendable {
    /// The job id.
    public var id: String
    /// The model it acts on, when the kind takes one.
    public var model: String?
    /// Why it was submitted, kept in history.
    public var reason: String?
    /// The typed parameters.
    public var parameters: Kind.Parameters
    /// The parameters as validated (defaults filled in), for the audit log and lineage.
    public var params: JSONValue
    /// Where `model:` was written.
    public var modelMark: SourceMark?
    /// Where each top-level parameter's value was written (`""`: the `params:` key).
    public var paramMarks: [String: SourceMark]

    /// A job of `Kind`. The daemon's own steps (a pipeline's deploy) build these directly;
    /// `params` defaults to the encoded parameters.
    public init(
        id: String,
        model: String? = nil,
        reason: String? = nil,
        parameters: Kind.Parameters,
        params: JSONValue? = nil,
        modelMark: SourceMark? = nil,
        paramMarks: [String: SourceMark] = [:]
    ) {
        self.id = id
        self.model = model
        self.reason = reason
        self.parameters = parameters
        self.params = params ?? ((try? JSONValue(encoding: parameters)) ?? .object([:]))
        self.modelMark = modelMark
        self.paramMarks = paramMarks
    }

    /// The model this job names; every kind whose rule requires one has it after validation.
    public var requiredModel: String {
        get throws(JobError) {
            guard let model else {
                throw JobError(
                    .missingField,
                    "model is missing: kind \(Kind.kind.rawValue) acts on a model",
                    fix: "add `model: <model name>`"
                )
            }
            return model
        }
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
