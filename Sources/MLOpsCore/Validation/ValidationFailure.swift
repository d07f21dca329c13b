/// All the problems found in one document, first (by position) first.
///
/// Validation collects every problem instead of stopping at the first so a user fixes a
/// job file in one round trip.
public struct ValidationFailure: Error, Sendable, Equatable {
    /// The problems, sorted by line and column (problems without a position last).
    public var errors: [JobError]
    /// Wraps `errors` as given (callers sort them with ``sorted(_:)`` when they merge lists).
    public init(_ errors: [JobError]) { self.errors = errors }
    /// The problem a result document names in its `error` field.
    public var primary: JobError { errors.first ?? JobError(.internalError, "validation failed without a reason") }

    /// `errors` ordered by position; errors without a line keep their order at the end.
    public static func sorted(_ errors: [JobError]) -> [JobError] {
        errors.enumerated().sorted { a, b in
            let ka = (a.element.line ?? Int.max, a.element.column ?? Int.max, a.offset)
            let kb = (b.element.line ?? Int.max, b.element.column ?? Int.max, b.offset)
            return ka < kb
        }.map(\.element)
    }
}
