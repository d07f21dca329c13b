/// `mlopsd-jobs(5)`, written from the job kinds' declarations (``JobKind``,
/// ``JobKindDeclaration``): the envelope, then every kind with its summary, its rule for
/// `model:` and each parameter (nested ones as `policy.window_size`, `features[].name`) with
/// its type, default and doc line. Committed as `man/mlopsd-jobs.5`; `ManualPageTests` fails
/// when the committed page and this one differ.
public enum JobsManualPage {
    /// The page's troff text.
    public static func render() -> String {
        typealias M = ManualPage
        var page = ManualPage(title: "MLOPSD-JOBS", section: 5, manual: "File Formats")
        page.section("NAME")
        page.raw(#"mlopsd-jobs \- job files for the mlopsd daemon"#)
        page.section("SYNOPSIS")
        page.raw(M.bold("/var/spool/mlopsd/incoming/ID.yaml"))
        page.section("DESCRIPTION")
        page.paragraph(
            M.prose(
                "A job is one YAML file dropped into the spool's `incoming/` directory, atomically: written "
                    + "elsewhere (or under a name starting with `.`) and renamed in; `mlopsctl submit` does this. "
                    + "mlopsd(8) validates it completely before anything runs and answers it with exactly one "
                    + "result, `results/ID.json`: `succeeded`, `failed`, or `rejected` with every problem found "
                    + "(its code, the line and column, and a fix). `mlopsctl validate FILE` applies the same "
                    + "validation offline."
            )
        )
        page.paragraph(
            M.prose(
                "Job files are strict YAML: one document; no anchors, aliases or tags; unique plain keys; "
                    + "`true`/`false` only for booleans (`yes` and `no` are refused); quoted numbers are text; "
                    + "nesting at most `max_yaml_depth` levels; UTF-8, at most `max_job_bytes` bytes "
                    + "(mlopsd.yaml(5))."
            )
        )
        page.section("ENVELOPE")
        page.tagged(M.bold("kind"), M.prose("Required: one of the kinds below."))
        page.tagged(
            M.bold("model"),
            M.prose(
                "The model the job acts on, `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`; required, optional or refused by kind."
            )
        )
        page.tagged(
            M.bold("id"),
            M.prose(
                "The job id, 1 to 128 characters from `A-Z a-z 0-9 . _ -`, not starting with `.`; default: the "
                    + "file name without `.yaml`. Ids are never reused."
            )
        )
        page.tagged(M.bold("reason"), M.prose("Why, kept in the history; at most 1000 characters."))
        page.tagged(
            M.bold("params"),
            M.prose("The kind's parameters (below); absent or empty means none, and defaults apply.")
        )
        page.example(
            """
            kind: run-pipeline
            model: chest-xray
            id: retrain-2026-11-29
            reason: scanner replaced in ward 3
            params:
              pipeline: default
            """
        )
        page.section("KINDS")
        for kind in JobKind.allCases {
            let declaration = kind.declaration
            page.subsection(kind.rawValue)
            page.paragraph(M.prose(sentence(declaration.summary) + " " + modelRule(declaration.modelRule)))
            let fields = declaration.schema.fields
            if fields.isEmpty {
                page.paragraph(M.escape("No parameters."))
            }
            for (path, field) in flattened(fields, prefix: "") {
                var tag = M.bold(path) + " (" + M.escape(field.schema.expectation)
                if field.required {
                    tag += M.escape(", required")
                } else if let value = field.defaultValue, !isMapping(value) {
                    // A mapping's default is its fields' defaults, listed below it.
                    tag += M.escape(", default ") + M.bold(defaultText(value))
                }
                tag += ")"
                page.tagged(tag, M.prose(field.doc.isEmpty ? "See jobs-reference.md." : sentence(field.doc)))
            }
            if declaration.schema.additionalValues != nil {
                page.paragraph(
                    M.prose(
                        "Other keys are passed on as the pipeline's own parameters, checked against its definition."
                    )
                )
            }
        }
        page.section("ERROR CODES")
        page.paragraph(
            M.prose(
                "A refused job's result names one of: "
                    + JobErrorCode.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                    + ". `/usr/share/doc/mlopsd/jobs-reference.md` explains each with its fix."
            )
        )
        page.section("FILES")
        page.tagged(M.bold("/var/spool/mlopsd/incoming/"), M.escape("Where jobs are dropped (group mlopsd-submit)."))
        page.tagged(M.bold("/var/spool/mlopsd/results/"), M.escape("One result document per job, ID.json."))
        page.tagged(
            M.bold("/var/spool/mlopsd/done/, failed/"),
            M.escape("Finished job files, kept for done_retention_days and failed_retention_days.")
        )
        page.section("SEE ALSO")
        page.raw(
            [#"\fBmlopsd\fR(8)"#, #"\fBmlopsd.yaml\fR(5)"#, #"\fBmlopsctl\fR(1)"#].joined(separator: ", ")
        )
        page.paragraph(
            M.prose("`/usr/share/doc/mlopsd/jobs-reference.md` has every kind with examples and its result.")
        )
        return page.text
    }

    /// Fields with their nested fields after them: `policy`, then `policy.window_size`, …;
    /// a list of mappings as `features[].name`, a map of mappings as `gates.NAME.min`.
    static func flattened(_ fields: [Field], prefix: String) -> [(String, Field)] {
        var out: [(String, Field)] = []
        for field in fields {
            let path = prefix + field.name
            out.append((path, field))
            switch field.schema {
            case .object(let object): out += flattened(object.fields, prefix: path + ".")
            case .list(.object(let object), _, _): out += flattened(object.fields, prefix: path + "[].")
            case .map(_, .object(let object)): out += flattened(object.fields, prefix: path + ".NAME.")
            default: break
            }
        }
        return out
    }

    private static func isMapping(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }

    /// A default as YAML would write it: text bare (`""` when empty), the rest as JSON.
    static func defaultText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text.isEmpty ? "\"\"" : text }
        return (try? JSONTextWriter.string(value, layout: .compact)) ?? "\(value)"
    }

    /// What the kind says about `model:`.
    private static func modelRule(_ rule: ModelRequirement) -> String {
        switch rule {
        case .registered: return "`model:` is required and must be registered."
        case .unregistered: return "`model:` is required (the model being declared)."
        case .optional: return "`model:` is optional (a registered model; without one, every model)."
        case .optionalAnyModel: return "`model:` is optional (it need not be registered any more)."
        case .forbidden: return "`model:` is refused."
        }
    }

    /// `text` with a capital and a full stop.
    private static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let body = first.uppercased() + text.dropFirst()
        return body.hasSuffix(".") ? body : body + "."
    }
}
