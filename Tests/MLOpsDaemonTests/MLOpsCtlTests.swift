import Foundation
import GRDB
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The real `mlopsctl` binary against a real `mlopsd` on a private spool.
@Suite(.serialized) struct MLOpsCtlTests {
    // MARK: - Helpers

    /// Runs `mlopsctl <subcommand> --spool <d.spool> <rest…>`.
    func ctl(
        _ d: DaemonHarness,
        _ subcommand: String,
        _ rest: [String],
        stdin: String? = nil,
        timeout: Double = 60
    ) throws -> CommandRun {
        try Ctl.run([subcommand, "--spool", d.spool] + rest, stdin: stdin, in: d.root, timeout: timeout)
    }

    /// Writes a job file outside the spool and returns its path.
    func jobFile(_ d: DaemonHarness, _ name: String, _ text: String) throws -> String {
        let path = "\(d.root)/\(name)"
        try writeFile(path, Data(text.utf8))
        return path
    }

    /// The spool's subdirectories that would show any trace of a submission.
    static let traceDirectories = ["incoming", "tmp", "active", "done", "failed", "results"]

    /// Creates the spool layout without starting the daemon.
    func makeSpool(_ d: DaemonHarness) throws {
        for sub in Spool.subdirectories {
            try FileManager.default.createDirectory(atPath: "\(d.spool)/\(sub)", withIntermediateDirectories: true)
        }
    }

    static let misspelt = "kind: register-model\nmodel: m\nparms:\n  task: regression\n"

    /// A valid job padded with a comment past `bytes` bytes: fine for the offline
    /// validator, refused by a daemon whose `max_job_bytes` is smaller.
    static func oversized(_ model: String, bytes: Int) -> String {
        Jobs.registerModel(model) + "# " + String(repeating: "x", count: bytes) + "\n"
    }

    // MARK: - submit

    @Test func submitOfAnInvalidFilePrintsFileLineColumnCodeMessageFixExits65AndWritesNothing() throws {
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "bad.yaml", Self.misspelt)
        let run = try ctl(d, "submit", [path])
        #expect(run.exitCode == 65, "\(run)")
        #expect(
            run.stderr.contains(
                "\(path):3:1: unknown_key: unknown key `parms` at the top level of the job (did you mean `params`?)"
            ),
            "\(run)"
        )
        #expect(run.stdout.isEmpty, "\(run)")
        for sub in Self.traceDirectories {
            #expect(allNames(in: "\(d.spool)/\(sub)").isEmpty, "\(sub)/ has \(allNames(in: "\(d.spool)/\(sub)"))")
        }
        d.cleanUp()
    }

    @Test func everyKindIsBuiltSoARetrainingKindPassesLocalValidationAndTheDaemonJudgesTheModel() throws {
        // Every kind's declaration has its handler (the registry is built from them).
        #expect(HandlerRegistry.standard.implementedKinds == JobKind.allCases)
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "mon.yaml", "kind: check-retrain\nmodel: m\n")
        let run = try ctl(d, "submit", [path, "--wait", "--timeout", "30"])
        #expect(run.exitCode == 65, "\(run)")
        #expect(d.result("mon")?.error?.code == "unknown_model")
        d.cleanUp()
    }

    @Test func submitWritesTheFileIntoIncomingUnderItsIDLeavesNothingInTmpAndTheDaemonRunsItLater() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        // No `id:`: the file name gives the id.
        let byName = try jobFile(d, "reg-by-name.yaml", Jobs.registerModel("by-name"))
        let first = try ctl(d, "submit", [byName])
        #expect(first.exitCode == 0, "\(first)")
        #expect(first.stdout == "reg-by-name\n", "\(first)")
        // `id:` wins over the file name.
        let byID = try jobFile(d, "whatever.yml", Jobs.registerModel("by-id", id: "custom-id"))
        let second = try ctl(d, "submit", [byID])
        #expect(second.exitCode == 0, "\(second)")
        #expect(second.stdout == "custom-id\n", "\(second)")

        #expect(allNames(in: d.spool + "/incoming") == ["custom-id.yaml", "reg-by-name.yaml"])
        #expect(allNames(in: d.spool + "/tmp").isEmpty)
        #expect(
            FileManager.default.contents(atPath: d.spool + "/incoming/custom-id.yaml")
                == Data(Jobs.registerModel("by-id", id: "custom-id").utf8)
        )

        try d.start()
        #expect(try d.waitForResult("reg-by-name").status == .succeeded)
        let doc = try d.waitForResult("custom-id")
        #expect(doc.status == .succeeded)
        #expect(doc.file == "custom-id.yaml")
        #expect(doc.model == "by-id")
        try waitUntil(timeout: 10, "both files in done/") {
            d.names(in: "done") == ["custom-id.yaml", "reg-by-name.yaml"]
        }
        d.cleanUp()
    }

    @Test func submitPrintsTheJobIDAndTheRunningDaemonWritesItsResult() throws {
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "live.yaml", Jobs.registerModel("live"))
        let run = try ctl(d, "submit", [path])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout == "live\n")
        let doc = try d.waitForResult("live")
        #expect(doc.status == .succeeded)
        #expect(doc.kind == "register-model")
        try waitUntil(timeout: 10, "live.yaml in done/") { d.names(in: "done") == ["live.yaml"] }
        #expect(allNames(in: d.spool + "/tmp").isEmpty)
        #expect(allNames(in: d.spool + "/incoming").isEmpty)
        d.cleanUp()
    }

    @Test func submitJSONPrintsTheJobIDAsJSON() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        let path = try jobFile(d, "as-json.yaml", Jobs.registerModel("j"))
        let run = try ctl(d, "submit", [path, "--json"])
        #expect(run.exitCode == 0, "\(run)")
        let object = try JSONDecoder().decode([String: String].self, from: Data(run.stdout.utf8))
        #expect(object == ["job": "as-json"])
        d.cleanUp()
    }

    @Test func submitFromStdinWithoutAnIDGetsAGeneratedIDThatIsPrintedAndGetsItsResult() throws {
        let d = try DaemonHarness()
        try d.start()
        let run = try ctl(d, "submit", ["-"], stdin: Jobs.registerModel("from-stdin"))
        #expect(run.exitCode == 0, "\(run)")
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(JobValidator.isValidID(id), "\(run)")
        #expect(id.hasPrefix("job-"), "\(run)")
        let doc = try d.waitForResult(id)
        #expect(doc.status == .succeeded)
        #expect(doc.job == id)
        #expect(doc.model == "from-stdin")
        #expect(doc.file == "\(id).yaml")
        // Two stdin submissions get two different ids.
        let again = try ctl(d, "submit", ["-"], stdin: Jobs.registerModel("from-stdin-2"))
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != id)
        d.cleanUp()
    }

    @Test func submitFromStdinKeepsTheIDWrittenInTheJob() throws {
        let d = try DaemonHarness()
        try d.start()
        let run = try ctl(
            d,
            "submit",
            ["-", "--wait", "--timeout", "30"],
            stdin: Jobs.registerModel("s", id: "stdin-with-id")
        )
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.hasPrefix("job stdin-with-id: succeeded"), "\(run)")
        d.cleanUp()
    }

    @Test func submitOfAMissingFileExits66() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        let run = try ctl(d, "submit", [d.root + "/no-such-job.yaml"])
        #expect(run.exitCode == 66, "\(run)")
        #expect(run.stderr.contains("cannot read"), "\(run)")
        d.cleanUp()
    }

    @Test func submitWaitPrintsTheResultAndExits0WhenTheJobSucceeds() throws {
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "waited.yaml", Jobs.registerModel("waited"))
        let run = try ctl(d, "submit", [path, "--wait", "--timeout", "30"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.hasPrefix("job waited: succeeded\n"), "\(run)")
        #expect(run.stdout.contains("kind: register-model"), "\(run)")
        #expect(run.stdout.contains("model: waited"), "\(run)")
        #expect(run.stdout.contains("\"change\" : \"created\""), "\(run)")

        let path2 = try jobFile(d, "waited-json.yaml", Jobs.registerModel("waited-json"))
        let json = try ctl(d, "submit", [path2, "--wait", "--json", "--timeout", "30"])
        #expect(json.exitCode == 0, "\(json)")
        let doc = try ResultDocument.decode(Data(json.stdout.utf8))
        #expect(doc.job == "waited-json")
        #expect(doc.status == .succeeded)
        #expect(doc == d.result("waited-json"))
        d.cleanUp()
    }

    @Test func submitWaitExits65WhenTheDaemonRejectsAJobThatPassedLocalValidation() throws {
        let d = try DaemonHarness(config: "max_job_bytes: 4096")
        try d.start()
        let path = try jobFile(d, "too-big.yaml", Self.oversized("big", bytes: 5000))
        // The offline rules pass it: the size limit belongs to the daemon's config.
        let lint = try Ctl.run(["validate", path], in: d.root)
        #expect(lint.exitCode == 0, "\(lint)")
        let run = try ctl(d, "submit", [path, "--wait", "--timeout", "30"])
        #expect(run.exitCode == 65, "\(run)")
        #expect(run.stdout.hasPrefix("job too-big: rejected\n"), "\(run)")
        #expect(run.stdout.contains("error too_large"), "\(run)")
        #expect(run.stdout.contains("fix: "), "\(run)")
        #expect(d.result("too-big")?.error?.code == "too_large")
        d.cleanUp()
    }

    @Test func submitWaitTimesOutWith124WhenNoDaemonAnswers() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        let path = try jobFile(d, "nobody.yaml", Jobs.registerModel("nobody"))
        let run = try ctl(d, "submit", [path, "--wait", "--timeout", "1"])
        #expect(run.exitCode == 124, "\(run)")
        #expect(run.seconds < 10, "\(run)")
        #expect(run.stdout == "", "\(run)")
        #expect(run.stderr.contains("no final result for job nobody"), "\(run)")
        // The job was submitted all the same and waits for the daemon.
        #expect(allNames(in: d.spool + "/incoming") == ["nobody.yaml"])
        d.cleanUp()
    }

    @Test func submitOfAnIDWhoseResultAlreadySucceededIsRefusedLocallyWithExit65() throws {
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "once.yaml", Jobs.registerModel("once"))
        #expect(try ctl(d, "submit", [path, "--wait", "--timeout", "30"]).exitCode == 0)
        let again = try jobFile(d, "again.yaml", Jobs.registerModel("other", id: "once"))
        let run = try ctl(d, "submit", [again])
        #expect(run.exitCode == 65, "\(run)")
        #expect(run.stderr.contains("job id `once` was already used (results/once.json exists)"), "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(allNames(in: d.spool + "/incoming").isEmpty)
        #expect(allNames(in: d.spool + "/tmp").isEmpty)
        #expect(d.names(in: "results") == ["once.json"])
        #expect(d.result("once")?.model == "once")
        d.cleanUp()
    }

    @Test func submitOfAnIDWhoseEarlierSubmissionWasRejectedIsAcceptedOnceFixed() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("fixme.yaml", "kind: register-model\nmodel: m\n")
        #expect(try d.waitForResult("fixme").status == .rejected)
        let path = try jobFile(d, "fixme.yaml", Jobs.registerModel("m"))
        let run = try ctl(d, "submit", [path])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout == "fixme\n", "\(run)")
        try waitUntil(timeout: 30, "the fixed job's success") { d.result("fixme")?.status == .succeeded }
        d.cleanUp()
    }

    @Test func submitOfAnIDAlreadyWaitingInIncomingIsRefusedAndTheWaitingFileIsKept() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        let path = try jobFile(d, "queued.yaml", Jobs.registerModel("first"))
        #expect(try ctl(d, "submit", [path]).exitCode == 0)
        let other = try jobFile(d, "other.yaml", Jobs.registerModel("second", id: "queued"))
        let run = try ctl(d, "submit", [other])
        #expect(run.exitCode == 65, "\(run)")
        #expect(run.stderr.contains("incoming/queued.yaml is already waiting"), "\(run)")
        #expect(
            FileManager.default.contents(atPath: d.spool + "/incoming/queued.yaml")
                == Data(Jobs.registerModel("first").utf8)
        )
        #expect(allNames(in: d.spool + "/tmp").isEmpty)
        d.cleanUp()
    }

    // MARK: - wait

    @Test func waitForAnIDThatNeverComesExits124AfterItsTimeout() throws {
        let d = try DaemonHarness()
        try d.start()
        let run = try ctl(d, "wait", ["never-submitted", "--timeout", "1"])
        #expect(run.exitCode == 124, "\(run)")
        #expect(run.seconds >= 1 && run.seconds < 6, "\(run)")
        #expect(run.stderr.contains("no final result for job never-submitted after 1.0 s"), "\(run)")
        d.cleanUp()
    }

    @Test func waitJSONPrintsAResultDocumentAndExits0ForASucceededJob() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("w-ok.yaml", Jobs.registerModel("w-ok"))
        let run = try ctl(d, "wait", ["w-ok", "--json", "--timeout", "30"])
        #expect(run.exitCode == 0, "\(run)")
        let doc = try ResultDocument.decode(Data(run.stdout.utf8))
        #expect(doc.job == "w-ok")
        #expect(doc.status == .succeeded)
        #expect(doc.result?["change"] == "created")
        #expect(doc == d.result("w-ok"))
        d.cleanUp()
    }

    @Test func waitExits65ForARejectedJobAndPrintsEveryProblemWithItsPosition() throws {
        let d = try DaemonHarness()
        try d.start()
        // Two problems: a misspelt key and a missing model.
        try d.drop("w-bad.yaml", "kind: register-model\nparms:\n  task: regression\n")
        let run = try ctl(d, "wait", ["w-bad", "--timeout", "30"])
        #expect(run.exitCode == 65, "\(run)")
        #expect(run.stdout.hasPrefix("job w-bad: rejected\n"), "\(run)")
        #expect(run.stdout.contains("error "), "\(run)")
        #expect(run.stdout.contains("also: w-bad.yaml:"), "\(run)")
        let json = try ctl(d, "wait", ["w-bad", "--json", "--timeout", "30"])
        #expect(json.exitCode == 65, "\(json)")
        let doc = try ResultDocument.decode(Data(json.stdout.utf8))
        #expect(doc.status == .rejected)
        #expect(
            Set([doc.error?.code] + (doc.error?.more ?? []).map { $0.code.rawValue }) == [
                "unknown_key", "missing_field",
            ]
        )
        d.cleanUp()
    }

    @Test func waitExits1ForAFailedJob() throws {
        // A job that crashed the daemon max_attempts times ends `failed` (code poison):
        // the one way a built kind fails today.
        let d = try DaemonHarness(config: "max_attempts: 2")
        try d.start()
        _ = try d.stop()
        try d.plantInterruptedJob("crasher.yaml", Jobs.registerModel("crasher"), attempts: 2)
        try d.start()
        let run = try ctl(d, "wait", ["crasher", "--timeout", "30"])
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stdout.hasPrefix("job crasher: failed\n"), "\(run)")
        #expect(run.stdout.contains("error poison"), "\(run)")
        d.cleanUp()
    }

    @Test func waitReturnsAResultThatArrivesWhileItWaits() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        try d.drop("late.yaml", Jobs.registerModel("late"))
        // Start the daemon only after a delay, from another thread, while `wait` blocks.
        let harness = d
        let starter = Thread {
            usleep(500_000)
            try? harness.start()
        }
        starter.start()
        let run = try ctl(d, "wait", ["late", "--timeout", "60"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.hasPrefix("job late: succeeded"), "\(run)")
        try waitUntil(timeout: 60, "the daemon started") { d.notify.messages(with: "READY=1").count == 1 }
        d.cleanUp()
    }

    // MARK: - validate

    @Test func validateExits0WhenEveryFileIsValidWithOneLinePerFile() throws {
        let d = try DaemonHarness()
        let a = try jobFile(d, "a.yaml", Jobs.registerModel("a"))
        let b = try jobFile(d, "b.yaml", Jobs.registerModel("b", id: "bee"))
        let run = try Ctl.run(["validate", a, b], in: d.root)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout == "\(a): valid register-model job `a`\n\(b): valid register-model job `bee`\n", "\(run)")
        d.cleanUp()
    }

    @Test func validateExits65WhenAnyFileIsInvalidWithOneLinePerProblem() throws {
        let d = try DaemonHarness()
        let good = try jobFile(d, "good.yaml", Jobs.registerModel("good"))
        // Three problems: misspelt top-level key, a wrong type, a value not among the choices.
        let bad = try jobFile(
            d,
            "bad.yaml",
            """
            kind: register-model
            model: m
            reasn: typo
            params:
              task: regression
              features:
                - name: age
                  type: numeric
              target: y
              policy:
                window_size: "1000"

            """
        )
        let missing = d.root + "/missing.yaml"
        let run = try Ctl.run(["validate", good, bad, missing], in: d.root)
        #expect(run.exitCode == 65, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(run)")
        #expect(lines.first == "\(good): valid register-model job `good`")
        let problems = lines.filter { $0.hasPrefix(bad + ":") }
        #expect(problems.count == 3, "\(run)")
        #expect(
            problems.contains(
                "\(bad):3:1: unknown_key: unknown key `reasn` at the top level of the job (did you mean `reason`?)"
            ),
            "\(run)"
        )
        #expect(problems.contains { $0.hasPrefix("\(bad):8:13: invalid_value:") }, "\(run)")
        #expect(problems.contains { $0.hasPrefix("\(bad):11:18: wrong_type:") }, "\(run)")
        #expect(lines.last == "\(missing): cannot read the file as UTF-8 text", "\(run)")
        d.cleanUp()
    }

    @Test func validateReadsStandardInput() throws {
        let d = try DaemonHarness()
        let ok = try Ctl.run(["validate", "-"], stdin: Jobs.registerModel("s"), in: d.root)
        #expect(ok.exitCode == 0, "\(ok)")
        #expect(ok.stdout == "-: valid register-model job `stdin`\n", "\(ok)")
        let bad = try Ctl.run(["validate", "-"], stdin: Self.misspelt, in: d.root)
        #expect(bad.exitCode == 65, "\(bad)")
        #expect(bad.stdout.hasPrefix("-:3:1: unknown_key:"), "\(bad)")
        d.cleanUp()
    }

    @Test func validateJSONDecodesWithOneReportPerFile() throws {
        struct Report: Decodable {
            var file: String
            var valid: Bool
            var job: String?
            var kind: String?
            var errors: [JobError]?
        }
        let d = try DaemonHarness()
        let good = try jobFile(d, "good.yaml", Jobs.registerModel("good"))
        let bad = try jobFile(d, "bad.yaml", Self.misspelt)
        let run = try Ctl.run(["validate", "--json", good, bad], in: d.root)
        #expect(run.exitCode == 65, "\(run)")
        let reports = try JSONDecoder().decode([Report].self, from: Data(run.stdout.utf8))
        #expect(reports.count == 2)
        #expect(reports.first?.file == good)
        #expect(reports.first?.valid == true)
        #expect(reports.first?.job == "good")
        #expect(reports.first?.kind == "register-model")
        #expect(reports.last?.valid == false)
        #expect(reports.last?.errors?.map(\.code) == [.unknownKey])
        #expect(reports.last?.errors?.first?.line == 3)
        #expect(reports.last?.errors?.first?.column == 1)
        #expect(reports.last?.errors?.first?.fix == "did you mean `params`?")

        let allGood = try Ctl.run(["validate", "--json", good], in: d.root)
        #expect(allGood.exitCode == 0, "\(allGood)")
        #expect(try JSONDecoder().decode([Report].self, from: Data(allGood.stdout.utf8)).map(\.valid) == [true])
        d.cleanUp()
    }

    @Test func validateAcceptsTheShippedExampleAndFlagsTheDeliberateMistake() throws {
        let d = try DaemonHarness()
        let example = JournalHarness.repositoryFile("examples/register-chest-xray.yaml").path
        let misspelt = JournalHarness.repositoryFile("examples/misspelt.yaml").path
        let ok = try Ctl.run(["validate", example], in: d.root)
        #expect(ok.exitCode == 0, "\(ok)")
        let bad = try Ctl.run(["validate", misspelt], in: d.root)
        #expect(bad.exitCode == 65, "\(bad)")
        #expect(bad.stdout.contains("did you mean `params`?"), "\(bad)")
        d.cleanUp()
    }

    // MARK: - status

    @Test func statusShowsTheRunningDaemonWithItsModelsThenExits3OnceItIsStopped() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("s1.yaml", Jobs.registerModel("alpha-model"))
        try d.drop("s2.yaml", Jobs.registerModel("beta-model"))
        _ = try d.waitForResult("s1")
        _ = try d.waitForResult("s2")
        try waitUntil(timeout: 30, "status.json lists both models") {
            guard case .array(let models)? = SpoolClient(root: d.spool).readStatus()?["models"] else { return false }
            return models.count == 2
        }
        let pid = d.process?.pid ?? 0

        let run = try ctl(d, "status", [])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("on \(d.spool): ready (pid \(pid))"), "\(run)")
        #expect(run.stdout.contains("  models: 2\n"), "\(run)")
        #expect(run.stdout.contains("    alpha-model  binary_classification  metric accuracy  revision 1"), "\(run)")
        #expect(run.stdout.contains("    beta-model  binary_classification"), "\(run)")

        let json = try ctl(d, "status", ["--json"])
        #expect(json.exitCode == 0, "\(json)")
        let status = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        #expect(status["running"] == .bool(true))
        #expect(status["pid"]?.intValue == Int(pid))
        guard case .array(let models)? = status["models"] else {
            Issue.record("no models in \(json)")
            return
        }
        #expect(models.compactMap { $0["name"]?.stringValue } == ["alpha-model", "beta-model"])
        // status.json is a StatusDocument, written exactly as it encodes.
        let file = try Data(contentsOf: URL(fileURLWithPath: d.spool + "/status.json"))
        let document = try JSONDecoder().decode(StatusDocument.self, from: file)
        #expect(document.models.map(\.name) == ["alpha-model", "beta-model"] && document.modelsTotal == 2)
        #expect(document.kinds == JobKind.allCases.map(\.rawValue))
        #expect(try JSONEncoder.mlopsPretty.encode(document) == file)

        let stopped = try d.stop()
        #expect(WaitStatus(raw: stopped).exitCode == 0)
        let after = try ctl(d, "status", [])
        #expect(after.exitCode == 3, "\(after)")
        #expect(after.stdout.contains(": not running"), "\(after)")
        #expect(!after.stdout.contains("(pid "), "\(after)")
        let afterJSON = try ctl(d, "status", ["--json"])
        #expect(afterJSON.exitCode == 3, "\(afterJSON)")
        let afterStatus = try JSONDecoder().decode(JSONValue.self, from: Data(afterJSON.stdout.utf8))
        #expect(afterStatus["running"] == .bool(false))
        d.cleanUp()
    }

    @Test func statusOnASpoolWhereTheDaemonNeverRanExits3() throws {
        let d = try DaemonHarness()
        try makeSpool(d)
        let run = try ctl(d, "status", [])
        #expect(run.exitCode == 3, "\(run)")
        #expect(run.stderr.contains("mlopsd has never run on \(d.spool) (no status.json)"), "\(run)")
        d.cleanUp()
    }

    // MARK: - Spool discovery

    @Test func theSpoolIsFoundThroughMLOPSDSpoolDirInTheEnvironment() throws {
        let d = try DaemonHarness()
        try d.start()
        var env = Ctl.baseEnvironment
        // The unprefixed name of old is not read: the spool comes from some config file
        // instead (here the repository's etc/mlopsd.yaml), and is not this daemon's.
        env["SPOOL_DIR"] = d.spool
        let unprefixed = try Ctl.run(["status"], environment: env, in: d.root)
        #expect(unprefixed.exitCode != 0, "\(unprefixed)")
        #expect(!(unprefixed.stdout + unprefixed.stderr).contains(d.spool), "\(unprefixed)")
        env["SPOOL_DIR"] = nil
        env["MLOPSD_SPOOL_DIR"] = d.spool
        let path = try jobFile(d, "env.yaml", Jobs.registerModel("env"))
        let submit = try Ctl.run(["submit", path, "--wait", "--timeout", "30"], environment: env, in: d.root)
        #expect(submit.exitCode == 0, "\(submit)")
        #expect(submit.stdout.hasPrefix("job env: succeeded"), "\(submit)")
        try waitUntil(timeout: 30, "status.json lists the model") {
            guard case .array(let models)? = SpoolClient(root: d.spool).readStatus()?["models"] else { return false }
            return models.count == 1
        }
        let status = try Ctl.run(["status"], environment: env, in: d.root)
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.contains("on \(d.spool): ready"), "\(status)")
        // --spool wins over MLOPSD_SPOOL_DIR.
        env["MLOPSD_SPOOL_DIR"] = d.root + "/no-spool-here"
        let wait = try Ctl.run(["wait", "--spool", d.spool, "env", "--timeout", "5"], environment: env, in: d.root)
        #expect(wait.exitCode == 0, "\(wait)")
        d.cleanUp()
    }

    @Test func theSpoolIsFoundThroughSpoolOptionAndThroughTheConfigFile() throws {
        let d = try DaemonHarness()
        try d.start()
        let path = try jobFile(d, "opt.yaml", Jobs.registerModel("opt"))
        let submit = try Ctl.run(["submit", "--spool", d.spool, path], in: d.root)
        #expect(submit.exitCode == 0, "\(submit)")
        #expect(try d.waitForResult("opt").status == .succeeded)
        let viaConfig = try Ctl.run(["wait", "--config", d.configPath, "opt", "--timeout", "5"], in: d.root)
        #expect(viaConfig.exitCode == 0, "\(viaConfig)")
        #expect(viaConfig.stdout.hasPrefix("job opt: succeeded"), "\(viaConfig)")
        d.cleanUp()
    }

    @Test func anUnreadableConfigWithoutSpoolOrSpoolDirExits78() throws {
        let d = try DaemonHarness()
        let run = try Ctl.run(["status", "--config", d.root + "/absent.yaml"], in: d.root)
        #expect(run.exitCode == 78, "\(run)")
        #expect(run.stderr.contains("or pass --spool DIR"), "\(run)")
        d.cleanUp()
    }

    @Test func aValueTheTypedParametersCannotHoldIsAUsageErrorBeforeAnyJobIsWritten() throws {
        let d = try DaemonHarness()
        defer { d.cleanUp() }
        let runs = try Ctl.run(["runs", "--spool", d.spool, "--state", "bogus"], in: d.root)
        #expect(runs.exitCode == 64, "\(runs)")
        #expect(runs.stderr.contains("--state must be one of queued, running"), "\(runs)")
        let history = try Ctl.run(["retraining", "history", "--spool", d.spool, "--trigger", "bogus"], in: d.root)
        #expect(history.exitCode == 64, "\(history)")
        #expect(allNames(in: d.spool + "/incoming").isEmpty && allNames(in: d.spool + "/tmp").isEmpty)
    }
}
