/// Reads `etc/pipelines/<name>.yaml` into a ``PipelineDefinition``, reporting every
/// problem with its line and column (the daemon refuses to start, or refuses a reload,
/// on any of them).
public enum PipelineDefinitionParser {
    /// The schema of a pipeline file (docs/pipelines.md documents each key).
    public static let schema: ObjectSchema = ObjectSchema([
        Field("description", .string(.maxLength(2000)), default: "", doc: "what the pipeline is for"),
        Field(
            "parameters",
            .map(keys: parameterName, values: .object(parameterSchema)),
            default: .object([:]),
            doc: "the parameters a run-pipeline job may set"
        ),
        Field("stages", .object(stagesSchema), required: true, doc: "the settings of the eight stages"),
    ])

    /// `[A-Za-z_][A-Za-z0-9_]{0,63}`: a parameter name (also a key in job files).
    public static let parameterName = StringRule(
        "a parameter name of 1 to 64 characters from A-Z a-z 0-9 _ starting with a letter or _"
    ) { text in
        let b = Array(text.utf8)
        guard let first = b.first, b.count <= 64, isLetter(first) || first == 0x5F else { return false }
        return b.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x5F }
    }

    /// An environment variable name that is not one of the trainer contract's.
    static let environmentName = StringRule(
        "an environment variable name ([A-Za-z_][A-Za-z0-9_]*) not starting with MLOPSD_"
    ) { text in
        let b = Array(text.utf8)
        guard let first = b.first, b.count <= 128, isLetter(first) || first == 0x5F else { return false }
        return !text.hasPrefix("MLOPSD_") && b.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x5F }
    }

    static let parameterSchema = ObjectSchema([
        Field(
            "type",
            .oneOf(PipelineDefinition.ParameterType.allCases.map(\.rawValue)),
            required: true,
            doc: "string, int, number, bool or path"
        ),
        Field("required", .bool, default: false, doc: "a job must set it"),
        Field("default", .any, doc: "the value when a job does not set it"),
        Field("min", .double(), doc: "smallest value of an int or number"),
        Field("max", .double(), doc: "largest value of an int or number"),
        Field(
            "values",
            .list(.string(.maxLength(1000)), minCount: 1, maxCount: 1000),
            doc: "the allowed values of a string"
        ),
        Field("doc", .string(.maxLength(2000)), default: "", doc: "one line for people"),
    ])

    static let commandFields: [Field] = [
        Field(
            "argv",
            .list(.string(.path), minCount: 1, maxCount: 256),
            doc: "the program (absolute path or a name found on PATH) and its arguments; never a shell string"
        ),
        Field("timeout", .double(min: 0), doc: "seconds before the command is stopped (default: stage_timeout)"),
        Field(
            "environment",
            .map(keys: environmentName, values: .string(.maxLength(4096))),
            default: .object([:]),
            doc: "variables added to the child's environment"
        ),
        Field(
            "executor",
            .oneOf(["local", "slurm"]),
            default: "local",
            doc: "local: a child of mlopsd; slurm: a Slurm batch job (docs/slurm.md)"
        ),
        Field("slurm", .object(slurmSchema), doc: "the sbatch settings of a stage with `executor: slurm`"),
    ]

    /// A Slurm name (partition, account, QOS): what Slurm itself accepts in one.
    static let slurmName = StringRule("a Slurm name of 1 to 64 characters from A-Z a-z 0-9 _ . -") { text in
        let b = Array(text.utf8)
        return !b.isEmpty && b.count <= 64
            && b.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// `--mem`: a whole number with an optional K, M, G or T.
    static let slurmMemory = StringRule("a memory size such as 512M, 4G or 1T") { text in
        var b = Array(text.utf8)
        if let last = b.last, "KMGTkmgt".utf8.contains(last) { b.removeLast() }
        return !b.isEmpty && b.count <= 12 && b.allSatisfy(isDigit)
    }

    /// `--gres`: `name[:type]:count` entries separated by commas.
    static let slurmGres = StringRule("generic resources such as gpu:1 or gpu:a100:2 (letters, digits, _ . - : and ,)")
    { text in
        let b = Array(text.utf8)
        return !b.isEmpty && b.count <= 256 && isLetter(b[0])
            && b.allSatisfy {
                isLetter($0) || isDigit($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D || $0 == 0x3A || $0 == 0x2C
            }
    }

    /// One entry of `sbatch_options` (``SlurmSettings/problem(withOption:)``).
    static let sbatchOption = StringRule(
        "one long sbatch option (--name or --name=value) that mlopsd does not set itself"
    ) {
        SlurmSettings.problem(withOption: $0) == nil
    }

    static let slurmSchema = ObjectSchema([
        Field("partition", .string(slurmName), doc: "--partition (default: the cluster's default partition)"),
        Field(
            "time_limit",
            .int(min: 1, max: 5_256_000),
            doc: "--time in minutes (default: the stage's timeout, rounded up)"
        ),
        Field("cpus", .int(min: 1, max: 100_000), doc: "--cpus-per-task"),
        Field("memory", .string(slurmMemory), doc: "--mem, e.g. 16G"),
        Field("gres", .string(slurmGres), doc: "--gres, e.g. gpu:1"),
        Field("account", .string(slurmName), doc: "--account"),
        Field("qos", .string(slurmName), doc: "--qos"),
        Field(
            "sbatch_options",
            .list(.string(sbatchOption), maxCount: 64),
            default: .array([]),
            doc: "further sbatch options, one argument each (e.g. --exclusive, --constraint=avx2)"
        ),
    ])

    static let commandSchema = ObjectSchema(
        commandFields,
        check: { value, node in
            (value["argv"] == nil
                ? [JobError(.missingField, "the stage needs `argv:` (the command to run)", at: node.mark)] : [])
                + executorProblems(value, node)
        }
    )

    /// A `slurm:` section needs `executor: slurm`; a Slurm stage's command is the program
    /// the batch script execs on the node, so it must be an absolute path there.
    static func executorProblems(_ value: JSONValue, _ node: YAMLNode) -> [JobError] {
        var errors: [JobError] = []
        let slurm = value["executor"]?.stringValue == "slurm"
        if value["slurm"] != nil && !slurm {
            errors.append(
                JobError(
                    .invalidValue,
                    "a `slurm:` section only applies to a stage with `executor: slurm`",
                    at: node["slurm"]?.mark ?? node.mark,
                    fix: "add `executor: slurm`, or remove the section"
                )
            )
        }
        if slurm, case .array(let argv)? = value["argv"], let program = argv.first?.stringValue, !program.hasPrefix("/")
        {
            errors.append(
                JobError(
                    .invalidValue,
                    "`\(program)`: a Slurm stage's program must be an absolute path (it runs on the node, not where mlopsd searches PATH)",
                    at: node["argv"]?.mark ?? node.mark,
                    fix: "write the full path, e.g. /usr/bin/\(program)"
                )
            )
        }
        return errors
    }

    static let stagesSchema = ObjectSchema([
        Field(
            "collect_data",
            .object(
                ObjectSchema(
                    commandFields + [
                        Field(
                            "copy",
                            .string(parameterName),
                            doc: "built-in: copy the file named by this path parameter"
                        ),
                        Field(
                            "holdout_share",
                            .double(min: 0, max: 0.9),
                            default: 0.2,
                            doc: "built-in: share of rows held out for test_model"
                        ),
                        Field("seed", .int(min: 0), default: 42, doc: "built-in: the seed of the hold-out split"),
                    ],
                    check: exactlyOne("argv", "copy", section: "collect_data")
                )
            ),
            required: true,
            doc: "a command writing data.csv, or `copy:` a path parameter"
        ),
        Field("validate_data", .object(DataRules.schema), default: .object([:]), doc: "the data rules (DataRules)"),
        Field("train", .object(commandSchema), required: true, doc: "the trainer command (trainer contract)"),
        Field(
            "validate_model",
            .object(
                ObjectSchema([
                    Field("min_metric", .double(), doc: "the candidate's metric must reach this"),
                    Field("max_metric_drop", .double(min: 0), doc: "at most this much worse than production"),
                    Field("require_improvement", .bool, default: false, doc: "the candidate must beat production"),
                ])
            ),
            default: .object([:]),
            doc: "metric gates on the candidate"
        ),
        Field(
            "test_model",
            .object(ObjectSchema(commandFields + TestRules.schema.fields)),
            default: .object([:]),
            doc: "a command, or the built-in evaluation's rules (TestRules)"
        ),
        Field(
            "ab_test",
            .object(ABTestSettings.schema),
            default: .object([:]),
            doc: "A/B test settings (ABTestSettings)"
        ),
        Field(
            "deploy",
            .object(
                ObjectSchema([
                    Field("promote", .bool, default: true, doc: "promote the new version (false: leave it in staging)"),
                    Field(
                        "archive",
                        .bool,
                        default: false,
                        doc: "archive versions beyond keep_versions in the same step"
                    ),
                ])
            ),
            default: .object([:]),
            doc: "how the new version is deployed"
        ),
        Field(
            "monitor",
            .object(
                ObjectSchema([
                    Field("resolve_alerts", .bool, default: true, doc: "resolve the previous version's open alerts")
                ])
            ),
            default: .object([:]),
            doc: "what the monitor stage does"
        ),
    ])

    /// Parses the pipeline `name` from `text`, reporting every problem at once.
    public static func parse(text: String, name: String) throws(ValidationFailure) -> PipelineDefinition {
        let root: YAMLNode
        do {
            root =
                try YAMLComposer.compose(text, limits: YAMLLimits(maxDepth: 12, maxNodes: 20_000))
                ?? YAMLNode(.mapping([]), at: SourceMark(line: 1, column: 1))
        } catch {
            throw ValidationFailure([error])
        }
        // Schema problems are collected, not thrown, so that the checks below (which look
        // at each parameter on its own) report theirs in the same round.
        var errors: [JobError] = []
        var value: JSONValue = .object([:])
        do {
            value = try SchemaValidator.validate(root, against: .object(schema), path: "")
        } catch {
            errors += error.errors
        }
        let stagesNode = root["stages"]

        // Parameters (each validated on its own: one bad declaration does not hide the others).
        var parameters: [PipelineDefinition.Parameter] = []
        if case .mapping(let pairs)? = root["parameters"]?.content {
            for pair in pairs {
                guard let key = pair.key.scalarText,
                    let spec = try? SchemaValidator.validate(
                        pair.value,
                        against: .object(parameterSchema),
                        path: "parameters." + key
                    )
                else { continue }
                let (parameter, problems) = self.parameter(key, spec, node: pair.value, keyMark: pair.key.mark)
                errors += problems
                if let parameter { parameters.append(parameter) }
            }
        }

        // Stages.
        let stages = value["stages"] ?? .object([:])
        let collectValue = stages["collect_data"] ?? .object([:])
        let collect: PipelineDefinition.Collect
        if let source = collectValue["copy"]?.stringValue ?? stagesNode?["collect_data"]?["copy"]?.scalarText {
            collect = .copy(
                parameter: source,
                holdoutShare: collectValue["holdout_share"]?.doubleValue ?? 0.2,
                seed: UInt64(max(0, collectValue["seed"]?.intValue ?? 42))
            )
            let mark = stagesNode?["collect_data"]?["copy"]?.mark
            if let parameter = parameters.first(where: { $0.name == source }) {
                if parameter.type != .path {
                    errors.append(
                        JobError(
                            .invalidValue,
                            "collect_data.copy names `\(source)`, a \(parameter.type.rawValue) parameter; it must be a path parameter",
                            at: mark,
                            fix: "declare `\(source)` with `type: path`"
                        )
                    )
                }
            } else {
                errors.append(
                    JobError(
                        .invalidValue,
                        "collect_data.copy names `\(source)`, which is not a declared parameter",
                        at: mark,
                        fix: "declare it under `parameters:` with `type: path`"
                    )
                )
            }
        } else {
            collect = .command(command(collectValue))
        }
        let testValue = stages["test_model"] ?? .object([:])
        let test: PipelineDefinition.Test =
            testValue["argv"] != nil ? .command(command(testValue)) : .builtin(rules: testValue)
        let gates = stages["validate_model"] ?? .object([:])
        let abTest = stages["ab_test"] ?? .object([:])
        let deploy = stages["deploy"] ?? .object([:])
        let monitor = stages["monitor"] ?? .object([:])
        let dataRules = stages["validate_data"] ?? .object([:])

        // Executors: only stages that run a command have one.
        for (section, value, runsCommand) in [
            (
                "collect_data", collectValue,
                {
                    if case .command = collect { return true }
                    return false
                }()
            ),
            (
                "test_model", testValue,
                {
                    if case .command = test { return true }
                    return false
                }()
            ),
        ] {
            guard let node = stagesNode?[section] else { continue }
            if runsCommand {
                errors += executorProblems(value, node)
            } else if value["executor"]?.stringValue == "slurm" || value["slurm"] != nil {
                errors.append(
                    JobError(
                        .invalidValue,
                        "\(section) runs mlopsd's built-in step, which has no executor; only a stage with `argv:` can run on Slurm",
                        at: node["executor"]?.mark ?? node["slurm"]?.mark ?? node.mark,
                        fix: "remove `executor:` and `slurm:`, or give the stage a command with `argv:`"
                    )
                )
            }
        }
        // Only the keys the file wrote: the validated value also holds the rules' defaults.
        if case .command = test, case .mapping(let pairs)? = stagesNode?["test_model"]?.content {
            for key in pairs.compactMap(\.key.scalarText) where !commandFields.contains(where: { $0.name == key }) {
                errors.append(
                    JobError(
                        .unknownKey,
                        "`\(key)` is a rule of the built-in test; a test_model with `argv:` runs a command instead",
                        at: stagesNode?["test_model"]?.pair(key)?.key.mark,
                        fix: "remove `\(key)`, or remove `argv:` to use the built-in evaluation"
                    )
                )
            }
        }
        if !errors.isEmpty { throw ValidationFailure(ValidationFailure.sorted(errors)) }
        return PipelineDefinition(
            name: name,
            description: value["description"]?.stringValue ?? "",
            parameters: parameters,
            collect: collect,
            dataRules: dataRules,
            train: command(stages["train"] ?? .object([:])),
            modelGates: .init(
                minMetric: gates["min_metric"]?.doubleValue,
                maxMetricDrop: gates["max_metric_drop"]?.doubleValue,
                requireImprovement: gates["require_improvement"]?.boolValue ?? false
            ),
            test: test,
            abTestEnabled: abTest["enabled"]?.boolValue ?? false,
            abTest: abTest,
            promote: deploy["promote"]?.boolValue ?? true,
            archive: deploy["archive"]?.boolValue ?? false,
            resolveAlerts: monitor["resolve_alerts"]?.boolValue ?? true
        )
    }

    /// A command from its validated section (argv already checked present).
    static func command(_ value: JSONValue) -> PipelineDefinition.Command {
        var environment: [String: String] = [:]
        if case .object(let fields)? = value["environment"] {
            for (key, v) in fields { environment[key] = v.stringValue ?? "" }
        }
        let argv: [String]
        if case .array(let items)? = value["argv"] { argv = items.compactMap(\.stringValue) } else { argv = [] }
        var executor = StageExecutor.local
        if value["executor"]?.stringValue == "slurm" {
            let section = value["slurm"] ?? .object([:])
            var extra: [String] = []
            if case .array(let items)? = section["sbatch_options"] { extra = items.compactMap(\.stringValue) }
            executor = .slurm(
                SlurmSettings(
                    partition: section["partition"]?.stringValue,
                    timeLimitMinutes: section["time_limit"]?.intValue,
                    cpus: section["cpus"]?.intValue,
                    memory: section["memory"]?.stringValue,
                    gres: section["gres"]?.stringValue,
                    account: section["account"]?.stringValue,
                    qos: section["qos"]?.stringValue,
                    extraOptions: extra
                )
            )
        }
        return PipelineDefinition.Command(
            argv: argv,
            timeout: value["timeout"]?.doubleValue,
            environment: environment,
            executor: executor
        )
    }

    /// A declared parameter, with the problems of its declaration.
    static func parameter(
        _ name: String,
        _ spec: JSONValue,
        node: YAMLNode,
        keyMark: SourceMark
    )
        -> (PipelineDefinition.Parameter?, [JobError])
    {
        guard let typeText = spec["type"]?.stringValue, let type = PipelineDefinition.ParameterType(rawValue: typeText)
        else {
            return (nil, [])
        }
        var errors: [JobError] = []
        if PipelineDefinition.reservedParameters.contains(name) || PipelineDefinition.commandKeys.contains(name) {
            errors.append(
                JobError(
                    .invalidValue,
                    "`\(name)` cannot be a parameter name: job files use it for something else",
                    at: keyMark,
                    fix: "choose another name"
                )
            )
        }
        let minimum = spec["min"]?.doubleValue
        let maximum = spec["max"]?.doubleValue
        if (minimum != nil || maximum != nil) && type != .int && type != .number {
            errors.append(JobError(.invalidValue, "`min`/`max` apply only to int and number parameters", at: node.mark))
        }
        if let minimum, let maximum, minimum > maximum {
            errors.append(JobError(.invalidValue, "min \(minimum) is greater than max \(maximum)", at: node.mark))
        }
        var allowed: [String]?
        if case .array(let items)? = spec["values"] {
            allowed = items.compactMap(\.stringValue)
            if type != .string {
                errors.append(
                    JobError(
                        .invalidValue,
                        "`values` applies only to string parameters",
                        at: node["values"]?.mark ?? node.mark
                    )
                )
            }
        }
        var parameter = PipelineDefinition.Parameter(
            name: name,
            type: type,
            required: spec["required"]?.boolValue ?? false,
            defaultValue: nil,
            min: minimum,
            max: maximum,
            values: allowed,
            doc: spec["doc"]?.stringValue ?? ""
        )
        if let raw = spec["default"], raw != .null {
            switch PipelineParameters.coerce(raw, to: parameter) {
            case .success(let value): parameter.defaultValue = value
            case .failure(let problem):
                errors.append(
                    JobError(
                        .invalidValue,
                        "the default of `\(name)` \(problem)",
                        at: node["default"]?.mark ?? node.mark
                    )
                )
            }
            if parameter.required {
                errors.append(
                    JobError(
                        .invalidValue,
                        "`\(name)` is required and has a default; one of the two is pointless",
                        at: node["default"]?.mark ?? node.mark,
                        fix: "drop `required: true` or the default"
                    )
                )
            }
        }
        return (parameter, errors)
    }

    static func exactlyOne(_ a: String, _ b: String, section: String) -> @Sendable (JSONValue, YAMLNode) -> [JobError] {
        { value, node in
            switch (value[a] != nil, value[b] != nil) {
            case (true, false), (false, true): return []
            case (true, true):
                return [
                    JobError(
                        .invalidValue,
                        "\(section) has both `\(a)` and `\(b)`; it needs exactly one",
                        at: node.mark
                    )
                ]
            case (false, false):
                return [
                    JobError(
                        .missingField,
                        "\(section) needs `\(a)` (a command) or `\(b)` (a path parameter to copy)",
                        at: node.mark
                    )
                ]
            }
        }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
