import MLOpsCore

extension SpoolClient {
    /// Writes a job of `Kind` from its typed parameters (``JobWriter``) and submits it.
    public func submit<Kind: JobKindDeclaration>(
        _ kind: Kind.Type,
        model: String? = nil,
        reason: String? = nil,
        parameters: Kind.Parameters
    ) throws(ClientError) -> Submission {
        let text: String
        do {
            text = try JobWriter.text(kind, model: model, reason: reason, parameters: parameters)
        } catch {
            throw .system("cannot write the \(Kind.kind.rawValue) job: \(error)")
        }
        return try submission(text: text, fileName: nil)
    }
}

extension ResultDocument {
    /// The `result` of a job of `Kind` as its typed result; nil when the document has none
    /// (a rejected job). A result that does not fit the type throws: the daemon and this
    /// client disagree on the kind's result.
    public func result<Kind: JobKindDeclaration>(of _: Kind.Type) throws -> Kind.Result? {
        guard let result, result != .null else { return nil }
        return try Kind.decodeResult(result)
    }
}
