/// Checks the parameters a `run-pipeline` job sets against the pipeline's declarations.
///
/// A job may set only declared parameters; a key that would carry a command is refused
/// as such (`command_refused`), any other undeclared key as unknown. Every problem is
/// reported with the line and column of its value, all at once.
public enum PipelineParameters {
    /// The resolved parameters (declared defaults filled in), or every problem.
    /// `given` is the job's `params` without `pipeline`; `marks` where each was written.
    public static func resolve(
        _ given: [String: JSONValue],
        for definition: PipelineDefinition,
        marks: [String: SourceMark],
        fallback: SourceMark?
    ) -> Result<[String: JSONValue], ValidationFailure> {
        var errors: [JobError] = []
        var resolved: [String: JSONValue] = [:]
        let names = definition.parameters.map(\.name)
        for key in given.keys.sorted() {
            let mark = marks[key] ?? fallback
            guard let parameter = definition.parameter(key) else {
                if PipelineDefinition.commandKeys.contains(key) {
                    errors.append(
                        JobError(
                            .commandRefused,
                            "a job file cannot set `\(key)`: commands and their environment come only from the administrator's pipeline definition (etc/pipelines/\(definition.name).yaml)",
                            at: mark,
                            fix:
                                "remove `\(key)`; ask the administrator to change the pipeline, or set one of its parameters: "
                                + (names.isEmpty ? "(it declares none)" : names.joined(separator: ", "))
                        )
                    )
                } else {
                    errors.append(
                        JobError(
                            .unknownKey,
                            "pipeline `\(definition.name)` declares no parameter `\(key)`",
                            at: mark,
                            fix: Suggestion.closest(to: key, among: names).map { "did you mean `\($0)`?" }
                                ?? "its parameters are: " + (names.isEmpty ? "(none)" : names.joined(separator: ", "))
                        )
                    )
                }
                continue
            }
            switch coerce(given[key] ?? .null, to: parameter) {
            case .success(let value): resolved[key] = value
            case .failure(let problem):
                errors.append(
                    JobError(.invalidValue, "parameter `\(key)` \(problem)", at: mark, fix: fix(for: parameter))
                )
            }
        }
        for parameter in definition.parameters where resolved[parameter.name] == nil && given[parameter.name] == nil {
            if let value = parameter.defaultValue {
                resolved[parameter.name] = value
            } else if parameter.required {
                errors.append(
                    JobError(
                        .missingField,
                        "pipeline `\(definition.name)` needs parameter `\(parameter.name)`"
                            + (parameter.doc.isEmpty ? "" : " (\(parameter.doc))"),
                        at: fallback,
                        fix: "add `\(parameter.name):` under `params:` (\(describe(parameter)))"
                    )
                )
            }
        }
        if !errors.isEmpty { return .failure(ValidationFailure(ValidationFailure.sorted(errors))) }
        return .success(resolved)
    }

    /// What kind of problem a value is against a parameter's declaration, in words.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ text: String) { description = text }
    }

    /// `value` as the parameter's type, or why it cannot be.
    public static func coerce(
        _ value: JSONValue,
        to parameter: PipelineDefinition.Parameter
    ) -> Result<JSONValue, Problem> {
        switch parameter.type {
        case .string:
            guard let text = value.stringValue else { return .failure(Problem("must be text, not \(kind(of: value))")) }
            guard text.count <= 1000 else { return .failure(Problem("is longer than 1,000 characters")) }
            if let allowed = parameter.values, !allowed.contains(text) {
                return .failure(Problem("must be one of \(allowed.joined(separator: ", ")), not `\(text.prefix(60))`"))
            }
            return .success(.string(text))
        case .bool:
            guard case .bool(let b) = value else {
                return .failure(Problem("must be true or false, not \(kind(of: value))"))
            }
            return .success(.bool(b))
        case .int:
            guard case .int(let i) = value else {
                return .failure(Problem("must be a whole number, not \(kind(of: value))"))
            }
            if let problem = bounds(Double(i), parameter) { return .failure(problem) }
            return .success(.int(i))
        case .number:
            guard let d = value.doubleValue, d.isFinite, value.stringValue == nil else {
                return .failure(Problem("must be a number, not \(kind(of: value))"))
            }
            if let problem = bounds(d, parameter) { return .failure(problem) }
            return .success(.double(d))
        case .path:
            guard let text = value.stringValue, StringRule.path.isValid(text) else {
                return .failure(Problem("must be a path, not \(kind(of: value))"))
            }
            guard text.hasPrefix("/") else {
                return .failure(Problem("must be an absolute path under a data root, not `\(text.prefix(200))`"))
            }
            return .success(.string(text))
        }
    }

    static func bounds(_ x: Double, _ parameter: PipelineDefinition.Parameter) -> Problem? {
        if let minimum = parameter.min, x < minimum {
            return Problem("is \(format(x)), below its minimum \(format(minimum))")
        }
        if let maximum = parameter.max, x > maximum {
            return Problem("is \(format(x)), above its maximum \(format(maximum))")
        }
        return nil
    }

    static func describe(_ parameter: PipelineDefinition.Parameter) -> String {
        var text = parameter.type == .path ? "an absolute path under a data root" : "a \(parameter.type.rawValue)"
        if let values = parameter.values { text += ", one of " + values.joined(separator: ", ") }
        if let minimum = parameter.min { text += ", at least \(format(minimum))" }
        if let maximum = parameter.max { text += ", at most \(format(maximum))" }
        return text
    }

    static func fix(for parameter: PipelineDefinition.Parameter) -> String {
        "`\(parameter.name)` is " + describe(parameter)
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .string(let s): return "the text `\(s.prefix(40))`"
        case .int, .double: return "a number"
        case .bool: return "true/false"
        case .array: return "a list"
        case .object: return "a mapping"
        case .null: return "nothing"
        }
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
