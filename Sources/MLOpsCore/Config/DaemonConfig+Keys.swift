extension DaemonConfig {
    /// Every config key, declared once, in documentation order (the shipped files, the docs
    /// table and `--check-config` follow it). ``DaemonConfig`` exposes each as a typed field
    /// of the same name (`config.maxAttempts`), so code cannot name a key that does not exist.
    public struct Keys: Sendable {
        /// Where job files are dropped and results appear (absolute once parsed).
        public let spoolDir = ConfigKey<String>(
            "spool_dir",
            .string(.path),
            default: "./spool",
            "the spool directory (incoming/, active/, done/, failed/, results/, alerts/)",
            isPath: true
        )
        /// Where the SQLite store and other state live.
        public let stateDir = ConfigKey<String>(
            "state_dir",
            .string(.path),
            default: "./state",
            "the state directory (SQLite store)",
            isPath: true
        )
        /// Directories that files named by jobs must lie under.
        public let dataRoots = ConfigKey<[String]>(
            "data_roots",
            .list(.string(.path), minCount: 1, maxCount: 64),
            default: ["./data"],
            "directories that files named by jobs must lie under (env: colon-separated)",
            isPath: true
        )
        /// Where `backup` jobs may write: a backup directory must be created inside it.
        public let backupDir = ConfigKey<String>(
            "backup_dir",
            .string(.path),
            default: "./backups",
            "the directory backup jobs write into (each backup a new directory inside it)",
            isPath: true
        )
        /// Largest job file read, in bytes.
        public let maxJobBytes = ConfigKey<Int>(
            "max_job_bytes",
            .int(min: 1, max: 67_108_864),
            default: 1_048_576,
            "largest job file read, in bytes"
        )
        /// Times a job may be claimed before it is treated as poison.
        public let maxAttempts = ConfigKey<Int>(
            "max_attempts",
            .int(min: 1, max: 100),
            default: 3,
            "claims of one job before it is failed as poison"
        )
        /// Deepest YAML nesting accepted in a job file.
        public let maxYamlDepth = ConfigKey<Int>(
            "max_yaml_depth",
            .int(min: 2, max: 256),
            default: 32,
            "deepest nesting accepted in a job file"
        )
        /// Most columns a data file (CSV) named by a job may have: a wider header is refused
        /// before any row is read.
        public let maxColumns = ConfigKey<Int>(
            "max_columns",
            .int(min: 1),
            default: 10_000,
            "most columns in the header of a CSV data file a job names (predictions, labels, reference.csv, collect_data)"
        )
        /// Largest data file a job names (predictions, labels, reference data, the file
        /// `collect_data` copies), in bytes: measured with `fstat` when the file is opened and
        /// refused before any byte is read.
        public let maxDataFileBytes = ConfigKey<Int>(
            "max_data_file_bytes",
            .int(min: 1, max: 4_294_967_296),
            default: 268_435_456,
            "largest data file a job names (predictions, labels, reference data, collect_data), in bytes; refused before it is read"
        )
        /// Largest `log-predictions` file read inside its job's batch, on the engine's queue.
        /// A larger one is read in blocks and stored in chunks beside the engine (staged),
        /// so other jobs are answered meanwhile and memory stays at a block and a chunk.
        public let inlineDataFileBytes = ConfigKey<Int>(
            "inline_data_file_bytes",
            .int(min: 0, max: 4_294_967_296),
            default: 1_048_576,
            "largest log-predictions file read inside its job's batch; a larger one is read and stored beside the engine while other jobs go on"
        )
        /// Seconds between full rescans of `incoming/`.
        public let rescanInterval = ConfigKey<Double>(
            "rescan_interval",
            .double(min: 1),
            default: 60,
            "seconds between full rescans of incoming/"
        )
        /// Most jobs claimed in one pass.
        public let batchSize = ConfigKey<Int>(
            "batch_size",
            .int(min: 1, max: 10_000),
            default: 64,
            "most jobs claimed in one pass"
        )
        /// Days finished job files stay in `done/` (0 = forever).
        public let doneRetentionDays = ConfigKey<Double>(
            "done_retention_days",
            .double(min: 0),
            default: 30,
            "days finished job files are kept (0 = forever)"
        )
        /// Days rejected or failed job files stay in `failed/` (0 = forever).
        public let failedRetentionDays = ConfigKey<Double>(
            "failed_retention_days",
            .double(min: 0),
            default: 90,
            "days rejected or failed job files are kept (0 = forever)"
        )
        /// Days result documents stay in `results/`, and reports in `reports/` (0 = forever).
        public let resultsRetentionDays = ConfigKey<Double>(
            "results_retention_days",
            .double(min: 0),
            default: 90,
            "days result documents and reports are kept (0 = forever)"
        )
        /// Seconds between passes that prune `done/`, `failed/`, `results/` and `reports/` by age.
        public let pruneInterval = ConfigKey<Double>(
            "prune_interval",
            .double(min: 1),
            default: 3600,
            "seconds between pruning passes over done/, failed/ and results/"
        )
        /// The group allowed to write into `incoming/`.
        public let submittersGroup = ConfigKey<String>(
            "submitters_group",
            .string(.name),
            default: "mlopsd-submit",
            "the group allowed to submit jobs"
        )
        /// Seconds between monitoring passes over production models.
        public let monitoringCheckInterval = ConfigKey<Double>(
            "monitoring_check_interval",
            .double(min: 0),
            default: 3600,
            "seconds between monitoring passes",
            greaterThan: 0,
            alias: "MONITORING_CHECK_INTERVAL"
        )
        /// The effect size a column must exceed to drift (when its test is also significant):
        /// the KS D of a numerical feature, the Jensen–Shannon distance of a categorical
        /// feature or segment field; in (0, 1).
        public let dataDriftThreshold = ConfigKey<Double>(
            "data_drift_threshold",
            .double(min: 0, max: 1),
            default: 0.1,
            "effect size a column must exceed to drift: KS D (numerical) or Jensen–Shannon distance (categorical)",
            greaterThan: 0,
            lessThan: 1,
            alias: "DATA_DRIFT_THRESHOLD"
        )
        /// Relative metric drop above which model decay is reported, in (0, 1).
        public let modelDecayThreshold = ConfigKey<Double>(
            "model_decay_threshold",
            .double(min: 0, max: 1),
            default: 0.05,
            "relative metric drop that counts as decay",
            greaterThan: 0,
            lessThan: 1,
            alias: "MODEL_DECAY_THRESHOLD"
        )
        /// Days after which a model is retrained on schedule (when ``retrainSchedule`` is empty).
        public let retrainScheduleDays = ConfigKey<Double>(
            "retrain_schedule_days",
            .double(min: 0),
            default: 30,
            "days after which a model is retrained on schedule (unless retrain_schedule is set)",
            greaterThan: 0,
            alias: "RETRAIN_SCHEDULE_DAYS"
        )
        /// When models are retrained on schedule, as a systemd calendar expression
        /// (`OnCalendar=` syntax: `Sun *-*-* 02:00`, `daily`, `Mon..Fri 06:00`); empty: every
        /// ``retrainScheduleDays`` days instead. Checked, and kept in its normalized form, by
        /// ``DaemonConfig/parse(text:sourceName:environment:workingDirectory:)``; read as
        /// ``DaemonConfig/retrainCalendar``.
        public let retrainSchedule = ConfigKey<String>(
            "retrain_schedule",
            .string(Keys.calendarText),
            default: "",
            "when models are retrained on schedule: a systemd calendar expression (OnCalendar= syntax, "
                + "e.g. \"Sun *-*-* 02:00\"), read in local time unless it names a zone; \"\" for every retrain_schedule_days"
        )
        /// Automatic retrainings (all models together) that may start in any 24 hours.
        public let maxRetrainsPerDay = ConfigKey<Int>(
            "max_retrains_per_day",
            .int(min: 0, max: 10_000),
            default: 3,
            "automatic retrainings (all models together) that may start in any 24 hours; "
                + "0 holds every automatic one back"
        )
        /// Default significance level of drift tests, in (0, 0.5].
        public let driftAlpha = ConfigKey<Double>(
            "drift_alpha",
            .double(min: 0, max: 0.5),
            default: 0.01,
            "default significance level of drift tests",
            greaterThan: 0
        )
        /// Default monitoring window, in predictions.
        public let windowSize = ConfigKey<Int>(
            "window_size",
            .int(min: 10, max: 1_000_000),
            default: 1000,
            "default monitoring window, in predictions"
        )
        /// Default fewest samples before a drift test is trusted (at most `windowSize`).
        public let minSamples = ConfigKey<Int>(
            "min_samples",
            .int(min: 10, max: 1_000_000),
            default: 200,
            "default fewest samples before drift is judged (<= window_size)"
        )
        /// Default: run checks every this many logged predictions.
        public let checkEveryPredictions = ConfigKey<Int>(
            "check_every_predictions",
            .int(min: 1, max: 1_000_000),
            default: 100,
            "default: check every this many predictions"
        )
        /// Default: drifting checks in a row before an alert.
        public let driftConfirmations = ConfigKey<Int>(
            "drift_confirmations",
            .int(min: 1, max: 100),
            default: 2,
            "default: drifting checks in a row before an alert"
        )
        /// The directory of pipeline definitions, `<name>.yaml` each (absolute once parsed).
        public let pipelinesDir = ConfigKey<String>(
            "pipelines_dir",
            .string(.path),
            default: "./etc/pipelines",
            "the directory of pipeline definitions (<name>.yaml)",
            isPath: true
        )
        /// Pipelines that may run at the same time.
        public let maxConcurrentPipelines = ConfigKey<Int>(
            "max_concurrent_pipelines",
            .int(min: 1, max: 64),
            default: 1,
            "pipelines that may run at the same time"
        )
        /// Seconds a pipeline stage may run before it is stopped.
        public let stageTimeout = ConfigKey<Double>(
            "stage_timeout",
            .double(min: 0),
            default: 3600,
            "seconds a pipeline stage may run",
            greaterThan: 0
        )
        /// Seconds between SIGTERM and SIGKILL when stopping children.
        public let stopGrace = ConfigKey<Double>(
            "stop_grace",
            .double(min: 0, max: 3600),
            default: 30,
            "seconds between SIGTERM and SIGKILL for children"
        )
        /// The lowest level logged.
        public let logLevel = ConfigKey<LogLevel>(
            "log_level",
            .oneOf(LogLevel.allCases.map(\.rawValue)),
            default: .info,
            "lowest level logged"
        )
        /// Seconds between `STATUS=` updates to systemd.
        public let statusInterval = ConfigKey<Double>(
            "status_interval",
            .double(min: 1),
            default: 10,
            "seconds between STATUS= updates to systemd"
        )
        /// Where Prometheus metrics are written (node_exporter textfile format); empty: none.
        public let metricsFile = ConfigKey<String>(
            "metrics_file",
            .string(Keys.metricsPath),
            default: "./state/mlopsd.prom",
            "Prometheus metrics file (node_exporter textfile format); \"\" turns metrics off",
            isPath: true
        )
        /// The administrator's deploy hook: argv (absolute program path first, no shell), run
        /// after every switch of a serving link; empty: none.
        public let deployHook = ConfigKey<[String]>(
            "deploy_hook",
            .list(.string(.any), maxCount: 64),
            default: [],
            "command run after a serving link switches: absolute program path, then arguments; no shell; [] for none"
        )
        /// Seconds the deploy hook may run before it is killed (and the switch undone).
        public let deployHookTimeout = ConfigKey<Double>(
            "deploy_hook_timeout",
            .double(min: 1, max: 600),
            default: 30,
            "seconds the deploy hook may run before it is killed and the switch undone (keep below WatchdogSec)"
        )
        /// The `slurm.conf` that Slurm stages use (`SLURM_CONF` for every Slurm command);
        /// empty: none configured, and a Slurm stage fails with a clear error.
        public let slurmConf = ConfigKey<String>(
            "slurm_conf",
            .string(Keys.optionalPath),
            default: "",
            "slurm.conf for stages with executor: slurm (also the SLURM_CONF variable); \"\" for none",
            isPath: true
        )
        /// The directory of `sbatch`, `scontrol`, `sacct` and `scancel`.
        public let slurmBinDir = ConfigKey<String>(
            "slurm_bin_dir",
            .string(.path),
            default: "/usr/bin",
            "directory of sbatch, scontrol, sacct and scancel",
            isPath: true
        )
        /// The longest wait, in seconds, between two looks at a running Slurm job (the wait
        /// starts at 0.5 s and doubles).
        public let slurmPollMax = ConfigKey<Double>(
            "slurm_poll_max",
            .double(min: 0.5, max: 600),
            default: 30,
            "longest wait between two looks at a running Slurm job, in seconds"
        )
        /// Seconds a Slurm command may take before it counts as failed (the controller down).
        public let slurmCommandTimeout = ConfigKey<Double>(
            "slurm_command_timeout",
            .double(min: 1, max: 600),
            default: 60,
            "seconds a Slurm command may take before it counts as failed"
        )
        /// What a stop of mlopsd does to running Slurm jobs: `detach` (they run on and the
        /// next start re-attaches) or `cancel`.
        public let slurmOnShutdown = ConfigKey<SlurmShutdownPolicy>(
            "slurm_on_shutdown",
            .oneOf(SlurmShutdownPolicy.allCases.map(\.rawValue)),
            default: .detach,
            "what stopping mlopsd does to running Slurm jobs: detach (re-attached at the next start) or cancel"
        )
        /// Seconds a running Slurm job may run past its time limit before mlopsd cancels it
        /// itself (the cluster's own enforcement can lag by its `OverTimeLimit`, or be off).
        public let slurmTimeoutGrace = ConfigKey<Double>(
            "slurm_timeout_grace",
            .double(min: 0, max: 86_400),
            default: 300,
            "seconds a running Slurm job may go past its time limit before mlopsd cancels it itself"
        )

        /// A path, or the empty string (no metrics file).
        static let metricsPath = StringRule("a path, or \"\" for no metrics file") {
            $0.isEmpty || StringRule.path.isValid($0)
        }
        /// Text of at most 256 characters without control characters; whether it is a
        /// calendar expression is checked after the schema, to say what is wrong with it.
        static let calendarText = StringRule("a systemd calendar expression, or \"\" for none") { text in
            text.utf8.count <= 256 && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }
        /// A path, or the empty string (not configured).
        static let optionalPath = StringRule("a path, or \"\" for none") { $0.isEmpty || StringRule.path.isValid($0) }

        /// Every key, in declaration order (read off the stored properties, so a key added
        /// above is listed without a second mention).
        var all: [any AnyConfigKey] {
            Mirror(reflecting: self).children.compactMap { $0.value as? any AnyConfigKey }
        }
    }
}
