import Dispatch
import Foundation
import Logging
import MLOpsCore

/// A stage command as a supervised child (``ChildSupervisor``): started, recorded in the
/// store (so a restarted daemon can find its process group), awaited, and turned into a
/// stage result.
enum StageChild {
    /// Runs `argv` for `stage` of `run` and waits for it, or for its timeout or the run's
    /// cancellation, which stop its whole process group (SIGTERM, then SIGKILL after `grace`).
    static func run(
        argv: [String],
        workingDirectory: String,
        environment: [String: String],
        timeout: Double,
        grace: Double,
        run: String,
        stage: PipelineStage,
        model: String,
        service: PipelineService
    ) async -> PipelineRunner.StageResult {
        let command = ChildCommand(
            argv: argv,
            workingDirectory: workingDirectory,
            environment: environment,
            timeout: timeout,
            grace: grace,
            stdoutPath: workingDirectory + "/stdout.log",
            stderrPath: workingDirectory + "/stderr.log",
            runID: run,
            stage: stage.rawValue,
            model: model
        )
        let store = service.store
        let logger = service.logger
        let started = Date()
        let outcome: ChildOutcome
        do {
            outcome = try await ChildSupervisor.run(command, logger: logger) { start in
                do {
                    try store.write { db in
                        try RunStore.childStarted(
                            db,
                            run: run,
                            stage: stage,
                            pid: start.pid,
                            pgid: start.processGroup,
                            startTime: start.startTime,
                            at: start.started
                        )
                    }
                } catch {
                    logger.error(
                        "cannot record child \(start.pid) of run \(run): \(error)",
                        metadata: ["run": "\(run)", "event": LogEvent.storeError.metadataValue]
                    )
                }
            }
        } catch {
            if case .cancelledBeforeStart = error {
                return PipelineRunner.StageResult(
                    outcome: .cancelled,
                    report: ["reason": "the run was stopped before the command started"]
                )
            }
            return .failed(
                "\(error)",
                report: ["argv": .array(argv.map(JSONValue.string))],
                fix: "check the command in the pipeline definition"
            )
        }
        store.writeOrLog(
            "record the end of child \(outcome.pid) of run \(run)",
            logger: logger,
            metadata: ["run": "\(run)"]
        ) { db in
            try RunStore.childEnded(db, run: run, pid: outcome.pid, at: Date())
        }
        var report: [String: JSONValue] = [
            "argv": .array(argv.map(JSONValue.string)), "pid": .int(Int(outcome.pid)),
            "termination": .string(outcome.termination.description),
            "seconds": .double((outcome.seconds * 1000).rounded() / 1000),
            "stdout": [
                "file": .string(command.stdoutPath), "bytes": .int(outcome.stdout.bytesWritten),
                "truncated": .bool(outcome.stdout.truncated),
            ],
            "stderr": [
                "file": .string(command.stderrPath), "bytes": .int(outcome.stderr.bytesWritten),
                "truncated": .bool(outcome.stderr.truncated),
            ],
        ]
        if outcome.leftoversKilled { report["leftovers_killed"] = true }
        var result = PipelineRunner.StageResult(outcome: .succeeded, report: .object(report))
        result.childSeconds = Date().timeIntervalSince(started)
        switch outcome.termination {
        case .exited(let code): result.exitCode = Int(code)
        case .signalled(let signo): result.signal = Int(signo)
        }
        if outcome.cancelled {
            result.outcome = .cancelled
            result.error = JobError(.cancelled, "the command was stopped")
        } else if outcome.timedOut {
            result.outcome = .timedOut
            result.error = JobError(
                .stageFailed,
                "the command ran over its timeout of \(Int(timeout)) s and was stopped",
                fix: "raise the stage's `timeout` in the pipeline definition, or make the command faster"
            )
        } else if !outcome.succeeded {
            result.outcome = .failed
            let tail = lastLines(command.stderrPath)
            result.error = JobError(
                .stageFailed,
                "the command \(outcome.termination)" + (tail.isEmpty ? "" : ": " + tail),
                fix: "read \(command.stderrPath)"
            )
            if case .object(var doc) = result.report {
                doc["error"] = .string(result.error?.message ?? "")
                result.report = .object(doc)
            }
        }
        return result
    }

    /// The last lines of a child's stderr (at most 300 characters), for the error message.
    static func lastLines(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return "" }
        let text = String(decoding: data.suffix(2048), as: UTF8.self)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return String(lines.suffix(3).joined(separator: " / ").suffix(300))
    }

    /// Kills the process groups a dead daemon left; returns how many processes were
    /// signalled. Blocks: called once at start, before the engine serves.
    static func killStrays(_ records: [StrayChildren.Record], grace: Double, logger: Logger) -> Int {
        let killed = StrayChildren.killWaiting(records, grace: grace)
        StrayChildren.log(killed, logger: logger)
        return killed.count
    }
}
