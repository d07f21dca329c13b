import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore


/// A YAML scalar for `text`: a JSON string is a valid YAML double-quoted scalar, so
/// nothing a user types can change the structure of the job.
func yamlQuoted(_ text: String) -> String {
    (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
}

/// Submits a job built from `lines`, waits for its result and prints it with `render`
/// (or as JSON); exits with the job's status like `submit --wait`.
func submitAndWait(_ options: SpoolOptions, lines: [String], timeout: Double?, json: Bool, render: @escaping (ResultDocument) -> String) throws {
    try reportingFailures {
        let client = try options.resolve()
        let submission = try submit(lines.joined(separator: "\n") + "\n", fileName: nil, to: client)
        try waitAndPrint(id: submission.id, json: json, render: render) { () throws(SpoolClient.ClientError) in
            try client.wait(for: submission, timeout: timeout ?? 120)
        }
    }
}

/// Options every registry command shares.
struct RegistryOutput: ParsableArguments {
    @Option(help: "Give up waiting after this many seconds (default 120).") var timeout: Double?
    @Flag(help: "Print the result document as JSON.") var json = false
}

extension MLOpsCtl {
    struct Versions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a model's versions, states and production history (a list-versions job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected (e.g. unknown model), 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Flag(help: "Leave archived versions out.") var noArchived = false

        func run() throws {
            try submitAndWait(
                spoolOptions,
                lines: ["kind: list-versions", "model: \(yamlQuoted(model))", "params:",
                        "  include_archived: \(!noArchived)", "  history: true"],
                timeout: output.timeout, json: output.json
            ) { doc in
                var lines = ["\(model): production \(doc.result?["production"]?.stringValue ?? "none")"
                    + (doc.result?["rollback_target"]?.stringValue.map { ", rollback target \($0)" } ?? "")]
                if case .array(let versions)? = doc.result?["versions"] {
                    lines.append("  VERSION          STATE       METRIC    CHANGE    CREATED                   BY")
                    for v in versions {
                        let metric = v["metric_value"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "-"
                        lines.append("  " + [pad(v["version"]?.stringValue, 16), pad(v["state"]?.stringValue, 11), pad(metric, 9),
                                             pad(v["change"]?.stringValue, 9), pad(v["created_at"]?.stringValue, 25),
                                             v["created_by"]?.stringValue ?? ""].joined(separator: " "))
                    }
                }
                if case .array(let stints)? = doc.result?["production_history"], !stints.isEmpty {
                    lines.append("  production history:")
                    for s in stints {
                        let forced = s["forced"]?.boolValue == true ? " (forced)" : ""
                        lines.append("    \(pad(s["version"]?.stringValue, 16)) \(s["from"]?.stringValue ?? "?") → \(s["until"]?.stringValue ?? "now")  \(s["action"]?.stringValue ?? "")\(forced) by \(s["by"]?.stringValue ?? "?")"
                            + (s["reason"]?.stringValue.map { ": \($0)" } ?? ""))
                    }
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Production: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's production version, now or at a past time (a get-production-model job).",
            discussion: "Exit status: 0 answered (also when there is no production version), 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(help: "An RFC 3339 time, e.g. 2026-11-29T13:00:00Z: which version was in production then.") var at: String?

        func run() throws {
            var lines = ["kind: get-production-model", "model: \(yamlQuoted(model))"]
            if let at { lines += ["params:", "  at: \(yamlQuoted(at))"] }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                guard let version = doc.result?["version"]?.stringValue else {
                    return doc.result?["note"]?.stringValue ?? "\(model): no production version"
                }
                let stint = doc.result?["stint"]
                var text = "\(model) \(version): in production since \(stint?["from"]?.stringValue ?? "?")"
                if let until = stint?["until"]?.stringValue { text += " until \(until)" }
                text += " (\(stint?["action"]?.stringValue ?? "promote")"
                    + (stint?["forced"]?.boolValue == true ? ", forced" : "") + " by \(stint?["by"]?.stringValue ?? "?"))"
                if let artifact = doc.result?["details"]?["artifact"]?["path"]?.stringValue { text += "\n  artifact: \(artifact)" }
                if let link = doc.result?["serving"]?["link"]?.stringValue { text += "\n  serving: \(link)" }
                return text
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Promote a version to production after the model's gates (a promote-version job).",
            discussion: "Exit status: 0 promoted, 1 failed (a gate refused, or the deploy hook failed and was undone), 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Argument(help: "The version, e.g. 1.4.0.") var version: String
        @Flag(help: "Override refusing gates (needs --reason); recorded as forced.") var force = false
        @Flag(help: "Also archive versions beyond keep_versions, in the same step.") var archive = false
        @Option(help: "Why; kept in the history and the audit log.") var reason: String?

        func run() throws {
            var lines = ["kind: promote-version", "model: \(yamlQuoted(model))"]
            if let reason { lines.append("reason: \(yamlQuoted(reason))") }
            lines += ["params:", "  version: \(yamlQuoted(version))", "  force: \(force)", "  archive: \(archive)"]
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                var text = "\(model) \(version) is in production"
                    + (doc.result?["previous_version"]?.stringValue.map { " (was \($0))" } ?? "")
                    + (force ? ", forced" : "")
                if case .array(let gates)? = doc.result?["gates"] {
                    for g in gates {
                        text += "\n  \(g["passed"]?.boolValue == true ? "pass" : "FAIL") \(g["gate"]?.stringValue ?? ""): \(g["explanation"]?.stringValue ?? "")"
                    }
                }
                if case .array(let archived)? = doc.result?["archive"]?["archived"], !archived.isEmpty {
                    text += "\n  archived: " + archived.compactMap(\.stringValue).joined(separator: ", ")
                }
                return text
            }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Return production to the previous (or a named) version (a rollback job).",
            discussion: "Exit status: 0 rolled back, 1 failed (the deploy hook failed and was undone), 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(help: "The former production version to return to (default: the previous one).") var to: String?
        @Option(help: "Why; kept in the history, the audit log and the alert.") var reason: String?

        func run() throws {
            var lines = ["kind: rollback", "model: \(yamlQuoted(model))"]
            if let reason { lines.append("reason: \(yamlQuoted(reason))") }
            if let to { lines += ["params:", "  version: \(yamlQuoted(to))"] }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                "\(model) rolled back from \(doc.result?["rolled_back_from"]?.stringValue ?? "?") to \(doc.result?["version"]?.stringValue ?? "?")"
            }
        }
    }
}

func pad(_ text: String?, _ width: Int) -> String {
    let t = text ?? "-"
    return t.count >= width ? t : t + String(repeating: " ", count: width - t.count)
}
