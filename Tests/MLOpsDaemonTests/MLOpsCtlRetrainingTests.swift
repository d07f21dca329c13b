import Foundation
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `mlopsctl retraining status | start | stop | trigger | history | stats` against a real daemon.
@Suite(.serialized) struct MLOpsCtlRetrainingTests {
    func ctl(_ h: DaemonHarness, _ args: [String], timeout: Double = 60) throws -> CommandRun {
        try Ctl.run(
            ["retraining", args[0], "--spool", h.spool] + args.dropFirst(),
            stdin: nil,
            in: h.root,
            timeout: timeout
        )
    }

    @Test func theRetrainingCommandsWriteTheirJobsAndPrintTheAnswers() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        let refused = try ctl(h, ["start", "chest-xray", "--set", "data=/etc/passwd"])
        #expect(refused.exitCode == 65, "\(refused)")
        let on = try ctl(h, ["start", "chest-xray", "--set", "data=\(h.root)/data/train.csv", "--reason", "go"])
        #expect(on.exitCode == 0, "\(on)")
        #expect(on.stdout.contains("chest-xray: automated retraining on"), "\(on)")
        let status = try ctl(h, ["status", "chest-xray"])
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains("automated retraining on; no retraining needed"), "\(status)")
        #expect(status.stdout.contains("[ ] drift"), "\(status)")
        let run = try ctl(h, ["trigger", "chest-xray", "--reason", "new labels"], timeout: 240)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("succeeded"), "\(run)")
        let history = try ctl(h, ["history", "chest-xray"])
        #expect(history.stdout.contains("manual") && history.stdout.contains("fired"), "\(history)")
        let stats = try ctl(h, ["stats"])
        #expect(stats.stdout.contains("retrainings 1"), "\(stats)")
        #expect(stats.stdout.contains("success rate 100.0%"), "\(stats)")
        let off = try ctl(h, ["stop", "--reason", "freeze"])
        #expect(off.stdout.contains("chest-xray: automated retraining off"), "\(off)")
        // The manual retraining now holds automatic ones back for the cooldown.
        let after = try ctl(h, ["status", "chest-xray"])
        #expect(after.stdout.contains("held back: disabled"), "\(after)")
        #expect(after.stdout.contains("held back: cooldown"), "\(after)")
    }

    /// `--set NAME=VALUE` types values as a job file would: an integer and a number as
    /// such, anything else (a path, `1e3`) as text, which the pipeline's declaration judges.
    @Test func setValuesReachTheJobTypedIntegersAndNumbersAsSuchTheRestAsText() throws {
        let h = try PipelineDaemonTests.harness()
        defer { h.cleanUp() }
        let data = "\(h.root)/data/train.csv"
        let on = try ctl(
            h,
            [
                "start", "chest-xray", "--set", "data=\(data)", "--set", "max_iterations=500",
                "--set", "l2=0.01", "--json",
            ]
        )
        #expect(on.exitCode == 0, "\(on)")
        let document = try JSONDecoder().decode(ResultDocument.self, from: Data(on.stdout.utf8))
        let result = try #require(try document.result(of: Kinds.RetrainingStart.self))
        #expect(
            result.models.first?.params == ["data": .string(data), "max_iterations": .int(500), "l2": .double(0.01)]
        )
        let text = try ctl(h, ["start", "chest-xray", "--set", "data=\(data)", "--set", "max_iterations=1e3"])
        #expect(text.exitCode == 65, "`1e3` is text, which an int parameter refuses: \(text)")
    }
}
