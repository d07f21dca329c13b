import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

extension MLOpsCtl {
    /// `mlopsctl retraining status|start|stop|trigger|history|stats` (docs/retraining.md).
    struct Retraining: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Automated retraining: status (check-retrain), start, stop, trigger, history, stats.",
            subcommands: [
                RetrainStatus.self, RetrainStart.self, RetrainStop.self, RetrainTrigger.self, RetrainHistory.self,
                RetrainStats.self,
            ]
        )
    }

    struct RetrainStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Whether a model should be retrained now, and why (a check-retrain job).",
            discussion: "Exit status: 0 answered, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            try submitAndWait(
                Kinds.CheckRetrain.self,
                spoolOptions,
                model: model,
                parameters: .init(),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let r = result else { return "no answer" }
                var lines = [
                    "\(model): automated retraining \(r.enabled ? "on" : "off"); "
                        + (r.shouldRetrain ? "should be retrained" : "no retraining needed")
                ]
                lines.append("  would: \(r.whatWouldHappen)")
                for c in r.conditions {
                    lines.append("  \(c.holds ? "[x]" : "[ ]") \(pad(c.trigger.rawValue, 10)) \(c.explanation)")
                }
                for b in r.heldBackBy {
                    lines.append("  held back: \(b.code): \(b.message)")
                }
                if let next = r.nextScheduledAt { lines.append("  next scheduled slot: \(next)") }
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
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model (default: every model).") var model: String?
        @Option(help: "The pipeline automatic runs use.") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value"))
        var settings: [String] = []
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            let params = settings.isEmpty ? nil : try RetrainingText.parameterValues(settings)
            try submitAndWait(
                Kinds.RetrainingStart.self,
                spoolOptions,
                model: model,
                reason: reason,
                parameters: .init(pipeline: pipeline, params: params),
                timeout: output.timeout,
                json: output.json,
                render: RetrainingText.switched
            )
        }
    }

    struct RetrainStop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop",
            abstract: "Switch automated retraining off, for one model or all (a retraining-stop job).",
            discussion: "Exit status: 0 off, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model (default: every model).") var model: String?
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() throws {
            try submitAndWait(
                Kinds.RetrainingStop.self,
                spoolOptions,
                model: model,
                reason: reason,
                parameters: .init(),
                timeout: output.timeout,
                json: output.json,
                render: RetrainingText.switched
            )
        }
    }

    struct RetrainTrigger: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trigger",
            abstract: "Retrain a model now, trigger manual (a retraining-trigger job), and wait for the run's end.",
            discussion: """
                Without --pipeline or --set, the retraining settings are used.
                Exit status: 0 the run succeeded, 1 it failed, 65 rejected (a run already active, a parameter refused), 124 timed out.
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @Option(help: "Give up waiting after this many seconds (default 3600).") var timeout: Double?
        @Flag(help: "Print the result document as JSON.") var json = false
        @Argument(help: "The model.") var model: String
        @Option(help: "The pipeline (default: the retraining settings', else the model's).") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value"))
        var settings: [String] = []
        @Option(help: "Why (kept in the history).") var reason: String?

        func run() throws {
            try RunText.startRun(
                Kinds.RetrainingTrigger.self,
                model: model,
                pipeline: pipeline,
                settings: settings,
                reason: reason,
                spoolOptions,
                timeout: timeout,
                json: json
            )
        }
    }

    struct RetrainHistory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Retrainings and held-back triggers, newest first (a retraining-history job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model.") var model: String?
        @Option(help: "Only this trigger (scheduled, drift, decay, estimated_decay, manual).") var trigger: String?
        @Flag(help: "Leave out triggers that were held back.") var retrainingsOnly = false
        @Option(help: "The most entries (default 50).") var limit: Int?

        func run() throws {
            var parameters = Kinds.RetrainingHistory.Parameters(includeSuppressed: !retrainingsOnly)
            if let trigger {
                guard let known = RetrainingTrigger(rawValue: trigger) else {
                    throw ValidationError(
                        "--trigger must be one of "
                            + RetrainingTrigger.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
                parameters.trigger = known
            }
            if let limit { parameters.limit = limit }
            try submitAndWait(
                Kinds.RetrainingHistory.self,
                spoolOptions,
                model: model,
                parameters: parameters,
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let entries = result?.entries, !entries.isEmpty else { return "no retraining history" }
                var text = [
                    "AT                        MODEL            TRIGGER    ACTION      RUN / REASON             OUTCOME      DURATION  VERSION"
                ]
                for e in entries {
                    let fired = e.fired
                    text.append(
                        [
                            pad(e.at, 25), pad(e.model, 16), pad(e.trigger, 10), pad(e.action, 11),
                            pad(fired ? e.runID : e.reason, 24), pad(fired ? e.outcome : "", 12),
                            pad(fired ? RunText.seconds(e.durationSeconds) : "", 9), fired ? (e.version ?? "-") : "",
                        ].joined(separator: " ")
                    )
                }
                return text.joined(separator: "\n")
            }
        }
    }

    struct RetrainStats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Statistics of retraining (a retraining-stats job).",
            discussion: "Exit status: 0 shown, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model.") var model: String?
        @Option(help: "Only the last this many days.") var days: Double?

        func run() throws {
            try submitAndWait(
                Kinds.RetrainingStats.self,
                spoolOptions,
                model: model,
                parameters: .init(days: days),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let s = result?.statistics else { return "no statistics" }
                var text = ["retrainings \(s.retrainings), held back \(s.suppressed), finished \(s.finished)"]
                if let rate = s.successRate { text.append(String(format: "success rate %.1f%%", rate * 100)) }
                if let d = s.meanDurationSeconds { text.append(String(format: "mean duration %.1f s", d)) }
                if let d = s.meanDetectionToDeploymentSeconds {
                    text.append(
                        String(
                            format: "mean time from detection to deployment %.1f s (%d deployments)",
                            d,
                            s.deployments
                        )
                    )
                }
                for trigger in RetrainingTrigger.allCases.map(\.rawValue) {
                    guard let t = s.byTrigger[trigger] else { continue }
                    text.append(
                        "  \(pad(trigger, 10)) started \(t.retrainings), succeeded \(t.succeeded), "
                            + "failed \(t.failed), held back \(t.suppressed)"
                    )
                }
                return text.joined(separator: "\n")
            }
        }
    }
}

/// How retraining answers read on a terminal.
enum RetrainingText {
    /// The values of `--set NAME=VALUE` options: an integer, a number without letters
    /// (`1.5`, not `1e5` or `nan`) and `true`/`false` as such, anything else as text — stricter
    /// than YAML, which would also read `1e5` as a number and `null` as null.
    static func parameterValues(_ settings: [String]) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for setting in settings {
            guard let eq = setting.firstIndex(of: "="), eq != setting.startIndex else {
                throw ValidationError("--set needs NAME=VALUE, not `\(setting)`")
            }
            let name = String(setting[..<eq])
            let value = String(setting[setting.index(after: eq)...])
            if let int = Int(value) {
                values[name] = .int(int)
            } else if let double = Double(value), value.rangeOfCharacter(from: .letters) == nil {
                values[name] = .double(double)
            } else if value == "true" || value == "false" {
                values[name] = .bool(value == "true")
            } else {
                values[name] = .string(value)
            }
        }
        return values
    }

    /// The models a start or stop job switched.
    static func switched(_ result: RetrainingSwitchResult?) -> String {
        guard let models = result?.models else { return "nothing switched" }
        return models.map { m in
            var line = "\(m.model): automated retraining \(m.enabled ? "on" : "off")"
            if m.enabled { line += " (pipeline \(m.pipeline ?? "the model's"))" }
            return line
        }.joined(separator: "\n")
    }
}
