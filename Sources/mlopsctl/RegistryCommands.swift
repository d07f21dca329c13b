import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

/// Options every registry command shares.
struct RegistryOutput: ParsableArguments {
    @Option(help: "Give up waiting after this many seconds (default 120).") var timeout: Double?
    @Flag(help: "Print the result document as JSON.") var json = false
}

extension MLOpsCtl {
    struct Versions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a model's versions, states and production history (a list-versions job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected (e.g. unknown model), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Flag(help: "Leave archived versions out.") var noArchived = false

        func run() throws {
            try submitAndWait(
                Kinds.ListVersions.self,
                spoolOptions,
                model: model,
                parameters: .init(includeArchived: !noArchived, history: true),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no result" }
                var lines = [
                    "\(model): production \(result.production ?? "none")"
                        + (result.rollbackTarget.map { ", rollback target \($0)" } ?? "")
                ]
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
                        lines.append(
                            "    \(pad(s.version, 16)) \(span)  \(s.action)\(forced) by \(s.by)"
                                + (s.reason.map { ": \($0)" } ?? "")
                        )
                    }
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Production: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's production version, now or at a past time (a get-production-model job).",
            discussion:
                "Exit status: 0 answered (also when there is no production version), 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(help: "An RFC 3339 time, e.g. 2026-11-29T13:00:00Z: which version was in production then.") var at:
            String?

        func run() throws {
            try submitAndWait(
                Kinds.GetProductionModel.self,
                spoolOptions,
                model: model,
                parameters: .init(at: at),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no result" }
                guard let version = result.version else { return result.note ?? "\(model): no production version" }
                let stint = result.stint
                var text = "\(model) \(version): in production since \(stint?.from ?? "?")"
                if let until = stint?.until { text += " until \(until)" }
                text +=
                    " (\(stint?.action ?? "promote")" + (stint?.forced == true ? ", forced" : "")
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
            discussion:
                "Exit status: 0 promoted, 1 failed (a gate refused, or the deploy hook failed and was undone), 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Argument(help: "The version, e.g. 1.4.0.") var version: String
        @Flag(help: "Override refusing gates (needs --reason); recorded as forced.") var force = false
        @Flag(help: "Also archive versions beyond keep_versions, in the same step.") var archive = false
        @Option(help: "Why; kept in the history and the audit log.") var reason: String?

        func run() throws {
            try submitAndWait(
                Kinds.PromoteVersion.self,
                spoolOptions,
                model: model,
                reason: reason,
                parameters: .init(version: version, force: force, archive: archive),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no result" }
                var text =
                    "\(model) \(version) is in production"
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
            discussion:
                "Exit status: 0 rolled back, 1 failed (the deploy hook failed and was undone), 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(help: "The former production version to return to (default: the previous one).") var to: String?
        @Option(help: "Why; kept in the history, the audit log and the alert.") var reason: String?

        func run() throws {
            try submitAndWait(
                Kinds.Rollback.self,
                spoolOptions,
                model: model,
                reason: reason,
                parameters: .init(version: to),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no result" }
                return "\(model) rolled back from \(result.rolledBackFrom) to \(result.version)"
            }
        }
    }
}

func pad(_ text: String?, _ width: Int) -> String {
    let t = text ?? "-"
    return t.count >= width ? t : t + String(repeating: " ", count: width - t.count)
}
