/// A model version as results show it: `create-version`, `list-versions` (one per
/// version) and `get-production-model` (`details`). The daemon fills it from the store.
///
/// Fields the store may lack (`metric_value`, the lineage, `description`, `ab_test_won`,
/// the artifact's `path`) are written as explicit `null`s, so every version document has
/// the same keys; `events` is there only when a `list-versions` job asked for history.
public struct VersionDocument: Codable, Sendable, Equatable {
    /// The version, e.g. `1.4.0`.
    public var version: String
    /// Its lifecycle state.
    public var state: VersionState
    /// Creation order within the model.
    public var sequence: Int
    /// The stored artifact.
    public var artifact: Artifact
    /// `initial`, `schema`, `retrain`, `metadata` (derived) or `explicit`.
    public var change: String
    /// The artifact's metrics.json, as written (free-form).
    public var metrics: JSONValue
    /// The training parameters kept as lineage (free-form).
    public var parameters: JSONValue
    /// The reference data inside the artifact.
    public var reference: Reference
    /// When the version was created (RFC 3339).
    public var createdAt: String
    /// Who created it.
    public var createdBy: String
    /// When its state last changed (RFC 3339).
    public var stateChangedAt: String
    /// The model metric's value from metrics.json.
    public var metricValue: Double?
    /// Where the version came from.
    public var lineage: Lineage
    /// Free text for humans.
    public var description: String?
    /// Whether the version won an A/B test against production; nil: none ran.
    public var abTestWon: Bool?
    /// The version's state changes, oldest first; nil unless history was asked for.
    public var events: [VersionEventDocument]?

    /// A version document.
    public init(
        version: String,
        state: VersionState,
        sequence: Int,
        artifact: Artifact,
        change: String,
        metrics: JSONValue,
        parameters: JSONValue,
        reference: Reference,
        createdAt: String,
        createdBy: String,
        stateChangedAt: String,
        metricValue: Double?,
        lineage: Lineage,
        description: String?,
        abTestWon: Bool?,
        events: [VersionEventDocument]? = nil
    ) {
        self.version = version
        self.state = state
        self.sequence = sequence
        self.artifact = artifact
        self.change = change
        self.metrics = metrics
        self.parameters = parameters
        self.reference = reference
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.stateChangedAt = stateChangedAt
        self.metricValue = metricValue
        self.lineage = lineage
        self.description = description
        self.abTestWon = abTestWon
        self.events = events
    }

    /// The stored artifact of a version.
    public struct Artifact: Codable, Sendable, Equatable {
        /// SHA-256 of the artifact directory.
        public var sha256: String
        /// SHA-256 of the model files alone.
        public var modelSHA256: String
        /// Where the stored copy lies; nil when it was removed or the daemon has no store.
        public var path: String?
        /// Whether archiving deleted the stored files.
        public var removed: Bool

        /// An artifact entry.
        public init(sha256: String, modelSHA256: String, path: String?, removed: Bool) {
            self.sha256 = sha256
            self.modelSHA256 = modelSHA256
            self.path = path
            self.removed = removed
        }

        enum CodingKeys: String, CodingKey {
            case sha256, path, removed
            case modelSHA256 = "model_sha256"
        }

        /// Writes `path` as `null` when there is none.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(modelSHA256, forKey: .modelSHA256)
            try c.encode(path, forKey: .path)
            try c.encode(removed, forKey: .removed)
        }
    }

    /// The reference data of a version.
    public struct Reference: Codable, Sendable, Equatable {
        /// The file inside the artifact directory.
        public var file: String
        /// Its data rows.
        public var rows: Int

        /// A reference entry.
        public init(file: String, rows: Int) {
            self.file = file
            self.rows = rows
        }
    }

    /// Where a version came from; every field is written, `null` when unknown.
    public struct Lineage: Codable, Sendable, Equatable {
        /// The version it was derived from.
        public var parentVersion: String?
        /// The file it was trained on.
        public var trainingData: String?
        /// That file's SHA-256.
        public var trainingDataSHA256: String?
        /// The pipeline run that produced it.
        public var runID: String?
        /// The job that created it.
        public var job: String?

        /// A lineage entry.
        public init(
            parentVersion: String?,
            trainingData: String?,
            trainingDataSHA256: String?,
            runID: String?,
            job: String?
        ) {
            self.parentVersion = parentVersion
            self.trainingData = trainingData
            self.trainingDataSHA256 = trainingDataSHA256
            self.runID = runID
            self.job = job
        }

        enum CodingKeys: String, CodingKey {
            case job
            case parentVersion = "parent_version"
            case trainingData = "training_data"
            case trainingDataSHA256 = "training_data_sha256"
            case runID = "run_id"
        }

        /// Writes every field, `null` when unknown.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(parentVersion, forKey: .parentVersion)
            try c.encode(trainingData, forKey: .trainingData)
            try c.encode(trainingDataSHA256, forKey: .trainingDataSHA256)
            try c.encode(runID, forKey: .runID)
            try c.encode(job, forKey: .job)
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, state, sequence, artifact, change, metrics, parameters, reference, lineage, description, events
        case createdAt = "created_at"
        case createdBy = "created_by"
        case stateChangedAt = "state_changed_at"
        case metricValue = "metric_value"
        case abTestWon = "ab_test_won"
    }

    /// Writes the fields the store may lack as `null`; `events` only when present.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(state, forKey: .state)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(artifact, forKey: .artifact)
        try c.encode(change, forKey: .change)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(reference, forKey: .reference)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(stateChangedAt, forKey: .stateChangedAt)
        try c.encode(metricValue, forKey: .metricValue)
        try c.encode(lineage, forKey: .lineage)
        try c.encode(description, forKey: .description)
        try c.encode(abTestWon, forKey: .abTestWon)
        try c.encodeIfPresent(events, forKey: .events)
    }
}
