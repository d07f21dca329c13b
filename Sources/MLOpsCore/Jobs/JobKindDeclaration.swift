/// One job kind, declared once: its name, whether it takes a model, the schema its
/// `params:` are validated against, the typed parameters a valid job decodes into, and the
/// typed result its handler returns and `mlopsctl` reads back.
///
/// Every kind is a declaration in ``Kinds`` (one file per area). The validator finds the
/// declaration through ``JobKind/declaration``; the daemon's handler for the kind is an
/// extension of the same type (`extension Kinds.ListAlerts: JobHandling`), so adding a kind
/// touches its declaration, `JobKind.swift` and its handler file.
public protocol JobKindDeclaration: Sendable {
    /// What a valid job's `params:` decode into, after schema validation filled in the
    /// defaults. `Encodable` too, so `mlopsctl` builds job files by encoding it.
    associatedtype Parameters: Codable & Sendable
    /// What the kind's result document carries under `result`.
    associatedtype Result: Codable & Sendable

    /// The kind's name in job files.
    static var kind: JobKind { get }
    /// Whether a job of this kind must, may or must not name a `model:`, and whether the
    /// model must be registered already.
    static var modelRule: ModelRequirement { get }
    /// The schema of `params:`; its field docs feed `docs/jobs-reference.md`.
    static var schema: ObjectSchema { get }
    /// One line for the docs and `mlopsctl`.
    static var summary: String { get }

    /// `params` (already valid against ``schema``) as ``Parameters``. The default decodes
    /// the struct field by field; a kind whose parameters need more (defaults that depend
    /// on other fields) provides its own.
    static func decodeParameters(_ params: JSONValue) throws -> Parameters
}

extension JobKindDeclaration {
    /// `params` (already valid against ``schema``) as ``Parameters``, field by field.
    public static func decodeParameters(_ params: JSONValue) throws -> Parameters {
        try JSONValueDecoder().decode(Parameters.self, from: params)
    }

    /// ``decodeParameters(_:)`` for callers that hold the declaration as an existential.
    public static func decodeParametersErased(_ params: JSONValue) throws -> any Sendable {
        try decodeParameters(params)
    }

    /// A result document's `result` as ``Result``.
    public static func decodeResult(_ result: JSONValue) throws -> Result {
        try JSONValueDecoder().decode(Result.self, from: result)
    }
}

/// The namespace of every kind's declaration (`Kinds.RegisterModel`, `Kinds.ListAlerts`, …).
public enum Kinds {}

/// Parameters of a kind that takes none.
public struct NoParameters: Codable, Sendable, Equatable {
    /// No parameters.
    public init() {}
}
