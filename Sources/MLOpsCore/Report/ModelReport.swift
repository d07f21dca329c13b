/// Everything the model report (`report` job, `mlopsctl report`) shows, gathered by the
/// daemon from its store and handed to ``ModelReportPage`` to be written as one
/// self-contained HTML file. No I/O: a test builds one by hand and renders it.
public struct ModelReport: Sendable, Equatable {
    /// The production version and since when it serves.
    public struct Production: Sendable, Equatable {
        /// The version.
        public var version: String
        /// When it was promoted (RFC 3339).
        public var since: String
        /// Its metric at registration: the decay baseline.
        public var metricValue: Double?

        /// A production version.
        public init(version: String, since: String, metricValue: Double?) {
            self.version = version
            self.since = since
            self.metricValue = metricValue
        }
    }

    /// The settings that judged the checks, shown in the header.
    public struct Thresholds: Sendable, Equatable {
        /// `data_drift_threshold`: D (numbers) or the Jensen–Shannon distance (categories)
        /// a drifting column exceeds.
        public var dataDriftThreshold: Double
        /// `model_decay_threshold`: the relative metric drop that is decay.
        public var decayThreshold: Double
        /// `drift_alpha`: the adjusted p a drifting column is below.
        public var alpha: Double
        /// `min_samples`: fewer values in the window leave a column untested.
        public var minSamples: Int
        /// `window_size`: predictions per check.
        public var windowSize: Int
        /// The metric the model is judged on (`accuracy`, `rmse`, …).
        public var metric: String
        /// Checks in a row a drift must be seen before its alert opens.
        public var driftConfirmations: Int

        /// The thresholds.
        public init(
            dataDriftThreshold: Double,
            decayThreshold: Double,
            alpha: Double,
            minSamples: Int,
            windowSize: Int,
            metric: String,
            driftConfirmations: Int
        ) {
            self.dataDriftThreshold = dataDriftThreshold
            self.decayThreshold = decayThreshold
            self.alpha = alpha
            self.minSamples = minSamples
            self.windowSize = windowSize
            self.metric = metric
            self.driftConfirmations = driftConfirmations
        }
    }

    /// One state change of a version, for the timeline (creation, promotion with its gate
    /// verdict in `reason`, rollback, archive, A/B decision).
    public struct VersionEvent: Sendable, Equatable {
        /// The version.
        public var version: String
        /// The change.
        public var event: VersionEventDocument

        /// An event of `version`.
        public init(version: String, event: VersionEventDocument) {
            self.version = version
            self.event = event
        }
    }

    /// The model.
    public var model: String
    /// When the report was written (RFC 3339).
    public var generatedAt: String
    /// The production version; nil when the model has none.
    public var production: Production?
    /// The settings in force.
    public var thresholds: Thresholds
    /// The stored checks, oldest first (at most `report`'s `last`).
    public var checks: [Kinds.MonitoringHistory.Check]
    /// The newest check's full report; nil when the model has no check.
    public var latest: MonitoringReport?
    /// Every monitored column (features, then equipment, then population fields): the
    /// reference against the current window, in the model's order.
    public var distributions: [ColumnDistribution]
    /// The model's alerts that were open, or changed, during the checks shown, oldest first.
    public var alerts: [AlertDocument]
    /// The versions' state changes during the checks shown, oldest first.
    public var events: [VersionEvent]
    /// Pipeline runs of the model (retraining and manual), oldest first.
    public var runs: [RunDocument]

    /// A report.
    public init(
        model: String,
        generatedAt: String,
        production: Production?,
        thresholds: Thresholds,
        checks: [Kinds.MonitoringHistory.Check],
        latest: MonitoringReport?,
        distributions: [ColumnDistribution],
        alerts: [AlertDocument],
        events: [VersionEvent],
        runs: [RunDocument]
    ) {
        self.model = model
        self.generatedAt = generatedAt
        self.production = production
        self.thresholds = thresholds
        self.checks = checks
        self.latest = latest
        self.distributions = distributions
        self.alerts = alerts
        self.events = events
        self.runs = runs
    }
}
