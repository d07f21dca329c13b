extension Kinds {
    /// `monitoring-history`: the stored checks of a model over a time range, oldest first,
    /// each with its health, drift per column, metric and segment findings, and the alerts
    /// it opened, updated or resolved.
    public enum MonitoringHistory: JobKindDeclaration {
        public static let kind = JobKind.monitoringHistory
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "the stored monitoring checks of a model over a time range: health, drift per column, metric, segments, alerts"
        public static let schema = CheckRange.schema(
            defaultChecks: defaultChecks,
            maxChecks: maxChecks,
            lastDoc: "the most checks listed: the newest of the range, shown oldest first"
        )
        /// `since`, `until`, `last`.
        public typealias Parameters = CheckRange

        /// The most checks one job returns: 1,000 checks of a 52-column model are a 15 MB
        /// result (docs/benchmarks.md), under the client's 16 MB; page through more with `until`.
        public static let maxChecks = 1_000
        /// The checks returned when `last` is not given.
        public static let defaultChecks = 100

        /// One stored check, in the figures that show a trend: the full report of the newest
        /// check is what `monitor-model` returns.
        public struct Check: Codable, Sendable, Equatable {
            /// One monitored column's test in the check.
            public struct Column: Codable, Sendable, Equatable {
                /// The column.
                public var name: String
                /// Feature, equipment or population column.
                public var kind: ColumnKind
                /// The test that judged it; nil when the window had too few values.
                public var test: DriftTest?
                /// KS D or the chi-square statistic.
                public var statistic: Double?
                /// The Benjamini–Hochberg adjusted p-value.
                public var pAdjusted: Double?
                /// The population stability index.
                public var psi: Double?
                /// Whether the column drifts.
                public var drift: Bool

                enum CodingKeys: String, CodingKey {
                    case name
                    case kind
                    case test
                    case statistic
                    case psi
                    case drift
                    case pAdjusted = "p_adjusted"
                }
            }

            /// The check's number, increasing with time.
            public var seq: Int
            /// When it ran (RFC 3339).
            public var at: String
            /// The production version it judged.
            public var version: String?
            /// What ran it: `predictions`, `labels`, `job`, `timer`.
            public var trigger: String
            /// Whether the check could judge (`ok`) or why not.
            public var status: CheckStatus
            /// Predictions in the window.
            public var window: Int
            /// Labelled predictions in the window.
            public var labelled: Int
            /// The 0–1 health score.
            public var health: Double
            /// Good, warning or critical.
            public var band: HealthScore.Band
            /// Share of monitored columns drifting.
            public var driftShare: Double
            /// Every monitored column's test.
            public var columns: [Column]
            /// The metric the model is judged on, with its Wilson interval and baseline.
            public var decay: MonitoringReport.Decay
            /// The metric estimated from the model's outputs, beside the realized one when the
            /// window had labels: the estimate held to account (nil: the check had none).
            public var estimate: Estimate?
            /// The numerical features' joint drift (nil: not judged).
            public var multivariateDrift: Bool?
            /// Equipment values the reference never had.
            public var newEquipment: [MonitoringReport.NewValue]
            /// Population values the reference never had.
            public var newPopulation: [MonitoringReport.NewValue]
            /// Alerts this check opened.
            public var alertsOpened: [String]
            /// Open alerts this check confirmed again, as their latest update (an alert keeps
            /// only its latest update time, so earlier confirmations are not listed).
            public var alertsUpdated: [String]
            /// Alerts this check resolved.
            public var alertsResolved: [String]

            /// A check's estimated metric against the realized one.
            public struct Estimate: Codable, Sendable, Equatable {
                /// `estimated` (standing in for the labels) or `labelled` (beside them).
                public var status: EstimateStatus
                /// The metric.
                public var metric: String
                /// The estimate and its ±3σ band.
                public var estimated: Double?
                public var lower: Double?
                public var upper: Double?
                /// The metric over the window's labelled rows, when there were any.
                public var realized: Double?
                /// |estimated − realized|, when both exist.
                public var absoluteError: Double?
                /// The mean of ``absoluteError`` over this and the earlier checks listed that had
                /// both (the running absolute error).
                public var runningAbsoluteError: Double?

                enum CodingKeys: String, CodingKey {
                    case status, metric, estimated, lower, upper, realized
                    case absoluteError = "absolute_error"
                    case runningAbsoluteError = "running_absolute_error"
                }
            }

            /// The figures of check `seq` from its stored report.
            public init(
                seq: Int,
                at: String,
                version: String?,
                trigger: String,
                report: MonitoringReport,
                alertsOpened: [String] = [],
                alertsUpdated: [String] = [],
                alertsResolved: [String] = []
            ) {
                self.init(
                    seq: seq,
                    at: at,
                    version: version,
                    trigger: trigger,
                    figures: StoredFigures(report),
                    alertsOpened: alertsOpened,
                    alertsUpdated: alertsUpdated,
                    alertsResolved: alertsResolved
                )
            }

            /// The figures of check `seq` from the trend figures of its stored report.
            public init(
                seq: Int,
                at: String,
                version: String?,
                trigger: String,
                figures: StoredFigures,
                alertsOpened: [String] = [],
                alertsUpdated: [String] = [],
                alertsResolved: [String] = []
            ) {
                self.seq = seq
                self.at = at
                self.version = version
                self.trigger = trigger
                self.status = figures.status
                self.window = figures.window
                self.labelled = figures.labelled
                self.health = figures.health.score
                self.band = figures.health.band
                self.driftShare = figures.driftShare
                self.columns = figures.columns
                self.decay = figures.decay
                if let e = figures.estimate, e.status != .unavailable {
                    self.estimate = Estimate(
                        status: e.status,
                        metric: e.metric,
                        estimated: e.estimated,
                        lower: e.lower,
                        upper: e.upper,
                        realized: e.realized,
                        absoluteError: e.estimated.flatMap { a in e.realized.map { abs(a - $0) } },
                        runningAbsoluteError: nil
                    )
                }
                self.multivariateDrift = figures.multivariate.flatMap { $0.judged ? $0.drift : nil }
                self.newEquipment = figures.equipment.newValues
                self.newPopulation = figures.population.newValues
                self.alertsOpened = alertsOpened
                self.alertsUpdated = alertsUpdated
                self.alertsResolved = alertsResolved
            }

            /// The part of a stored ``MonitoringReport`` a check's trend figures come from,
            /// decoded from the report's JSON without the rest (explanations, per-value
            /// figures, health contributions): reading 1,000 stored checks for a history
            /// decodes only what it lists.
            public struct StoredFigures: Decodable, Sendable {
                /// The health score and its band.
                public struct Health: Decodable, Sendable {
                    /// The 0–1 score.
                    public var score: Double
                    /// Its band.
                    public var band: HealthScore.Band
                }

                /// A segment group's new values.
                public struct Segments: Decodable, Sendable {
                    /// Values the reference never had.
                    public var newValues: [MonitoringReport.NewValue]
                    enum CodingKeys: String, CodingKey { case newValues = "new_values" }
                }

                /// The estimate's figures (reports stored before it have none).
                public struct StoredEstimate: Decodable, Sendable {
                    /// `estimated`, `labelled` or `unavailable`.
                    public var status: EstimateStatus
                    /// The metric.
                    public var metric: String
                    /// The estimate.
                    public var estimated: Double?
                    /// The lower end of its band.
                    public var lower: Double?
                    /// The upper end of its band.
                    public var upper: Double?
                    /// The metric over the window's labelled rows.
                    public var realized: Double?
                }

                /// The multivariate verdict (reports stored before it have none).
                public struct StoredMultivariate: Decodable, Sendable {
                    /// Whether the check judged it.
                    public var judged: Bool
                    /// Whether the features drift jointly.
                    public var drift: Bool
                }

                /// Whether the check could judge.
                public var status: CheckStatus
                /// Predictions in the window.
                public var window: Int
                /// Labelled predictions in the window.
                public var labelled: Int
                /// The health score and band.
                public var health: Health
                /// Share of monitored columns drifting.
                public var driftShare: Double
                /// The report's columns, read with ``Column``'s keys (the report's own).
                public var columns: [Column]
                /// The metric and its decay verdict.
                public var decay: MonitoringReport.Decay
                /// Equipment values the reference never had.
                public var equipment: Segments
                /// Population values the reference never had.
                public var population: Segments
                /// The estimated metric, when the report has one.
                public var estimate: StoredEstimate?
                /// The multivariate verdict, when the report has one.
                public var multivariate: StoredMultivariate?

                enum CodingKeys: String, CodingKey {
                    case status, window, labelled, health, columns, decay, equipment, population, estimate, multivariate
                    case driftShare = "drift_share"
                }

                /// The figures of a report in memory.
                public init(_ report: MonitoringReport) {
                    status = report.status
                    window = report.window
                    labelled = report.labelled
                    health = Health(score: report.health.score, band: report.health.band)
                    driftShare = report.driftShare
                    columns = report.columns.map {
                        Column(
                            name: $0.name,
                            kind: $0.kind,
                            test: $0.test,
                            statistic: $0.statistic,
                            pAdjusted: $0.pAdjusted,
                            psi: $0.psi,
                            drift: $0.drift
                        )
                    }
                    decay = report.decay
                    equipment = Segments(newValues: report.equipment.newValues)
                    population = Segments(newValues: report.population.newValues)
                    estimate = report.estimate.map {
                        StoredEstimate(
                            status: $0.status,
                            metric: $0.metric,
                            estimated: $0.estimated,
                            lower: $0.lower,
                            upper: $0.upper,
                            realized: $0.realized
                        )
                    }
                    multivariate = report.multivariate.map { StoredMultivariate(judged: $0.judged, drift: $0.drift) }
                }
            }

            enum CodingKeys: String, CodingKey {
                case seq
                case at
                case version
                case trigger
                case status
                case window
                case labelled
                case health
                case band
                case columns
                case decay
                case estimate
                case multivariateDrift = "multivariate_drift"
                case driftShare = "drift_share"
                case newEquipment = "new_equipment"
                case newPopulation = "new_population"
                case alertsOpened = "alerts_opened"
                case alertsUpdated = "alerts_updated"
                case alertsResolved = "alerts_resolved"
            }
        }

        /// The checks, oldest first.
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// How many checks are listed.
            public var count: Int
            /// The checks, oldest first.
            public var checks: [Check]

            /// A history of `checks`, with the running absolute error of the estimate over
            /// the checks that had both an estimate and a realized metric.
            public init(model: String, checks: [Check]) {
                self.model = model
                self.count = checks.count
                var checks = checks
                var sum = 0.0
                var n = 0
                for i in checks.indices {
                    guard let error = checks[i].estimate?.absoluteError else { continue }
                    sum += error
                    n += 1
                    checks[i].estimate?.runningAbsoluteError = sum / Double(n)
                }
                self.checks = checks
            }
        }
    }
}

/// A row of block characters that shows a series' trend in one terminal line: the lowest
/// value is `▁`, the highest `█`, a missing value a space.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `values` as blocks between `low` and `high` (default: the series' own range; a flat
    /// series sits at the bottom). Values outside the range are clamped.
    public static func line(_ values: [Double?], low: Double? = nil, high: Double? = nil) -> String {
        let present = values.compactMap { $0 }.filter(\.isFinite)
        guard let minimum = low ?? present.min(), let maximum = high ?? present.max() else {
            return String(repeating: " ", count: values.count)
        }
        let span = maximum - minimum
        return String(
            values.map { value -> Character in
                guard let value, value.isFinite else { return " " }
                guard span > 0 else { return blocks[0] }
                let position = (min(max(value, minimum), maximum) - minimum) / span
                return blocks[min(blocks.count - 1, Int((position * Double(blocks.count - 1)).rounded()))]
            }
        )
    }
}
