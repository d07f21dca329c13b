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

                enum CodingKeys: String, CodingKey {
                    case status, window, labelled, health, columns, decay, equipment, population
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

            /// A history of `checks`.
            public init(model: String, checks: [Check]) {
                self.model = model
                self.count = checks.count
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
