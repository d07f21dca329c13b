import Testing

@testable import MLOpsCore

/// The `executor:` and `slurm:` keys of a pipeline definition.
@Suite struct SlurmDefinitionTests {
    static func parse(
        _ train: String,
        collect: String = "{copy: data}",
        test: String = "{}"
    ) throws(ValidationFailure) -> PipelineDefinition {
        try PipelineDefinitionParser.parse(
            text: """
                parameters:
                  data: {type: path, required: true}
                stages:
                  collect_data: \(collect)
                  train: \(train)
                  test_model: \(test)
                """,
            name: "t"
        )
    }

    static func errors(_ train: String, collect: String = "{copy: data}", test: String = "{}") -> [JobError] {
        do {
            _ = try parse(train, collect: collect, test: test)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func stagesRunLocallyUnlessTheDefinitionSaysSlurm() throws {
        #expect(try Self.parse("{argv: [/usr/bin/true]}").train.executor == .local)
    }

    @Test func aSlurmStageCarriesEverySetting() throws {
        let definition = try Self.parse(
            """
            {argv: [/opt/train, --fast], executor: slurm, timeout: 7200,
                     slurm: {partition: gpu, time_limit: 120, cpus: 8, memory: 32G, gres: "gpu:a100:2", account: radiology, qos: high,
                             sbatch_options: [--exclusive, --constraint=avx2]}}
            """
        )
        #expect(
            definition.train.executor
                == .slurm(
                    SlurmSettings(
                        partition: "gpu",
                        timeLimitMinutes: 120,
                        cpus: 8,
                        memory: "32G",
                        gres: "gpu:a100:2",
                        account: "radiology",
                        qos: "high",
                        extraOptions: ["--exclusive", "--constraint=avx2"]
                    )
                )
        )
        #expect(definition.train.timeout == 7200)
        let minimal = try Self.parse("{argv: [/opt/train], executor: slurm}")
        #expect(minimal.train.executor == .slurm(SlurmSettings()))
    }

    @Test func collectAndTestCommandsCanRunOnSlurmButBuiltInStepsCannot() throws {
        let definition = try Self.parse(
            "{argv: [/opt/train]}",
            collect: "{argv: [/opt/collect], executor: slurm}",
            test: "{argv: [/opt/test], executor: slurm, slurm: {partition: cpu}}"
        )
        #expect(definition.commands.map(\.command.executor.name) == ["slurm", "local", "slurm"])
        let copy = Self.errors("{argv: [/opt/train]}", collect: "{copy: data, executor: slurm}")
        #expect(copy.count == 1 && copy[0].message.contains("built-in"), "\(copy)")
        let builtinTest = Self.errors("{argv: [/opt/train]}", test: "{min_metric: 0.5, slurm: {partition: cpu}}")
        #expect(builtinTest.count == 1 && builtinTest[0].message.contains("built-in"), "\(builtinTest)")
    }

    @Test func badSlurmSettingsAreRefusedWithTheirLine() {
        let cases: [(String, String)] = [
            ("{argv: [/opt/train], executor: slurm, slurm: {partition: \"gpu --uid=0\"}}", "partition"),
            ("{argv: [/opt/train], executor: slurm, slurm: {memory: lots}}", "memory"),
            ("{argv: [/opt/train], executor: slurm, slurm: {gres: \"gpu:1 --wrap=id\"}}", "gres"),
            ("{argv: [/opt/train], executor: slurm, slurm: {cpus: 0}}", "cpus"),
            ("{argv: [/opt/train], executor: slurm, slurm: {sbatch_options: [--output=/etc/x]}}", "sbatch_options"),
            ("{argv: [/opt/train], executor: slurm, slurm: {sbatch_options: [\"-o x\"]}}", "sbatch_options"),
            ("{argv: [/opt/train], executor: slurm, slurm: {nodes: 4}}", "nodes"),
            ("{argv: [/opt/train], executor: cluster}", "executor"),
            ("{argv: [/opt/train], slurm: {partition: gpu}}", "executor: slurm"),
            ("{argv: [train], executor: slurm}", "absolute path"),
        ]
        for (train, mention) in cases {
            let errors = Self.errors(train)
            #expect(errors.count == 1, "\(train): \(errors)")
            #expect(
                errors.first.map { "\($0.message) \($0.fix ?? "")".contains(mention) } == true,
                "\(train): \(errors)"
            )
            #expect(errors.first?.line == 5, "\(train): \(errors)")
        }
    }

    @Test func jobFilesCannotNameAnExecutorOrSbatchOptions() {
        for key in ["executor", "slurm", "sbatch", "sbatch_options"] {
            #expect(PipelineDefinition.commandKeys.contains(key))
        }
    }
}
