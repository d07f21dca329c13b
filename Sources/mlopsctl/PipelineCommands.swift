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
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @Option(help: "Give up waiting after this many seconds (default 3600).") var timeout: Double?
        @Flag(help: "Print the result document as JSON.") var json = false
        @Argument(help: "The model.") var model: String
        @Option(help: "The pipeline (default: the model's).") var pipeline: String?
        @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline parameter.", valueName: "name=value"))
        var settings: [String] = []
        @Option(help: "Why the run is wanted (kept in the history).") var reason: String?

        func run() throws {
            try RunText.startRun(
                Kinds.RunPipeline.self,
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

    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pipeline runs, newest first (a pipeline-history job).",
            discussion: "Exit status: 0 listed, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model's runs.") var model: String?
        @Option(help: "Only runs in this state (queued, running, succeeded, failed, cancelled, interrupted).")
        var state: String?
        @Option(help: "The most runs listed (default 50).") var limit: Int?

        func run() throws {
            var parameters = Kinds.PipelineHistory.Parameters()
            if let state {
                guard let known = RunState(rawValue: state) else {
                    throw ValidationError(
                        "--state must be one of " + RunState.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
                parameters.state = known
            }
            if let limit { parameters.limit = limit }
            try submitAndWait(
                Kinds.PipelineHistory.self,
                spoolOptions,
                model: model,
                parameters: parameters,
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let runs = result?.runs, !runs.isEmpty else { return "no pipeline runs" }
                var text = [
                    "RUN                     MODEL            PIPELINE     STATE        STAGE            DURATION  VERSION"
                ]
                for r in runs {
                    let stage = r.stage.map { "\($0.rawValue) (\(r.stageNumber ?? 0)/8)" }
                    text.append(
                        [
                            pad(r.runID, 23), pad(r.model, 16), pad(r.pipeline, 12), pad(r.state.rawValue, 12),
                            pad(stage, 16),
                            pad(RunText.seconds(r.durationSeconds), 9), r.version ?? "-",
                        ].joined(separator: " ")
                    )
                }
                return text.joined(separator: "\n")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one pipeline run with its eight stages (a pipeline-history job).",
            discussion: "Exit status: 0 shown, 1 failed, 65 rejected (unknown run), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The run id.") var id: String

        func run() throws {
            try submitAndWait(
                Kinds.PipelineHistory.self,
                spoolOptions,
                parameters: .init(run: id),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let run = result?.runs.first else { return "no such run" }
                return RunText.summary(run) + "\n" + RunText.stages(run)
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a model's queued or running pipeline run (a cancel-pipeline job).",
            discussion: "Exit status: 0 cancelling, 1 failed, 65 rejected (nothing to cancel), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String?
        @Option(name: .customLong("run"), help: "The run to cancel (default: the model's active run).") var runID:
            String?

        func run() throws {
            guard model != nil || runID != nil else { throw ValidationError("name a model or --run ID") }
            try submitAndWait(
                Kinds.CancelPipeline.self,
                spoolOptions,
                model: model,
                parameters: .init(run: runID),
                timeout: output.timeout,
                json: output.json
            ) { result in
                "cancelling run \(result?.runID ?? "?") (was \(result?.stateBefore.rawValue ?? "?"))"
            }
        }
    }
}

/// How runs read on a terminal.
enum RunText {
    /// Submits a job that starts a pipeline run (`run-pipeline`, `retraining-trigger`) with
    /// an optional pipeline, `--set NAME=VALUE` parameters and a reason, waits for the run's
    /// end (default one hour) and prints it with its stages.
    static func startRun<Kind: JobKindDeclaration>(
        _ kind: Kind.Type,
        model: String,
        pipeline: String?,
        settings: [String],
        reason: String?,
        _ spoolOptions: SpoolOptions,
        timeout: Double?,
        json: Bool
    ) throws where Kind.Parameters == PipelineSelection, Kind.Result == RunDocument {
        let selection = PipelineSelection(pipeline: pipeline, values: try RetrainingText.parameterValues(settings))
        try submitAndWait(
            kind,
            spoolOptions,
            model: model,
            reason: reason,
            parameters: selection,
            timeout: timeout ?? 3600,
            json: json
        ) { run in
            guard let run else { return "no run" }
            return summary(run) + "\n" + stages(run)
        }
    }

    static func summary(_ run: RunDocument) -> String {
        var text = "run \(run.runID) of \(run.model) (pipeline \(run.pipeline)): " + run.state.rawValue
        if let version = run.version { text += ", version \(version)" }
        if let d = run.durationSeconds {
            text += String(format: " in %.2f s", d)
            text += String(format: " (children %.2f s)", run.childrenSeconds)
        }
        if let message = run.errorMessage { text += "\n  error: \(message)" }
        return text
    }

    static func stages(_ run: RunDocument) -> String {
        var lines = ["  #  STAGE            OUTCOME      DURATION  NOTE"]
        for s in run.stages {
            let report = s.notes
            var note = report.error ?? report.reason ?? ""
            if note.isEmpty, let code = s.exitCode { note = "exit \(code)" }
            if report.executor == "slurm", let job = report.slurmJobID {
                let where_ = report.nodes.map { " on \($0)" } ?? ""
                let state = report.slurmState.map { " \($0)" } ?? ""
                note = "slurm job \(job)\(state)\(where_)" + (note.isEmpty ? "" : ": " + note)
            }
            if note.isEmpty, let version = report.version { note = "version \(version)" }
            if note.isEmpty, let metric = report.metric, let value = report.candidate ?? report.value {
                note = "\(metric) \(String(format: "%.4f", value))"
            }
            lines.append(
                "  \(s.number)  "
                    + [
                        pad(s.stage.rawValue, 16), pad(s.outcome.rawValue, 12), pad(seconds(s.durationSeconds), 9),
                        String(note.prefix(100)),
                    ].joined(separator: " ")
            )
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double?) -> String {
        value.map { String(format: "%.2fs", $0) } ?? "-"
    }
}

extension MLOpsCtl {
    struct AB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ab",
            abstract:
                "Show a model's latest A/B test: the arms, the statistic and the decision (a pipeline-history job).",
            discussion:
                "Exit status: 0 shown (also when the model never had a test), 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            try submitAndWait(
                Kinds.PipelineHistory.self,
                spoolOptions,
                model: model,
                parameters: .init(limit: 100),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let runs = result?.runs else { return "no pipeline runs" }
                for run in runs {
                    guard let ab = run.stages.first(where: { $0.stage == .abTest }), let test = ab.abTest else {
                        continue
                    }
                    return ABText.render(run: run, stage: ab, test: test)
                }
                return
                    "\(model) has had no A/B test (pipelines with ab_test.enabled run one when a production version exists)"
            }
        }
    }
}

/// How an A/B test reads on a terminal.
enum ABText {
    static func render(run: RunDocument, stage: StageDocument, test: StageDocument.ABTestNotes) -> String {
        func arm(_ a: StageDocument.ABTestNotes.Arm) -> String {
            let rate = a.n > 0 ? String(format: "%.4f", Double(a.successes) / Double(a.n)) : "-"
            return "\(a.successes)/\(a.n) correct (\(rate))"
        }
        let outcome = stage.outcome.rawValue
        let decision = test.decision ?? "undecided"
        var lines = [
            "A/B test of run \(run.runID): \(outcome == "running" ? "in progress" : outcome), decision \(decision)",
            "  champion   \(test.championVersion ?? "?"): \(arm(test.champion))",
            "  challenger \(test.challengerVersion ?? "?"): \(arm(test.challenger))",
            "  since \(test.startedAt ?? "?"), deadline \(test.deadline ?? "?")",
        ]
        var stats: [String] = []
        if let method = test.method { stats.append(method) }
        if let z = test.statistic { stats.append(String(format: "z %.3f", z)) }
        if let p = test.pValue { stats.append(String(format: "p %.4g", p)) }
        if let lift = test.lift { stats.append(String(format: "lift %+.4f", lift)) }
        if !stats.isEmpty { lines.append("  " + stats.joined(separator: ", ")) }
        if let reason = test.reason { lines.append("  " + reason) }
        return lines.joined(separator: "\n")
    }
}
