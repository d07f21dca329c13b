/// Checks a ``YAMLNode`` against a ``Schema`` and converts it to a ``JSONValue``.
///
/// Every problem is collected (not just the first), each with the mark of the node it is
/// about, so a user sees all of them at once, in file order.
public enum SchemaValidator {
    /// Validates `node` against `schema`. A null node (empty, `~`, `null`) validated as an
    /// object counts as an empty mapping, so an empty `params:` reports its missing fields.
    /// `path` names the node in messages ("params.features[2].type").
    public static func validate(
        _ node: YAMLNode,
        against schema: Schema,
        path: String
    ) throws(ValidationFailure) -> JSONValue {
        var run = ValidationRun()
        let value = run.value(node, schema, path)
        if !run.errors.isEmpty || value == nil {
            let errors =
                run.errors.isEmpty
                ? [JobError(.internalError, "\(display(path)) could not be validated", at: node.mark)]
                : run.errors
            throw ValidationFailure(ValidationFailure.sorted(errors))
        }
        return value ?? .null
    }

    /// `path` joined with a key, for nested messages.
    public static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// How a path is shown in a sentence.
    static func display(_ path: String) -> String {
        path.isEmpty ? "the document" : path
    }

    /// Converts a plain scalar the way YAML 1.2's core schema would (int, double, bool,
    /// null, else string); quoted and block scalars stay strings. Used by `.any`.
    public static func plainValue(_ node: YAMLNode) -> JSONValue {
        guard case .scalar(let text, let style) = node.content else { return .null }
        guard style == .plain else { return .string(text) }
        if node.isNull { return .null }
        if let b = ScalarParsing.bool(text) { return .bool(b) }
        if let i = ScalarParsing.int(text) { return .int(i) }
        if let d = ScalarParsing.double(text), d.isFinite { return .double(d) }
        return .string(text)
    }
}

/// The pieces of scalar syntax the validator accepts.
enum ScalarParsing {
    /// `[-+]?[0-9]+` that fits an Int.
    static func int(_ text: String) -> Int? {
        guard isIntSyntax(text) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    static func isIntSyntax(_ text: String) -> Bool {
        var b = Substring(text).utf8[...]
        if let f = b.first, f == 0x2B || f == 0x2D { b = b.dropFirst() }
        return !b.isEmpty && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `[-+]?(digits(.digits?)?|.digits)([eE][-+]?digits)?`.
    static func double(_ text: String) -> Double? {
        let b = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
        var mantissa = digits()
        if i < b.count, b[i] == 0x2E {
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            i += 1
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == b.count else { return nil }
        return Double(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// YAML 1.1 booleans that YAML 1.2 reads as strings: refused as ambiguous.
    static func isAmbiguousBool(_ text: String) -> Bool {
        ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
    }

    static func isSpecialFloat(_ text: String) -> Bool {
        let t = text.lowercased()
        return [".inf", "+.inf", "-.inf", ".nan", "inf", "+inf", "-inf", "nan", "infinity", "-infinity"].contains(t)
    }
}

/// One validation pass: the errors found so far.
struct ValidationRun {
    var errors: [JobError] = []

    mutating func fail(_ code: JobErrorCode, _ message: String, at mark: SourceMark, fix: String? = nil) {
        errors.append(JobError(code, message, at: mark, fix: fix))
    }

    static func describe(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let text, .plain): return EchoedValue.quoted(text, limit: 40)
        case .scalar(let text, .quoted): return "the quoted text \"\(EchoedValue.escaped(text, limit: 40))\""
        case .scalar: return "a block of text"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    mutating func wrongType(_ node: YAMLNode, _ schema: Schema, _ path: String, fix: String? = nil) {
        fail(
            .wrongType,
            "\(SchemaValidator.display(path)) must be \(schema.expectation), not \(Self.describe(node))",
            at: node.mark,
            fix: fix
        )
    }

    /// The validated value, or nil when the node had errors (they are recorded).
    mutating func value(_ node: YAMLNode, _ schema: Schema, _ path: String) -> JSONValue? {
        if case .any = schema { return anyValue(node) }
        if node.isNull {
            switch schema {
            case .object(let object):
                return self.object(YAMLNode(.mapping([]), at: node.mark), object, path)
            default:
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) is empty; it must be \(schema.expectation)",
                    at: node.mark
                )
                return nil
            }
        }
        switch schema {
        case .string(let rule):
            guard case .scalar(let text, _) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            guard rule.isValid(text) else {
                fail(.invalidValue, "\(SchemaValidator.display(path)) must be \(rule.description)", at: node.mark)
                return nil
            }
            return .string(text)

        case .int(let lo, let hi):
            guard case .scalar(let text, let style) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            guard style == .plain else {
                let numeric = ScalarParsing.int(text) != nil
                wrongType(node, schema, path, fix: numeric ? "remove the quotes" : nil)
                return nil
            }
            guard let i = ScalarParsing.int(text) else {
                if ScalarParsing.isIntSyntax(text) {
                    fail(.invalidValue, "\(SchemaValidator.display(path)) is too large", at: node.mark)
                } else if ScalarParsing.double(text) != nil {
                    fail(
                        .invalidValue,
                        "\(SchemaValidator.display(path)) must be a whole number, not \(EchoedValue.quoted(text))",
                        at: node.mark
                    )
                } else {
                    wrongType(node, schema, path)
                }
                return nil
            }
            return bounded(Double(i), lo.map(Double.init), hi.map(Double.init), node, path) ? .int(i) : nil

        case .double(let lo, let hi):
            guard case .scalar(let text, let style) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            guard style == .plain else {
                let numeric = ScalarParsing.double(text) != nil
                wrongType(node, schema, path, fix: numeric ? "remove the quotes" : nil)
                return nil
            }
            if ScalarParsing.isSpecialFloat(text) {
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) must be a finite number, not \(EchoedValue.quoted(text))",
                    at: node.mark
                )
                return nil
            }
            guard let d = ScalarParsing.double(text) else {
                wrongType(node, schema, path)
                return nil
            }
            guard d.isFinite else {
                fail(.invalidValue, "\(SchemaValidator.display(path)) must be a finite number", at: node.mark)
                return nil
            }
            guard bounded(d, lo, hi, node, path) else { return nil }
            if let i = ScalarParsing.int(text) { return .double(Double(i)) }
            return .double(d)

        case .bool:
            guard case .scalar(let text, let style) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            guard style == .plain else {
                wrongType(node, schema, path, fix: ScalarParsing.bool(text) != nil ? "remove the quotes" : nil)
                return nil
            }
            if let b = ScalarParsing.bool(text) { return .bool(b) }
            if ScalarParsing.isAmbiguousBool(text) {
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) must be true or false, not \(EchoedValue.quoted(text))",
                    at: node.mark,
                    fix:
                        "write true or false (YAML 1.1 reads \(EchoedValue.quoted(text)) as a boolean, YAML 1.2 as a string)"
                )
                return nil
            }
            wrongType(node, schema, path)
            return nil

        case .oneOf(let choices):
            guard case .scalar(let text, _) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            guard choices.contains(text) else {
                let match = Suggestion.closest(to: text, among: choices)
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) must be one of \(choices.joined(separator: ", ")), not \(EchoedValue.quoted(text))",
                    at: node.mark,
                    fix: match.map { "did you mean `\($0)`?" }
                )
                return nil
            }
            return .string(text)

        case .list(let item, let minCount, let maxCount):
            guard case .sequence(let items) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            var ok = true
            if items.count < minCount {
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) must have at least \(minCount) item\(minCount == 1 ? "" : "s"), not \(items.count)",
                    at: node.mark
                )
                ok = false
            }
            if let maxCount, items.count > maxCount {
                fail(
                    .invalidValue,
                    "\(SchemaValidator.display(path)) must have at most \(maxCount) items, not \(items.count)",
                    at: node.mark
                )
                ok = false
            }
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            for (i, child) in items.enumerated() {
                if let v = value(child, item, "\(path)[\(i)]") { out.append(v) } else { ok = false }
            }
            return ok ? .array(out) : nil

        case .map(let keyRule, let values):
            guard case .mapping(let pairs) = node.content else {
                wrongType(node, schema, path)
                return nil
            }
            var ok = true
            var out: [String: JSONValue] = [:]
            for pair in pairs {
                let key = pair.key.scalarText ?? ""
                if !keyRule.isValid(key) {
                    fail(
                        .invalidValue,
                        "key \(EchoedValue.quoted(key)) in \(SchemaValidator.display(path)) must be \(keyRule.description)",
                        at: pair.key.mark
                    )
                    ok = false
                    continue
                }
                if let v = value(pair.value, values, SchemaValidator.join(path, key)) {
                    out[key] = v
                } else {
                    ok = false
                }
            }
            return ok ? .object(out) : nil

        case .object(let object):
            return self.object(node, object, path)

        case .any:
            return anyValue(node)
        }
    }

    mutating func bounded(_ d: Double, _ lo: Double?, _ hi: Double?, _ node: YAMLNode, _ path: String) -> Bool {
        if let lo, d < lo {
            fail(
                .invalidValue,
                "\(SchemaValidator.display(path)) must be at least \(Self.format(lo)), not \(node.scalarText ?? "")",
                at: node.mark
            )
            return false
        }
        if let hi, d > hi {
            fail(
                .invalidValue,
                "\(SchemaValidator.display(path)) must be at most \(Self.format(hi)), not \(node.scalarText ?? "")",
                at: node.mark
            )
            return false
        }
        return true
    }

    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    mutating func object(_ node: YAMLNode, _ schema: ObjectSchema, _ path: String) -> JSONValue? {
        guard case .mapping(let pairs) = node.content else {
            wrongType(node, .object(schema), path)
            return nil
        }
        let before = errors.count
        var out: [String: JSONValue] = [:]
        var present: Set<String> = []
        let names = schema.fields.map(\.name)
        // A required field that a misspelt key stands for is not reported missing as well:
        // the unknown-key error ("did you mean `params`?") already says what to do.
        var misspelt: Set<String> = []
        for pair in pairs {
            let key = pair.key.scalarText ?? ""
            guard let field = schema.fields.first(where: { $0.name == key }) else {
                if let extra = schema.additionalValues, pair.key.scalarText != nil {
                    // Keys the schema leaves open (a pipeline's declared parameters): kept
                    // for the handler, which knows which ones are allowed.
                    if pair.value.isNull { continue }
                    if let v = value(pair.value, extra, SchemaValidator.join(path, key)) { out[key] = v }
                    continue
                }
                if let intended = Suggestion.closest(to: key, among: names) { misspelt.insert(intended) }
                fail(
                    .unknownKey,
                    "unknown key \(EchoedValue.quoted(key))" + (path.isEmpty ? "" : " in \(path)"),
                    at: pair.key.mark,
                    fix: Suggestion.fix(for: key, among: names)
                )
                continue
            }
            if pair.value.isNull { continue }  // written but empty: as if absent
            present.insert(key)
            if let v = value(pair.value, field.schema, SchemaValidator.join(path, key)) { out[key] = v }
        }
        for field in schema.fields where !present.contains(field.name) {
            if field.required && misspelt.contains(field.name) { continue }
            if field.required {
                let empty = pairs.first { $0.key.scalarText == field.name }
                let doc = field.doc.isEmpty ? "" : " (\(field.doc))"
                fail(
                    .missingField,
                    "\(SchemaValidator.join(path, field.name)) is \(empty == nil ? "missing" : "empty")\(doc)",
                    at: empty?.key.mark ?? node.mark,
                    fix: "add `\(field.name):` with \(field.schema.expectation)"
                )
            } else if let d = field.defaultValue {
                out[field.name] = d
            }
        }
        guard errors.count == before else { return nil }
        let result = JSONValue.object(out)
        if let check = schema.check {
            let problems = check(result, node)
            if !problems.isEmpty {
                errors.append(contentsOf: problems)
                return nil
            }
        }
        return result
    }

    /// `.any`: plain scalars typed best-effort, collections converted recursively.
    mutating func anyValue(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .scalar: return SchemaValidator.plainValue(node)
        case .sequence(let items): return .array(items.map { anyValue($0) })
        case .mapping(let pairs):
            var out: [String: JSONValue] = [:]
            for pair in pairs { out[pair.key.scalarText ?? ""] = anyValue(pair.value) }
            return .object(out)
        }
    }
}
