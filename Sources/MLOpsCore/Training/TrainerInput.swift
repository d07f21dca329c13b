import Foundation

/// Reads the texts a trainer is handed — the model spec and the parameters — into their
/// types, with messages that name the file. The executable only reads the files.
public enum TrainerInput {
    /// The model spec in `text` (from `fileName`, for messages). Accepted:
    /// - the spec as the store keeps it: ``ModelSpec`` as JSON with snake_case keys
    ///   (what `MLOPSD_MODEL_SPEC` names); `policy`, `segments` and `pipeline` may be left
    ///   out by a person writing one by hand;
    /// - a `register-model` job file (YAML or JSON), validated as the daemon would, so
    ///   `mlops-train --spec examples/register-chest-xray.yaml` works.
    public static func modelSpec(from text: String, fileName: String) throws(TrainingError) -> ModelSpec {
        if let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let object) = json,
            object["kind"] == nil
        {
            return try specFromParams(.object(object), fileName: fileName)
        }
        let validation = JobValidator.validate(text: text, fileName: fileName)
        // Another kind's job is not a spec, whether or not it is a valid job of its kind.
        let kind: JobKind?
        switch validation {
        case .valid(let job): kind = job.kind
        case .rejected(_, let rejectedKind, _, _): kind = rejectedKind
        }
        if let kind, kind != .registerModel {
            throw .invalidSpec(
                file: fileName,
                problem: "it is a \(kind.rawValue) job; a model spec is a register-model job or its params as JSON"
            )
        }
        switch validation {
        case .valid(let job):
            return try specFromParams(job.params, fileName: fileName)
        case .rejected(_, _, _, let failure):
            let e = failure.primary
            let place = e.line.map { line in "line \(line)" + (e.column.map { ", column \($0)" } ?? "") + ": " } ?? ""
            throw .invalidSpec(file: fileName, problem: place + e.message + (e.fix.map { "; \($0)" } ?? ""))
        }
    }

    /// The parameters in `text`, a JSON object (empty text means `{}`); returns them and the
    /// keys the trainer does not know.
    public static func parameters(
        from text: String
    ) throws(TrainingError) -> (parameters: TrainingParameters, unknownKeys: [String]) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return (TrainingParameters(), []) }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(trimmed.utf8))
        } catch {
            throw .parametersNotAnObject("it is not valid JSON")
        }
        return try TrainingParameters.decode(value)
    }

    private static func specFromParams(_ params: JSONValue, fileName: String) throws(TrainingError) -> ModelSpec {
        guard case .object(var object) = params else {
            throw .invalidSpec(file: fileName, problem: "it is not a JSON object")
        }
        if object["policy"] == nil || object["policy"] == .null { object["policy"] = ModelSpecSchema.policyDefault }
        if object["pipeline"] == nil || object["pipeline"] == .null { object["pipeline"] = "default" }
        var segments: [String: JSONValue] = [:]
        if case .object(let given)? = object["segments"] { segments = given }
        for key in ["equipment", "population"] where segments[key] == nil { segments[key] = .array([]) }
        object["segments"] = .object(segments)
        do {
            return try ModelSpec.decode(from: .object(object))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw .invalidSpec(file: fileName, problem: "`\(path)` is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidSpec(
                file: fileName,
                problem: "`\(context.codingPath.map(\.stringValue).joined(separator: "."))` has the wrong type"
            )
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidSpec(
                file: fileName,
                problem:
                    "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
            )
        } catch {
            throw .invalidSpec(file: fileName, problem: "\(error)")
        }
    }
}
