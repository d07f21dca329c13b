import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore


extension MLOpsCtl {
    /// `mlopsctl retraining status|start|stop|trigger|history|stats` (docs/retraining.md).
    struct Retraining: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Automated retraining: status (check-retrain), start, stop, trigger, history, stats.",
            subcommands: [RetrainStatus.self, RetrainStart.self, RetrainStop.self, RetrainTrigger.self, RetrainHistory.self,
                          RetrainStats.self])
    }

    struct RetrainStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Whether a model should be retrained now, and why (a check-retrain job).",
            discussion: "Exit status: 0 answered, 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            try submitAndWait(spoolOptions, lines: ["kind: check-retrain", "model: \(yamlQuoted(model))"],
                              timeout: output.timeout, json: output.json) { doc in
                guard let r = doc.result else { return "no answer" }
                var lines = ["\(model): automated retraining \(r["enabled"]?.boolValue == true ? "on" : "off"); "
                             + (r["should_retrain"]?.boolValue == true ? "should be retrained" : "no retraining needed")]
                lines.append("  would: \(r["what_would_happen"]?.stringValue ?? "?")")
                if case .array(let conditions)? = r["conditions"] {
                    for c in conditions {
                        lines.append("  \(c["holds"]?.boolValue == true ? "[x]" : "[ ]") \(pad(c["trigger"]?.stringValue, 10)) \(c["explanation"]?.stringValue ?? "")")
                    }
                }
                if case .array(let blocks)? = r["held_back_by"] {
                    for b in blocks { lines.append("  held back: \(b["code"]?.stringValue ?? "?"): \(b["message"]?.stringValue ?? "")") }
                }
                if let next = r["next_scheduled_at"]?.stringValue { lines.append("  next scheduled slot: \(next)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct RetrainStart: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Switch automated retraining on, for one model or all (a retraining-start job).",
            discussion: """
                Each --set NAME=VALUE sets a parameter automatic runs pass to the pipeline; they are checked now. \
                Without --set, the settings given before are kept.
                Exit status: 0 on, 1 failed, 65 rejected (unknown pipeline, a parameter refused), 124 timed out.
                """)

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model (default: every model).") var model: String?
        @Option(help: "The pipeline automatic runs use.") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value")) var settings: [String] = []
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            var lines = ["kind: retraining-start"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            if let reason { lines.append("reason: \(yamlQuoted(reason))") }
            lines.append("params:")
            if let pipeline { lines.append("  pipeline: \(yamlQuoted(pipeline))") }
            if !settings.isEmpty {
                lines.append("  params:")
                lines += try RetrainingText.parameterLines(settings, indent: "    ")
            }
            if lines.last == "params:" { lines.removeLast() }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                RetrainingText.switched(doc)
            }
        }
    }

    struct RetrainStop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop",
            abstract: "Switch automated retraining off, for one model or all (a retraining-stop job).",
            discussion: "Exit status: 0 off, 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model (default: every model).") var model: String?
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            var lines = ["kind: retraining-stop"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            if let reason { lines.append("reason: \(yamlQuoted(reason))") }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                RetrainingText.switched(doc)
            }
        }
    }

    struct RetrainTrigger: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trigger",
            abstract: "Retrain a model now, trigger manual (a retraining-trigger job), and wait for the run's end.",
            discussion: """
                Without --pipeline or --set, the retraining settings are used.
                Exit status: 0 the run succeeded, 1 it failed, 65 rejected (a run already active, a parameter refused), 124 timed out.
                """)

        @OptionGroup var spoolOptions: SpoolOptions
        @Option(help: "Give up waiting after this many seconds (default 3600).") var timeout: Double?
        @Flag(help: "Print the result document as JSON.") var json = false
        @Argument(help: "The model.") var model: String
        @Option(help: "The pipeline (default: the retraining settings', else the model's).") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value")) var settings: [String] = []
        @Option(help: "Why (kept in the history).") var reason: String?

        func run() throws {
            try RunText.submitRun(kind: "retraining-trigger", model: model, pipeline: pipeline, settings: settings, reason: reason,
                                  spoolOptions, timeout: timeout, json: json)
        }
    }

    struct RetrainHistory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Retrainings and held-back triggers, newest first (a retraining-history job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model.") var model: String?
        @Option(help: "Only this trigger (scheduled, drift, decay, manual).") var trigger: String?
        @Flag(help: "Leave out triggers that were held back.") var retrainingsOnly = false
        @Option(help: "The most entries (default 50).") var limit: Int?

        func run() throws {
            var lines = ["kind: retraining-history"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            lines.append("params:")
            if let trigger { lines.append("  trigger: \(yamlQuoted(trigger))") }
            if retrainingsOnly { lines.append("  include_suppressed: false") }
            if let limit { lines.append("  limit: \(limit)") }
            if lines.last == "params:" { lines.removeLast() }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                guard case .array(let entries)? = doc.result?["entries"], !entries.isEmpty else { return "no retraining history" }
                var text = ["AT                        MODEL            TRIGGER    ACTION      RUN / REASON             OUTCOME      DURATION  VERSION"]
                for e in entries {
                    let fired = e["action"]?.stringValue == "fired"
                    text.append([
                        pad(e["at"]?.stringValue, 25), pad(e["model"]?.stringValue, 16), pad(e["trigger"]?.stringValue, 10),
                        pad(e["action"]?.stringValue, 11), pad(fired ? e["run_id"]?.stringValue : e["reason"]?.stringValue, 24),
                        pad(fired ? e["outcome"]?.stringValue : "", 12), pad(fired ? RunText.seconds(e["duration_seconds"]) : "", 9),
                        fired ? (e["version"]?.stringValue ?? "-") : "",
                    ].joined(separator: " "))
                }
                return text.joined(separator: "\n")
            }
        }
    }

    struct RetrainStats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Statistics of retraining (a retraining-stats job).",
            discussion: "Exit status: 0 shown, 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model.") var model: String?
        @Option(help: "Only the last this many days.") var days: Double?

        func run() throws {
            var lines = ["kind: retraining-stats"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            if let days { lines += ["params:", "  days: \(days)"] }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                guard let s = doc.result else { return "no statistics" }
                var text = ["retrainings \(s["retrainings"]?.intValue ?? 0), held back \(s["suppressed"]?.intValue ?? 0), finished \(s["finished"]?.intValue ?? 0)"]
                if let rate = s["success_rate"]?.doubleValue { text.append(String(format: "success rate %.1f%%", rate * 100)) }
                if let d = s["mean_duration_seconds"]?.doubleValue { text.append(String(format: "mean duration %.1f s", d)) }
                if let d = s["mean_detection_to_deployment_seconds"]?.doubleValue {
                    text.append(String(format: "mean time from detection to deployment %.1f s (%d deployments)", d, s["deployments"]?.intValue ?? 0))
                }
                for trigger in RetrainingTrigger.allCases.map(\.rawValue) {
                    guard let t = s["by_trigger"]?[trigger] else { continue }
                    text.append("  \(pad(trigger, 10)) started \(t["retrainings"]?.intValue ?? 0), succeeded \(t["succeeded"]?.intValue ?? 0), failed \(t["failed"]?.intValue ?? 0), held back \(t["suppressed"]?.intValue ?? 0)")
                }
                return text.joined(separator: "\n")
            }
        }
    }
}

/// How retraining answers read on a terminal.
enum RetrainingText {
    /// YAML lines for `--set NAME=VALUE` options (numbers and booleans as such, the rest as text).
    static func parameterLines(_ settings: [String], indent: String) throws -> [String] {
        try settings.map { setting in
            guard let eq = setting.firstIndex(of: "="), eq != setting.startIndex else {
                throw ValidationError("--set needs NAME=VALUE, not `\(setting)`")
            }
            let name = String(setting[..<eq])
            let value = String(setting[setting.index(after: eq)...])
            let plain = Int(value) != nil || (Double(value) != nil && value.rangeOfCharacter(from: .letters) == nil)
                || value == "true" || value == "false"
            return "\(indent)\(yamlQuoted(name)): \(plain ? value : yamlQuoted(value))"
        }
    }

    /// The models a start or stop job switched.
    static func switched(_ doc: ResultDocument) -> String {
        guard case .array(let models)? = doc.result?["models"] else { return "nothing switched" }
        return models.map { m in
            let on = m["enabled"]?.boolValue == true
            var line = "\(m["model"]?.stringValue ?? "?"): automated retraining \(on ? "on" : "off")"
            if on { line += " (pipeline \(m["pipeline"]?.stringValue ?? "the model's"))" }
            return line
        }.joined(separator: "\n")
    }
}
