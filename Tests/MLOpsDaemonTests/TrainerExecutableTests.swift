import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The real `mlops-train` binary as a pipeline child runs it: inputs from the trainer
/// contract's environment (or options), the artifact directory checked by the real
/// `create-version` handler, and bad inputs refused with exit 2 and one line.
@Suite struct TrainerExecutableTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let demoData = repositoryRoot + "/examples/demo-data/chest-xray-train.csv"
    static let exampleModel = repositoryRoot + "/examples/register-chest-xray.yaml"

    /// A scratch directory for one test.
    static func scratch(_ name: String = #function) throws -> String {
        let clean = String(name.filter { $0.isLetter || $0.isNumber }.prefix(24))
        let dir = "/tmp/mlopsd-tests/train-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `mlops-train arguments…` with exactly `environment` (plus PATH), to completion.
    static func train(
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        in directory: String,
        timeout: Double = 120
    ) throws -> CommandRun {
        let out = directory + "/train.\(UUID().uuidString.prefix(8))"
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let started = Date()
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                DaemonHarness.binDirectory + "/mlops-train",
                arguments: arguments,
                environment: env.map { "\($0.key)=\($0.value)" },
                stdout: out + ".out",
                stderr: out + ".err"
            )
        } catch {
            throw TestFailure("\(error)")
        }
        var raw: Int32 = 0
        while true {
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw TestFailure("waitpid: \(String(cString: strerror(errno)))") }
            if Date().timeIntervalSince(started) > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &raw, 0)
                throw TestFailure("mlops-train did not exit within \(timeout) s")
            }
            usleep(5_000)
        }
        return CommandRun(
            status: WaitStatus(raw: raw),
            stdout: (try? String(contentsOfFile: out + ".out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "",
            seconds: Date().timeIntervalSince(started)
        )
    }

    /// The example model's spec, written as the store keeps it; returns its path.
    static func storedSpec(
        in directory: String,
        change: (inout ModelSpec) -> Void = { _ in }
    ) throws -> (String, ModelSpec) {
        let text = try String(contentsOfFile: exampleModel, encoding: .utf8)
        var spec = try TrainerInput.modelSpec(from: text, fileName: exampleModel)
        change(&spec)
        let path = directory + "/spec.json"
        try writeFile(path, try JSONEncoder.mlopsCompact.encode(spec))
        return (path, spec)
    }

    @Test func theDemoDataTrainsIntoAnArtifactDirectoryCreateVersionAccepts() throws {
        let f = try RegistryFixture()
        let (specPath, spec) = try Self.storedSpec(in: f.root)
        let output = f.root + "/data/run-1/train"
        let run = try Self.train(
            environment: [
                "MLOPSD_RUN_ID": "run-1", "MLOPSD_MODEL": "chest-xray", "MLOPSD_DATA": Self.demoData,
                "MLOPSD_OUTPUT": output, "MLOPSD_MODEL_SPEC": specPath, "MLOPSD_PARAMS": #"{"seed": 3}"#,
            ],
            in: f.root
        )
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.isEmpty, "\(run)")
        print("mlops-train on the demo data: \(run.stdout.split(separator: "\n").first ?? "")")

        // The four files, each readable as the registry and the daemon read them.
        let metricsData = try #require(FileManager.default.contents(atPath: output + "/metrics.json"))
        guard case .success(let accuracy) = VersionMetrics.parse(metricsData, metric: "accuracy") else {
            Issue.record("metrics.json has no valid accuracy: \(String(decoding: metricsData, as: UTF8.self))")
            return
        }
        #expect(throws: Never.self) { try VersionMetrics.parse(metricsData, metric: spec.metric).get() }
        let model = try TrainedModel.decode(try #require(FileManager.default.contents(atPath: output + "/model.json")))
        #expect(model.classes == ["normal", "pneumonia"] && model.fit.converged)
        let schema = try JSONDecoder().decode(
            [String: [FeatureSchema.Column]].self,
            from: try #require(FileManager.default.contents(atPath: output + "/schema.json"))
        )
        #expect(FeatureSchema(spec).differences(from: schema["features"] ?? []).isEmpty)
        let reference = try CSVTable.parse(try String(contentsOfFile: output + "/reference.csv", encoding: .utf8))
        #expect(reference.header == spec.featureNames + spec.segmentFields)
        #expect(reference.rows.count == 2000)
        guard case .success = ReferenceData.check(reference, spec: spec, fileName: "reference.csv") else {
            Issue.record("reference.csv refused")
            return
        }

        // Better than always answering the majority class of the validation rows.
        let perClass = accuracy.all["per_class"]
        let support = (
            perClass?["normal"]?["support"]?.intValue ?? 0, perClass?["pneumonia"]?["support"]?.intValue ?? 0
        )
        let majority = Double(max(support.0, support.1)) / Double(support.0 + support.1)
        #expect(accuracy.value > majority, "accuracy \(accuracy.value), majority share \(majority)")
        #expect(accuracy.all["rows"]?["validation"]?.intValue == support.0 + support.1)

        // The real create-version handler takes the directory as it is.
        let registered = try f.run(
            try String(contentsOfFile: Self.exampleModel, encoding: .utf8),
            id: "register-chest-xray"
        )
        #expect(registered.status == .succeeded, "\(registered.error?.message ?? "")")
        let created = try f.run(
            "kind: create-version\nmodel: chest-xray\nparams:\n  artifact: \(output)\n  run_id: run-1\n"
        )
        #expect(created.status == .succeeded, "\(created.error?.message ?? "")")
    }

    @Test func optionsWinOverTheEnvironmentAndTheSameSeedWritesTheSameBytes() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/params.json", Data(#"{"seed": 11, "reference_rows": 300, "l2": 0.01}"#.utf8))
        var outputs: [String] = []
        for i in 0..<2 {
            let output = dir + "/out\(i)"
            let run = try Self.train(
                [
                    "--data", Self.demoData, "--output", output, "--spec", Self.exampleModel, "--params",
                    dir + "/params.json",
                ],
                environment: ["MLOPSD_DATA": dir + "/nonexistent.csv", "MLOPSD_OUTPUT": dir + "/unused"],
                in: dir
            )
            #expect(run.exitCode == 0, "\(run)")
            outputs.append(output)
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/unused"))
        for name in ["model.json", "metrics.json", "reference.csv", "schema.json"] {
            let a = FileManager.default.contents(atPath: outputs[0] + "/" + name)
            #expect(
                a != nil && a == FileManager.default.contents(atPath: outputs[1] + "/" + name),
                "\(name) differs between runs"
            )
        }
        let reference = try CSVTable.parse(try String(contentsOfFile: outputs[0] + "/reference.csv", encoding: .utf8))
        #expect(reference.rows.count == 300)
        let model = try TrainedModel.decode(
            try #require(FileManager.default.contents(atPath: outputs[0] + "/model.json"))
        )
        #expect(model.fit.l2 == 0.01 && model.fit.seed == 11)
    }

    struct BadInput: Sendable, CustomStringConvertible {
        var description: String
        var csv: String
        var change: @Sendable (inout ModelSpec) -> Void = { _ in }
        var params: String = "{}"
        /// A fragment of the one line on stderr.
        var message: String
    }

    static let header = "patient_age,exposure_kvp,view_position,scanner_model,site,age_band,sex,finding\n"
    static let goodRow = "61,110.5,PA,AcmeRad X1,ward-3,40-64,f,normal\n"

    static let badInputs: [BadInput] = [
        BadInput(
            description: "missing column",
            csv:
                "patient_age,exposure_kvp,view_position,scanner_model,site,sex,finding\n61,110.5,PA,AcmeRad X1,ward-3,f,normal\n",
            message: "the data lacks the column `age_band` that the model needs"
        ),
        BadInput(
            description: "non-numeric value",
            csv: header + goodRow + "44,high,AP,AcmeRad X1,ward-3,40-64,m,pneumonia\n",
            message: "line 3, column 2: numerical feature `exposure_kvp` is `high`, not a finite number"
        ),
        BadInput(
            description: "one class",
            csv: header + goodRow + goodRow,
            message:
                "the target `finding` has only one class (normal) in the data; classification needs at least 2 classes"
        ),
        BadInput(
            description: "regression",
            csv: header + goodRow,
            change: {
                $0.task = .regression
                $0.classes = nil
                $0.metric = "rmse"
            },
            message: "mlops-train handles classification; use your own trainer for regression"
        ),
        BadInput(
            description: "bad parameter",
            csv: header + goodRow,
            params: #"{"validation_share": 2}"#,
            message: "parameter `validation_share` must be a number between 0 and 1 (exclusive), not 2.0"
        ),
        BadInput(
            description: "CSV syntax",
            csv: header + "61,110.5,PA,AcmeRad X1,ward-3,40-64,f\n",
            message: "line 2: this row has 7 fields but the header has 8"
        ),
    ]

    @Test(arguments: badInputs)
    func badInputExitsTwoWithOneClearLine(_ bad: BadInput) throws {
        let dir = try Self.scratch(bad.description)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (specPath, _) = try Self.storedSpec(in: dir, change: bad.change)
        try writeFile(dir + "/data.csv", Data(bad.csv.utf8))
        let run = try Self.train(
            environment: [
                "MLOPSD_DATA": dir + "/data.csv", "MLOPSD_OUTPUT": dir + "/out", "MLOPSD_MODEL_SPEC": specPath,
                "MLOPSD_PARAMS": bad.params,
            ],
            in: dir
        )
        #expect(run.exitCode == 2, "\(run)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run)")
        #expect(run.stderr.hasPrefix("mlops-train: ") && run.stderr.contains(bad.message), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/model.json"))
    }

    @Test func missingInputsAreNamedWithTheirVariableAndOption() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.train(
            environment: ["MLOPSD_OUTPUT": dir + "/out", "MLOPSD_MODEL_SPEC": Self.exampleModel],
            in: dir
        )
        #expect(run.exitCode == 2)
        #expect(run.stderr == "mlops-train: no training data: set MLOPSD_DATA or pass --data FILE\n", "\(run)")
        let missing = try Self.train(
            ["--data", dir + "/absent.csv", "--output", dir + "/out", "--spec", Self.exampleModel],
            in: dir
        )
        #expect(missing.exitCode == 2)
        #expect(
            missing.stderr.contains("cannot read the training data \(dir)/absent.csv: No such file or directory"),
            "\(missing)"
        )
    }
}

extension TrainerExecutableTests {
    @Test func anOutputThatCannotBeWrittenExitsOne() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/file", Data("x".utf8))
        let run = try Self.train(
            ["--data", Self.demoData, "--output", dir + "/file/out", "--spec", Self.exampleModel],
            in: dir
        )
        #expect(run.exitCode == 1, "\(run)")
        #expect(
            run.stderr
                == "mlops-train: cannot create the output directory \(dir)/file/out: \(dir)/file/out: Not a directory\n",
            "\(run)"
        )
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run)")
    }
}
