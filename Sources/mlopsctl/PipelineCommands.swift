import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore


extension MLOpsCtl {
    struct Pipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model's pipeline (a run-pipeline job) and wait for its end.",
            discussion: """
                Each --set NAME=VALUE sets a parameter the pipeline declares (etc/pipelines/<name>.yaml); \
                numbers and true/false are passed as such, anything else as text. A job can never set a command.
                Exit status: 0 the run succeeded, 1 it failed (or was cancelled or interrupted), 65 rejected \
                (unknown pipeline or parameter, a run already active), 124 timed out waiting.
                """)

        @OptionGroup var spoolOptions: SpoolOptions
        @Option(help: "Give up waiting after this many seconds (default 3600).") var timeout: Double?
        @Flag(help: "Print the result document as JSON.") var json = false
        @Argument(help: "The model.") var model: String
        @Option(help: "The pipeline (default: the model's).") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value")) var settings: [String] = []
        @Option(help: "Why the run is wanted (kept in the history).") var reason: String?

        func run() throws {
            try RunText.submitRun(kind: "run-pipeline", model: model, pipeline: pipeline, settings: settings, reason: reason,
                                  spoolOptions, timeout: timeout, json: json)
        }
    }

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pipeline runs, newest first (a pipeline-history job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model's runs.") var model: String?
        @Option(help: "Only runs in this state (queued, running, succeeded, failed, cancelled, interrupted).") var state: String?
        @Option(help: "The most runs listed (default 50).") var limit: Int?

        func run() throws {
            var lines = ["kind: pipeline-history"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            lines.append("params:")
            if let state { lines.append("  state: \(yamlQuoted(state))") }
            if let limit { lines.append("  limit: \(limit)") }
            if lines.last == "params:" { lines.removeLast() }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                guard case .array(let runs)? = doc.result?["runs"], !runs.isEmpty else { return "no pipeline runs" }
                var text = ["RUN                     MODEL            PIPELINE     STATE        STAGE            DURATION  VERSION"]
                for r in runs {
                    let stage = r["stage"]?.stringValue.map { "\($0) (\(r["stage_number"]?.intValue ?? 0)/8)" }
                    text.append([
                        pad(r["run_id"]?.stringValue, 23), pad(r["model"]?.stringValue, 16), pad(r["pipeline"]?.stringValue, 12),
                        pad(r["state"]?.stringValue, 12), pad(stage, 16), pad(RunText.seconds(r["duration_seconds"]), 9),
                        r["version"]?.stringValue ?? "-",
                    ].joined(separator: " "))
                }
                return text.joined(separator: "\n")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one pipeline run with its eight stages (a pipeline-history job).",
            discussion: "Exit status: 0 shown, 1 failed, 65 rejected (unknown run), 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The run id.") var id: String

        func run() throws {
            try submitAndWait(spoolOptions, lines: ["kind: pipeline-history", "params:", "  run: \(yamlQuoted(id))"],
                              timeout: output.timeout, json: output.json) { doc in
                guard case .array(let runs)? = doc.result?["runs"], let run = runs.first else { return "no such run" }
                return RunText.summary(run) + "\n" + RunText.stages(run)
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a model's queued or running pipeline run (a cancel-pipeline job).",
            discussion: "Exit status: 0 cancelling, 1 failed, 65 rejected (nothing to cancel), 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String?
        @Option(name: .customLong("run"), help: "The run to cancel (default: the model's active run).") var runID: String?

        func run() throws {
            guard model != nil || runID != nil else { throw ValidationError("name a model or --run ID") }
            var lines = ["kind: cancel-pipeline"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            if let runID { lines += ["params:", "  run: \(yamlQuoted(runID))"] }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                "cancelling run \(doc.result?["run_id"]?.stringValue ?? "?") (was \(doc.result?["state_before"]?.stringValue ?? "?"))"
            }
        }
    }
}

/// How runs read on a terminal.
enum RunText {
    /// Submits a job that starts a pipeline run (`run-pipeline`, `retraining-trigger`) with
    /// an optional pipeline, `--set NAME=VALUE` parameters and a reason, waits for the run's
    /// end (default one hour) and prints it with its stages.
    static func submitRun(kind: String, model: String, pipeline: String?, settings: [String], reason: String?,
                          _ spoolOptions: SpoolOptions, timeout: Double?, json: Bool) throws {
        var lines = ["kind: \(kind)", "model: \(yamlQuoted(model))"]
        if let reason { lines.append("reason: \(yamlQuoted(reason))") }
        lines.append("params:")
        if let pipeline { lines.append("  pipeline: \(yamlQuoted(pipeline))") }
        lines += try RetrainingText.parameterLines(settings, indent: "  ")
        if lines.last == "params:" { lines.removeLast() }
        try submitAndWait(spoolOptions, lines: lines, timeout: timeout ?? 3600, json: json) { doc in
            guard let run = doc.result else { return "no run" }
            return summary(run) + "\n" + stages(run)
        }
    }

    static func summary(_ run: JSONValue) -> String {
        var text = "run \(run["run_id"]?.stringValue ?? "?") of \(run["model"]?.stringValue ?? "?") (pipeline \(run["pipeline"]?.stringValue ?? "?")): "
            + (run["state"]?.stringValue ?? "?")
        if let version = run["version"]?.stringValue { text += ", version \(version)" }
        if let d = run["duration_seconds"]?.doubleValue {
            text += String(format: " in %.2f s", d)
            if let c = run["children_seconds"]?.doubleValue { text += String(format: " (children %.2f s)", c) }
        }
        if let message = run["error"]?["message"]?.stringValue { text += "\n  error: \(message)" }
        return text
    }

    static func stages(_ run: JSONValue) -> String {
        guard case .array(let stages)? = run["stages"] else { return "" }
        var lines = ["  #  STAGE            OUTCOME      DURATION  NOTE"]
        for s in stages {
            let report = s["report"]
            var note = report?["error"]?.stringValue ?? report?["reason"]?.stringValue ?? ""
            if note.isEmpty, let code = s["exit_code"]?.intValue { note = "exit \(code)" }
            if report?["executor"]?.stringValue == "slurm", let job = report?["slurm_job_id"]?.stringValue {
                let where_ = report?["nodes"]?.stringValue.map { " on \($0)" } ?? ""
                let state = report?["slurm_state"]?.stringValue.map { " \($0)" } ?? ""
                note = "slurm job \(job)\(state)\(where_)" + (note.isEmpty ? "" : ": " + note)
            }
            if note.isEmpty, let version = report?["version"]?.stringValue { note = "version \(version)" }
            if note.isEmpty, let metric = report?["metric"]?.stringValue, let value = report?["candidate"]?.doubleValue ?? report?["value"]?.doubleValue {
                note = "\(metric) \(String(format: "%.4f", value))"
            }
            lines.append("  \(s["number"]?.intValue ?? 0)  " + [
                pad(s["stage"]?.stringValue, 16), pad(s["outcome"]?.stringValue, 12), pad(seconds(s["duration_seconds"]), 9),
                String(note.prefix(100)),
            ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: JSONValue?) -> String {
        value?.doubleValue.map { String(format: "%.2fs", $0) } ?? "-"
    }
}

extension MLOpsCtl {
    struct AB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ab",
            abstract: "Show a model's latest A/B test: the arms, the statistic and the decision (a pipeline-history job).",
            discussion: "Exit status: 0 shown (also when the model never had a test), 1 failed, 65 rejected, 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            try submitAndWait(spoolOptions, lines: ["kind: pipeline-history", "model: \(yamlQuoted(model))", "params:", "  limit: 100"],
                              timeout: output.timeout, json: output.json) { doc in
                guard case .array(let runs)? = doc.result?["runs"] else { return "no pipeline runs" }
                for run in runs {
                    guard case .array(let stages)? = run["stages"],
                          let ab = stages.first(where: { $0["stage"] == "ab_test" }),
                          let report = ab["report"], report["champion_version"] != nil
                    else { continue }
                    return ABText.render(run: run, stage: ab, report: report)
                }
                return "\(model) has had no A/B test (pipelines with ab_test.enabled run one when a production version exists)"
            }
        }
    }
}

/// How an A/B test reads on a terminal.
enum ABText {
    static func render(run: JSONValue, stage: JSONValue, report: JSONValue) -> String {
        func arm(_ name: String) -> String {
            let a = report[name]
            let n = a?["n"]?.intValue ?? 0
            let s = a?["successes"]?.intValue ?? 0
            let rate = n > 0 ? String(format: "%.4f", Double(s) / Double(n)) : "-"
            return "\(s)/\(n) correct (\(rate))"
        }
        let outcome = stage["outcome"]?.stringValue ?? "?"
        let decision = report["decision"]?.stringValue ?? "undecided"
        var lines = [
            "A/B test of run \(run["run_id"]?.stringValue ?? "?"): \(outcome == "running" ? "in progress" : outcome), decision \(decision)",
            "  champion   \(report["champion_version"]?.stringValue ?? "?"): \(arm("champion"))",
            "  challenger \(report["challenger_version"]?.stringValue ?? "?"): \(arm("challenger"))",
            "  since \(report["started_at"]?.stringValue ?? "?"), deadline \(report["deadline"]?.stringValue ?? "?")",
        ]
        var stats: [String] = []
        if let method = report["method"]?.stringValue { stats.append(method) }
        if let z = report["statistic"]?.doubleValue { stats.append(String(format: "z %.3f", z)) }
        if let p = report["p_value"]?.doubleValue { stats.append(String(format: "p %.4g", p)) }
        if let lift = report["lift"]?.doubleValue { stats.append(String(format: "lift %+.4f", lift)) }
        if !stats.isEmpty { lines.append("  " + stats.joined(separator: ", ")) }
        if let reason = report["reason"]?.stringValue { lines.append("  " + reason) }
        return lines.joined(separator: "\n")
    }
}
