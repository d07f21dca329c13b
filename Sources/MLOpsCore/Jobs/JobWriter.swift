/// Writes job files from typed parameters: what `mlopsctl` and other clients submit, so no
/// client writes YAML by hand.
///
/// The parameters are encoded through the kind's ``JobKindDeclaration/Parameters`` (the
/// same struct the daemon decodes), and every string is written as a JSON string, which is
/// a valid YAML double-quoted scalar: nothing a user types can change the job's structure.
public enum JobWriter {
    /// The text of a job file of `Kind`. `id` nil leaves the id to the file name.
    public static func text<Kind: JobKindDeclaration>(
        _: Kind.Type,
        id: String? = nil,
        model: String? = nil,
        reason: String? = nil,
        parameters: Kind.Parameters
    ) throws -> String {
        var lines = ["kind: \(Kind.kind.rawValue)"]
        if let id { lines.append("id: " + quoted(id)) }
        if let model { lines.append("model: " + quoted(model)) }
        if let reason { lines.append("reason: " + quoted(reason)) }
        let params = try JSONValue(encoding: parameters)
        if case .object(let fields) = params, !fields.isEmpty {
            lines.append("params:")
            lines.append(contentsOf: block(params, indent: 1))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text of a job file of `Kind`, for a kind that takes no parameters.
    public static func text<Kind: JobKindDeclaration>(
        _ kind: Kind.Type,
        id: String? = nil,
        model: String? = nil,
        reason: String? = nil
    ) throws -> String where Kind.Parameters == NoParameters {
        try text(kind, id: id, model: model, reason: reason, parameters: NoParameters())
    }

    /// `text` as a YAML double-quoted scalar (JSON's string syntax, which YAML accepts).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The lines of a mapping's or list's entries at `indent` levels of two spaces.
    static func block(_ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let fields):
            return fields.keys.sorted().flatMap { key -> [String] in
                let name = quoted(key)
                guard let field = fields[key] else { return [] }
                if let inline = inlineScalar(field) { return ["\(pad)\(name): \(inline)"] }
                return ["\(pad)\(name):"] + block(field, indent: indent + 1)
            }
        case .array(let items):
            return items.flatMap { item -> [String] in
                if let inline = inlineScalar(item) { return ["\(pad)- \(inline)"] }
                // A nested collection starts on the line after its dash.
                return ["\(pad)-"] + block(item, indent: indent + 1)
            }
        default:
            return inlineScalar(value).map { [pad + $0] } ?? []
        }
    }

    /// A scalar, or an empty collection, on one line; nil for a collection with entries.
    static func inlineScalar(_ value: JSONValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : nil
        case .string(let s): return quoted(s)
        case .array(let items): return items.isEmpty ? "[]" : nil
        case .object(let fields): return fields.isEmpty ? "{}" : nil
        }
    }
}
