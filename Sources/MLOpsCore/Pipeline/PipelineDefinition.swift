/// An administrator's pipeline, `etc/pipelines/<name>.yaml` (docs/design.md §7): the commands of
/// the stages that run user code, the settings of the built-in stages, and the parameters
/// a `run-pipeline` job may set.
///
/// Only this file names commands. A job file names a pipeline and sets declared
/// parameters, nothing else, so a submitter can never choose what runs.
public struct PipelineDefinition: Sendable, Equatable {
    /// A stage command: argv (never a shell string), its timeout and extra environment.
    public struct Command: Sendable, Equatable {
        /// The program and its arguments. `argv[0]` is an absolute path or a bare program
        /// name that the daemon resolves when it loads the definition.
        public var argv: [String]
        /// Seconds before the command is stopped; nil: the daemon's `stage_timeout`.
        public var timeout: Double?
        /// Variables added to the child's environment (the trainer contract's `MLOPSD_*`
        /// variables cannot be set here).
        public var environment: [String: String]
        /// Where it runs: a local child (the default) or a Slurm batch job (docs/slurm.md).
        public var executor: StageExecutor

        /// A command.
        public init(
            argv: [String],
            timeout: Double? = nil,
            environment: [String: String] = [:],
            executor: StageExecutor = .local
        ) {
            self.argv = argv
            self.timeout = timeout
            self.environment = environment
            self.executor = executor
        }
    }

    /// The type of a declared parameter.
    public enum ParameterType: String, Sendable, Equatable, CaseIterable {
        /// Text (at most 1,000 characters).
        case string
        /// A whole number.
        case int
        /// A number.
        case number
        /// true or false.
        case bool
        /// An absolute path that must lie under one of the daemon's data roots.
        case path
    }

    /// A parameter a job may set.
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var type: ParameterType
        /// A job must set it (and it has no default).
        public var required: Bool
        /// Used when the job does not set it.
        public var defaultValue: JSONValue?
        /// Bounds of an `int` or `number`.
        public var min: Double?
        public var max: Double?
        /// The allowed values of a `string`, when restricted.
        public var values: [String]?
        /// One line for people.
        public var doc: String

        /// A parameter.
        public init(
            name: String,
            type: ParameterType,
            required: Bool = false,
            defaultValue: JSONValue? = nil,
            min: Double? = nil,
            max: Double? = nil,
            values: [String]? = nil,
            doc: String = ""
        ) {
            self.name = name
            self.type = type
            self.required = required
            self.defaultValue = defaultValue
            self.min = min
            self.max = max
            self.values = values
            self.doc = doc
        }
    }

    /// `collect_data`: a command that writes `data.csv` (and optionally `holdout.csv`) into
    /// its output directory, or the built-in copy of the file a `path` parameter names.
    public enum Collect: Sendable, Equatable {
        case command(Command)
        /// Copy the file named by parameter `parameter`; hold out `holdoutShare` of its rows
        /// (chosen by `seed`) for `test_model`.
        case copy(parameter: String, holdoutShare: Double, seed: UInt64)
    }

    /// `test_model`: a command, or the built-in evaluation of an `mlops-train` model.
    public enum Test: Sendable, Equatable {
        case command(Command)
        /// The built-in evaluation on the held-out rows, with its rules (the validated
        /// `test_model` section).
        case builtin(rules: JSONValue)
    }

    /// `validate_model`: gates on the candidate's `metrics.json`, on top of the model
    /// policy's promotion gates.
    public struct ModelGates: Sendable, Equatable {
        /// The candidate's metric must reach this (nil: the policy's `min_metric` only).
        public var minMetric: Double?
        /// The candidate may be at most this much worse than production (nil: the policy's).
        public var maxMetricDrop: Double?
        /// The candidate must be strictly better than the production version.
        public var requireImprovement: Bool

        /// Gates.
        public init(minMetric: Double? = nil, maxMetricDrop: Double? = nil, requireImprovement: Bool = false) {
            self.minMetric = minMetric
            self.maxMetricDrop = maxMetricDrop
            self.requireImprovement = requireImprovement
        }
    }

    /// The pipeline's name: the file name without `.yaml`.
    public var name: String
    /// What the pipeline is for.
    public var description: String
    /// The parameters a job may set, in the order the file declares them.
    public var parameters: [Parameter]
    public var collect: Collect
    /// The validated `validate_data` section (the data rules).
    public var dataRules: JSONValue
    public var train: Command
    public var modelGates: ModelGates
    public var test: Test
    /// Whether the `ab_test` stage runs (the A/B capability fills it in).
    public var abTestEnabled: Bool
    /// The validated `ab_test` section.
    public var abTest: JSONValue
    /// `deploy`: promote the new version (false: leave it in `staging`).
    public var promote: Bool
    /// `deploy`: archive versions beyond `keep_versions` in the same step.
    public var archive: Bool
    /// `monitor`: resolve the previous version's open alerts.
    public var resolveAlerts: Bool

    /// The parameter named `name`.
    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Every command of the definition, with the stage that runs it.
    public var commands: [(stage: PipelineStage, command: Command)] {
        var list: [(PipelineStage, Command)] = []
        if case .command(let c) = collect { list.append((.collectData, c)) }
        list.append((.train, train))
        if case .command(let c) = test { list.append((.testModel, c)) }
        return list
    }

    /// Parameter names a pipeline can never declare: `pipeline` selects the pipeline.
    public static let reservedParameters: Set<String> = ["pipeline"]

    /// Keys that would set a command or the environment: refused in job files with
    /// `command_refused` rather than `unknown_key`, because they say what the job tried.
    public static let commandKeys: Set<String> = [
        "argv", "command", "commands", "cmd", "exec", "executable", "program", "script", "shell", "environment", "env",
        "stages", "collect_data", "train", "test_model", "trainer", "executor", "slurm", "sbatch", "sbatch_options",
    ]
}
