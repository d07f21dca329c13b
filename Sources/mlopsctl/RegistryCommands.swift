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

/// Submits the job `submission` writes (``SpoolClient/submit(_:model:reason:parameters:)``),
/// waits for its result and prints it with `render` (or as JSON); exits with the job's
/// status like `submit --wait`. A result `render` cannot read is printed generically,
/// with the reason on stderr.
func submitAndWait(
    _ options: SpoolOptions, timeout: Double?, json: Bool,
    submission: (SpoolClient) throws(SpoolClient.ClientError) -> SpoolClient.Submission,
    render: @escaping (ResultDocument) throws -> String
) throws {
    try reportingFailures {
        let client = try options.resolve()
        let submitted: SpoolClient.Submission
        do throws(SpoolClient.ClientError) {
            submitted = try submission(client)
        } catch {
            if case .system = error { throw CtlFailure(message: "mlopsctl: \(error)", code: Exit.cannotWrite) }
            throw CtlFailure(message: "\(error)", code: Exit.rejected)
        }
        try waitAndPrint(id: submitted.id, json: json, render: { doc in
            do {
                return try render(doc)
            } catch {
                let problem = "mlopsctl: cannot read the result of job \(doc.job): \(error)\n"
                FileHandle.standardError.write(Data(problem.utf8))
                return describe(doc)
            }
        }) { () throws(SpoolClient.ClientError) in
            try client.wait(for: submitted, timeout: timeout ?? 120)
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
            try submitAndWait(spoolOptions, timeout: output.timeout, json: output.json) {
                client throws(SpoolClient.ClientError) in
                try client.submit(Kinds.ListVersions.self, model: model,
                                  parameters: .init(includeArchived: !noArchived, history: true))
            } render: { doc in
                guard let result = try doc.result(of: Kinds.ListVersions.self) else { return describe(doc) }
                var lines = ["\(model): production \(result.production ?? "none")"
                    + (result.rollbackTarget.map { ", rollback target \($0)" } ?? "")]
                lines.append("  VERSION          STATE       METRIC    CHANGE    CREATED                   BY")
                for v in result.versions {
                    let metric = v.metricValue.map { String(format: "%.4f", $0) } ?? "-"
                    let cells = [
                        pad(v.version, 16), pad(v.state.rawValue, 11), pad(metric, 9), pad(v.change, 9),
                        pad(v.createdAt, 25), v.createdBy,
                    ]
                    lines.append("  " + cells.joined(separator: " "))
                }
                if let stints = result.productionHistory, !stints.isEmpty {
                    lines.append("  production history:")
                    for s in stints {
                        let forced = s.forced ? " (forced)" : ""
                        let span = "\(s.from) → \(s.until ?? "now")"
                        lines.append("    \(pad(s.version, 16)) \(span)  \(s.action)\(forced) by \(s.by)"
                            + (s.reason.map { ": \($0)" } ?? ""))
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
            try submitAndWait(spoolOptions, timeout: output.timeout, json: output.json) {
                client throws(SpoolClient.ClientError) in
                try client.submit(Kinds.GetProductionModel.self, model: model, parameters: .init(at: at))
            } render: { doc in
                guard let result = try doc.result(of: Kinds.GetProductionModel.self) else { return describe(doc) }
                guard let version = result.version else { return result.note ?? "\(model): no production version" }
                let stint = result.stint
                var text = "\(model) \(version): in production since \(stint?.from ?? "?")"
                if let until = stint?.until { text += " until \(until)" }
                text += " (\(stint?.action ?? "promote")" + (stint?.forced == true ? ", forced" : "")
                    + " by \(stint?.by ?? "?"))"
                if let artifact = result.details?.artifact.path { text += "\n  artifact: \(artifact)" }
                if let link = result.serving?.link { text += "\n  serving: \(link)" }
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
            try submitAndWait(spoolOptions, timeout: output.timeout, json: output.json) {
                client throws(SpoolClient.ClientError) in
                try client.submit(Kinds.PromoteVersion.self, model: model, reason: reason,
                                  parameters: .init(version: version, force: force, archive: archive))
            } render: { doc in
                guard let result = try doc.result(of: Kinds.PromoteVersion.self) else { return describe(doc) }
                var text = "\(model) \(version) is in production"
                    + (result.previousVersion.map { " (was \($0))" } ?? "")
                    + (force ? ", forced" : "")
                for g in result.gates {
                    text += "\n  \(g.passed ? "pass" : "FAIL") \(g.gate): \(g.explanation)"
                }
                if let archived = result.archive?.archived, !archived.isEmpty {
                    text += "\n  archived: " + archived.joined(separator: ", ")
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
            try submitAndWait(spoolOptions, timeout: output.timeout, json: output.json) {
                client throws(SpoolClient.ClientError) in
                try client.submit(Kinds.Rollback.self, model: model, reason: reason, parameters: .init(version: to))
            } render: { doc in
                guard let result = try doc.result(of: Kinds.Rollback.self) else { return describe(doc) }
                return "\(model) rolled back from \(result.rolledBackFrom) to \(result.version)"
            }
        }
    }
}

func pad(_ text: String?, _ width: Int) -> String {
    let t = text ?? "-"
    return t.count >= width ? t : t + String(repeating: " ", count: width - t.count)
}
