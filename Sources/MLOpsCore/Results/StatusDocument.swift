/// `spool/status.json`: what the daemon is doing, for people and tools that cannot read the
/// state directory. The daemon writes it at most once a second after batches and every
/// `status_interval`; `mlopsctl status` reads it.
public struct StatusDocument: Codable, Sendable, Equatable {
    /// Jobs finished since the daemon started, by outcome.
    public struct Jobs: Codable, Sendable, Equatable {
        /// Jobs that succeeded.
        public var succeeded: Int
        /// Jobs that ran and failed.
        public var failed: Int
        /// Jobs refused before or instead of running.
        public var rejected: Int
        /// Job files found finished in the store after a crash, whose results were replayed.
        public var recovered: Int

        /// Counts by outcome.
        public init(succeeded: Int, failed: Int, rejected: Int, recovered: Int) {
            self.succeeded = succeeded
            self.failed = failed
            self.rejected = rejected
            self.recovered = recovered
        }
    }

    /// A registered model as the status lists it.
    public struct Model: Codable, Sendable, Equatable {
        /// The model's name.
        public var name: String
        /// Its task (`binary_classification`, …).
        public var task: String
        /// The metric it is judged on.
        public var metric: String
        /// How often its spec was registered.
        public var revision: Int
        /// When its spec last changed (RFC 3339).
        public var updatedAt: String

        /// A model line.
        public init(name: String, task: String, metric: String, revision: Int, updatedAt: String) {
            self.name = name
            self.task = task
            self.metric = metric
            self.revision = revision
            self.updatedAt = updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case name
            case task
            case metric
            case revision
            case updatedAt = "updated_at"
        }
    }

    /// The daemon's process id (`mlopsctl status` checks that it is alive).
    public var pid: Int
    /// The daemon's version.
    public var version: String
    /// `starting`, `ready`, `reloading` or `stopping`.
    public var state: String
    /// The config file in force.
    public var config: String
    /// When the daemon started (RFC 3339).
    public var startedAt: String
    /// When this document was written (RFC 3339).
    public var updatedAt: String
    /// The spool directory.
    public var spool: String
    /// The state directory.
    public var stateDir: String
    /// Job files waiting in `incoming/`.
    public var queueDepth: Int
    /// Jobs since start.
    public var jobs: Jobs
    /// The first registered models by name (at most a few hundred).
    public var models: [Model]
    /// How many models are registered in all.
    public var modelsTotal: Int
    /// The job kinds this daemon runs.
    public var kinds: [String]

    /// A status document.
    public init(
        pid: Int,
        version: String,
        state: String,
        config: String,
        startedAt: String,
        updatedAt: String,
        spool: String,
        stateDir: String,
        queueDepth: Int,
        jobs: Jobs,
        models: [Model],
        modelsTotal: Int,
        kinds: [String]
    ) {
        self.pid = pid
        self.version = version
        self.state = state
        self.config = config
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.spool = spool
        self.stateDir = stateDir
        self.queueDepth = queueDepth
        self.jobs = jobs
        self.models = models
        self.modelsTotal = modelsTotal
        self.kinds = kinds
    }

    enum CodingKeys: String, CodingKey {
        case pid
        case version
        case state
        case config
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case spool
        case stateDir = "state_dir"
        case queueDepth = "queue_depth"
        case jobs
        case models
        case modelsTotal = "models_total"
        case kinds
    }
}
