/// The daemon's configuration (`etc/mlopsd.yaml`, docs/design.md §13), validated and typed.
///
/// Parsing is pure (text in, value out) so the same code checks a config at start, at
/// reload and in `mlopsctl`, and tests need no files. Every key can be overridden by an
/// environment variable with the same name upper-cased (for a unit's `Environment=`);
/// the variable wins over the file. Durations are in seconds unless the key says days.
public struct DaemonConfig: Sendable, Equatable {
    /// Where job files are dropped and results appear (absolute after ``parse(text:sourceName:environment:workingDirectory:)``).
    public var spoolDir: String
    /// Where the SQLite store and other state live.
    public var stateDir: String
    /// Directories that files named by jobs must lie under.
    public var dataRoots: [String]
    /// Largest job file read, in bytes.
    public var maxJobBytes: Int
    /// Times a job may be claimed before it is treated as poison.
    public var maxAttempts: Int
    /// Deepest YAML nesting accepted in a job file.
    public var maxYamlDepth: Int
    /// Seconds between full rescans of `incoming/`.
    public var rescanInterval: Double
    /// Most jobs claimed in one pass.
    public var batchSize: Int
    /// Days finished job files stay in `done/` (0 = forever).
    public var doneRetentionDays: Double
    /// Days rejected or failed job files stay in `failed/` (0 = forever).
    public var failedRetentionDays: Double
    /// Days result documents stay in `results/` (0 = forever).
    public var resultsRetentionDays: Double
    /// Seconds between passes that prune `done/`, `failed/` and `results/` by age.
    public var pruneInterval: Double
    /// The group allowed to write into `incoming/`.
    public var submittersGroup: String
    /// Seconds between monitoring passes over production models.
    public var monitoringCheckInterval: Double
    /// Share of drifting features above which data drift is reported, in (0, 1).
    public var dataDriftThreshold: Double
    /// Relative metric drop above which model decay is reported, in (0, 1).
    public var modelDecayThreshold: Double
    /// Days after which a model is retrained on schedule.
    public var retrainScheduleDays: Double
    /// Automatic retrainings (all models together) that may start in any 24 hours.
    public var maxRetrainsPerDay: Int
    /// Default significance level of drift tests, in (0, 0.5].
    public var driftAlpha: Double
    /// Default monitoring window, in predictions.
    public var windowSize: Int
    /// Default fewest samples before a drift test is trusted (at most `windowSize`).
    public var minSamples: Int
    /// Default: run checks every this many logged predictions.
    public var checkEveryPredictions: Int
    /// Default: drifting checks in a row before an alert.
    public var driftConfirmations: Int
    /// The directory of pipeline definitions, `<name>.yaml` each (absolute once parsed).
    public var pipelinesDir: String
    /// Pipelines that may run at the same time.
    public var maxConcurrentPipelines: Int
    /// Seconds a pipeline stage may run before it is stopped.
    public var stageTimeout: Double
    /// Seconds between SIGTERM and SIGKILL when stopping children.
    public var stopGrace: Double
    /// swift-log level name: trace, debug, info, notice, warning, error or critical.
    public var logLevel: String
    /// Seconds between `STATUS=` updates to systemd.
    public var statusInterval: Double
    /// Where Prometheus metrics are written (node_exporter textfile format); empty: none.
    public var metricsFile: String
    /// The administrator's deploy hook: argv (absolute program path first, no shell), run
    /// after every switch of a serving link; empty: none.
    public var deployHook: [String]
    /// Seconds the deploy hook may run before it is killed (and the switch undone).
    public var deployHookTimeout: Double
    /// The `slurm.conf` that Slurm stages use (`SLURM_CONF` for every Slurm command);
    /// empty: none configured, and a Slurm stage fails with a clear error.
    public var slurmConf: String
    /// The directory of `sbatch`, `scontrol`, `sacct` and `scancel`.
    public var slurmBinDir: String
    /// The longest wait, in seconds, between two looks at a running Slurm job (the wait
    /// starts at 0.5 s and doubles).
    public var slurmPollMax: Double
    /// Seconds a Slurm command may take before it counts as failed (the controller down).
    public var slurmCommandTimeout: Double
    /// What a stop of mlopsd does to running Slurm jobs: `detach` (they run on and the next
    /// start re-attaches) or `cancel`.
    public var slurmOnShutdown: String
    /// Seconds a running Slurm job may run past its time limit before mlopsd cancels it
    /// itself (the cluster's own enforcement can lag by its `OverTimeLimit`, or be off).
    public var slurmTimeoutGrace: Double

    /// The limits job files are composed with.
    public var yamlLimits: YAMLLimits { YAMLLimits(maxDepth: maxYamlDepth) }

    /// The built-in values, paths still relative (`./spool`, `./state`, `./data`).
    public static let defaults = DaemonConfig(values: [:])

    /// The log levels accepted by `log_level`.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Every key: its schema, default and doc line (the docs table follows this).
    public static let schema = ObjectSchema(entries.map(\.field))

    /// The environment variable that overrides `key`.
    public static func environmentName(of key: String) -> String { key.uppercased() }

    /// Parses `text` (the content of `sourceName`), applies environment overrides and
    /// resolves relative paths against `workingDirectory`. Throws every problem found.
    public static func parse(
        text: String, sourceName: String, environment: [String: String], workingDirectory: String
    ) throws(ConfigError) -> DaemonConfig {
        var problems: [ConfigError.Problem] = []
        var values: [String: JSONValue] = [:]
        var marks: [String: SourceMark] = [:]
        var fromEnvironment: Set<String> = []

        // The file.
        do {
            let root = try YAMLComposer.compose(text, limits: YAMLLimits(maxDepth: 8, maxNodes: 10_000))
                ?? YAMLNode(.mapping([]), at: SourceMark(line: 1, column: 1))
            if case .mapping(let pairs) = root.content {
                for pair in pairs { if let key = pair.key.scalarText { marks[key] = pair.value.mark } }
            }
            do {
                let value = try SchemaValidator.validate(root, against: .object(schema), path: "")
                if case .object(let dict) = value { values = dict }
                for entry in entries {
                    if let problem = entry.exclusiveProblem(values[entry.name], name: entry.name) {
                        problems.append(ConfigError.Problem(source: sourceName, line: marks[entry.name]?.line,
                                                            column: marks[entry.name]?.column, message: problem))
                    }
                }
            } catch {
                problems += error.errors.map { ConfigError.Problem(source: sourceName, $0) }
            }
        } catch {
            problems.append(ConfigError.Problem(source: sourceName, error))
        }

        // The environment.
        for entry in entries {
            let variable = environmentName(of: entry.name)
            guard let raw = environment[variable], !raw.isEmpty else { continue }
            let source = "environment variable \(variable)"
            let node = entry.node(forEnvironmentValue: raw)
            do {
                let value = try SchemaValidator.validate(node, against: entry.field.schema, path: variable)
                if let problem = entry.exclusiveProblem(value, name: variable) {
                    problems.append(ConfigError.Problem(source: source, message: problem, fix: entry.form))
                } else {
                    values[entry.name] = value
                    fromEnvironment.insert(entry.name)
                }
            } catch {
                problems += error.errors.map {
                    ConfigError.Problem(source: source, message: $0.message, fix: $0.fix ?? entry.form)
                }
            }
        }

        // Across keys.
        var config = DaemonConfig(values: values)
        if problems.isEmpty, config.minSamples > config.windowSize {
            var source = sourceName
            var mark: SourceMark?
            if fromEnvironment.contains("min_samples") {
                source = "environment variable MIN_SAMPLES"
            } else if let m = marks["min_samples"] {
                mark = m
            } else if fromEnvironment.contains("window_size") {
                source = "environment variable WINDOW_SIZE"
            } else {
                mark = marks["window_size"]
            }
            problems.append(ConfigError.Problem(
                source: source, line: mark?.line, column: mark?.column,
                message: "min_samples (\(config.minSamples)) must be at most window_size (\(config.windowSize))",
                fix: "lower min_samples or raise window_size"))
        }
        if let program = config.deployHook.first, !program.hasPrefix("/") {
            let fromEnv = fromEnvironment.contains("deploy_hook")
            let mark = fromEnv ? nil : marks["deploy_hook"]
            problems.append(ConfigError.Problem(
                source: fromEnv ? "environment variable DEPLOY_HOOK" : sourceName, line: mark?.line, column: mark?.column,
                message: "deploy_hook must start with an absolute program path (no shell, no PATH search), not `\(program)`",
                fix: "write the full path, e.g. [/usr/local/bin/reload-model-server, --graceful]"))
        }
        guard problems.isEmpty else { throw ConfigError(problems) }

        config.spoolDir = resolve(config.spoolDir, against: workingDirectory)
        config.stateDir = resolve(config.stateDir, against: workingDirectory)
        config.dataRoots = config.dataRoots.map { resolve($0, against: workingDirectory) }
        config.pipelinesDir = resolve(config.pipelinesDir, against: workingDirectory)
        if !config.metricsFile.isEmpty { config.metricsFile = resolve(config.metricsFile, against: workingDirectory) }
        if !config.slurmConf.isEmpty { config.slurmConf = resolve(config.slurmConf, against: workingDirectory) }
        config.slurmBinDir = resolve(config.slurmBinDir, against: workingDirectory)
        return config
    }

    /// `path` made absolute against `base` and normalised (`.`, `..`, repeated and trailing
    /// slashes removed). Pure string work: links are not resolved.
    public static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        let absolute = joined.hasPrefix("/")
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
            default: parts.append(part)
            }
        }
        let body = parts.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// Builds a config from validated values, taking the default for any key not given.
    init(values: [String: JSONValue]) {
        func value(_ key: String) -> JSONValue {
            values[key] ?? Self.entries.first { $0.name == key }?.field.defaultValue ?? .null
        }
        func int(_ key: String) -> Int { value(key).intValue ?? 0 }
        func double(_ key: String) -> Double { value(key).doubleValue ?? 0 }
        func string(_ key: String) -> String { value(key).stringValue ?? "" }
        spoolDir = string("spool_dir")
        stateDir = string("state_dir")
        if case .array(let roots) = value("data_roots") { dataRoots = roots.compactMap(\.stringValue) } else { dataRoots = [] }
        maxJobBytes = int("max_job_bytes")
        maxAttempts = int("max_attempts")
        maxYamlDepth = int("max_yaml_depth")
        rescanInterval = double("rescan_interval")
        batchSize = int("batch_size")
        doneRetentionDays = double("done_retention_days")
        failedRetentionDays = double("failed_retention_days")
        resultsRetentionDays = double("results_retention_days")
        pruneInterval = double("prune_interval")
        submittersGroup = string("submitters_group")
        monitoringCheckInterval = double("monitoring_check_interval")
        dataDriftThreshold = double("data_drift_threshold")
        modelDecayThreshold = double("model_decay_threshold")
        retrainScheduleDays = double("retrain_schedule_days")
        maxRetrainsPerDay = int("max_retrains_per_day")
        driftAlpha = double("drift_alpha")
        windowSize = int("window_size")
        minSamples = int("min_samples")
        checkEveryPredictions = int("check_every_predictions")
        driftConfirmations = int("drift_confirmations")
        pipelinesDir = string("pipelines_dir")
        maxConcurrentPipelines = int("max_concurrent_pipelines")
        stageTimeout = double("stage_timeout")
        stopGrace = double("stop_grace")
        logLevel = string("log_level")
        statusInterval = double("status_interval")
        metricsFile = string("metrics_file")
        if case .array(let argv) = value("deploy_hook") { deployHook = argv.compactMap(\.stringValue) } else { deployHook = [] }
        deployHookTimeout = double("deploy_hook_timeout")
        slurmConf = string("slurm_conf")
        slurmBinDir = string("slurm_bin_dir")
        slurmPollMax = double("slurm_poll_max")
        slurmCommandTimeout = double("slurm_command_timeout")
        slurmOnShutdown = string("slurm_on_shutdown")
        slurmTimeoutGrace = double("slurm_timeout_grace")
    }

    /// One config key: schema, default, doc, and bounds the schema cannot say (exclusive ones).
    struct Entry: Sendable {
        var field: Field
        var greaterThan: Double?
        var lessThan: Double?
        var name: String { field.name }

        init(_ name: String, _ schema: Schema, _ defaultValue: JSONValue, _ doc: String,
             greaterThan: Double? = nil, lessThan: Double? = nil) {
            field = Field(name, schema, default: defaultValue, doc: doc)
            self.greaterThan = greaterThan
            self.lessThan = lessThan
        }

        func exclusiveProblem(_ value: JSONValue?, name: String) -> String? {
            guard let d = value?.doubleValue else { return nil }
            if let greaterThan, d <= greaterThan {
                return "\(name) must be greater than \(ValidationRun.format(greaterThan)), not \(ValidationRun.format(d))"
            }
            if let lessThan, d >= lessThan {
                return "\(name) must be less than \(ValidationRun.format(lessThan)), not \(ValidationRun.format(d))"
            }
            return nil
        }

        /// What an environment value must look like, for error messages.
        var form: String {
            switch field.schema {
            case .list: return "expected a colon-separated list of paths, e.g. /srv/data:/mnt/data"
            default: return "expected \(field.schema.expectation)"
            }
        }

        /// The environment value as a YAML node: text kept verbatim, numbers and booleans
        /// read like plain YAML scalars, lists split on `:`.
        func node(forEnvironmentValue raw: String) -> YAMLNode {
            let origin = SourceMark(line: 1, column: 1)
            switch field.schema {
            case .list:
                let items = raw.split(separator: ":", omittingEmptySubsequences: false)
                    .map { YAMLNode(.scalar(String($0), .quoted), at: origin) }
                return YAMLNode(.sequence(items), at: origin)
            case .string, .oneOf:
                return YAMLNode(.scalar(raw, .quoted), at: origin)
            default:
                return YAMLNode(.scalar(raw.trimmingSpaces(), .plain), at: origin)
            }
        }
    }

    static let entries: [Entry] = [
        Entry("spool_dir", .string(.path), "./spool", "the spool directory (incoming/, active/, done/, failed/, results/, alerts/)"),
        Entry("state_dir", .string(.path), "./state", "the state directory (SQLite store)"),
        Entry("data_roots", .list(.string(.path), minCount: 1, maxCount: 64), ["./data"],
              "directories that files named by jobs must lie under (env: colon-separated)"),
        Entry("max_job_bytes", .int(min: 1, max: 67_108_864), 1_048_576, "largest job file read, in bytes"),
        Entry("max_attempts", .int(min: 1, max: 100), 3, "claims of one job before it is failed as poison"),
        Entry("max_yaml_depth", .int(min: 2, max: 256), 32, "deepest nesting accepted in a job file"),
        Entry("rescan_interval", .double(min: 1), 60.0, "seconds between full rescans of incoming/"),
        Entry("batch_size", .int(min: 1, max: 10_000), 64, "most jobs claimed in one pass"),
        Entry("done_retention_days", .double(min: 0), 30.0, "days finished job files are kept (0 = forever)"),
        Entry("failed_retention_days", .double(min: 0), 90.0, "days rejected or failed job files are kept (0 = forever)"),
        Entry("results_retention_days", .double(min: 0), 90.0, "days result documents are kept (0 = forever)"),
        Entry("prune_interval", .double(min: 1), 3600.0, "seconds between pruning passes over done/, failed/ and results/"),
        Entry("submitters_group", .string(.name), "mlopsd-submit", "the group allowed to submit jobs"),
        Entry("monitoring_check_interval", .double(min: 0), 3600.0, "seconds between monitoring passes", greaterThan: 0),
        Entry("data_drift_threshold", .double(min: 0, max: 1), 0.1, "share of drifting features that counts as data drift",
              greaterThan: 0, lessThan: 1),
        Entry("model_decay_threshold", .double(min: 0, max: 1), 0.05, "relative metric drop that counts as decay",
              greaterThan: 0, lessThan: 1),
        Entry("retrain_schedule_days", .double(min: 0), 30.0, "days after which a model is retrained on schedule", greaterThan: 0),
        Entry("max_retrains_per_day", .int(min: 0, max: 10_000), 3,
              "automatic retrainings (all models together) that may start in any 24 hours; 0 holds every automatic one back"),
        Entry("drift_alpha", .double(min: 0, max: 0.5), 0.01, "default significance level of drift tests", greaterThan: 0),
        Entry("window_size", .int(min: 10, max: 1_000_000), 1000, "default monitoring window, in predictions"),
        Entry("min_samples", .int(min: 10, max: 1_000_000), 200, "default fewest samples before drift is judged (<= window_size)"),
        Entry("check_every_predictions", .int(min: 1, max: 1_000_000), 100, "default: check every this many predictions"),
        Entry("drift_confirmations", .int(min: 1, max: 100), 2, "default: drifting checks in a row before an alert"),
        Entry("pipelines_dir", .string(.path), "./etc/pipelines", "the directory of pipeline definitions (<name>.yaml)"),
        Entry("max_concurrent_pipelines", .int(min: 1, max: 64), 1, "pipelines that may run at the same time"),
        Entry("stage_timeout", .double(min: 0), 3600.0, "seconds a pipeline stage may run", greaterThan: 0),
        Entry("stop_grace", .double(min: 0, max: 3600), 30.0, "seconds between SIGTERM and SIGKILL for children"),
        Entry("log_level", .oneOf(logLevels), "info", "lowest level logged"),
        Entry("status_interval", .double(min: 1), 10.0, "seconds between STATUS= updates to systemd"),
        Entry("metrics_file", .string(metricsPath), "./state/mlopsd.prom",
              "Prometheus metrics file (node_exporter textfile format); \"\" turns metrics off"),
        Entry("deploy_hook", .list(.string(.any), maxCount: 64), [],
              "command run after a serving link switches: absolute program path, then arguments; no shell; [] for none"),
        Entry("deploy_hook_timeout", .double(min: 1, max: 600), 30.0,
              "seconds the deploy hook may run before it is killed and the switch undone (keep below WatchdogSec)"),
        Entry("slurm_conf", .string(optionalPath), "",
              "slurm.conf for stages with executor: slurm (also the SLURM_CONF variable); \"\" for none"),
        Entry("slurm_bin_dir", .string(.path), "/usr/bin", "directory of sbatch, scontrol, sacct and scancel"),
        Entry("slurm_poll_max", .double(min: 0.5, max: 600), 30.0, "longest wait between two looks at a running Slurm job, in seconds"),
        Entry("slurm_command_timeout", .double(min: 1, max: 600), 60.0, "seconds a Slurm command may take before it counts as failed"),
        Entry("slurm_on_shutdown", .oneOf(["detach", "cancel"]), "detach",
              "what stopping mlopsd does to running Slurm jobs: detach (re-attached at the next start) or cancel"),
        Entry("slurm_timeout_grace", .double(min: 0, max: 86_400), 300.0,
              "seconds a running Slurm job may go past its time limit before mlopsd cancels it itself"),
    ]

    /// A path, or the empty string (no metrics file).
    static let metricsPath = StringRule("a path, or \"\" for no metrics file") { $0.isEmpty || StringRule.path.isValid($0) }
    /// A path, or the empty string (not configured).
    static let optionalPath = StringRule("a path, or \"\" for none") { $0.isEmpty || StringRule.path.isValid($0) }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[start...end])
    }
}
