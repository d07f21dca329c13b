extension Kinds {
    /// `monitoring-history`: the stored checks of a model over a time range, oldest first,
    /// each with its full report and the alerts it opened, updated or resolved.
    public enum MonitoringHistory: JobKindDeclaration {
        public static let kind = JobKind.monitoringHistory
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "the stored monitoring checks of a model over a time range: health, drift per column, metric, segments, alerts"
        public static let schema = ObjectSchema([
            Field("since", .string(RegistryKinds.timeText), doc: "only checks at or after this time"),
            Field("until", .string(RegistryKinds.timeText), doc: "only checks at or before this time"),
            Field(
                "last",
                .int(min: 1, max: maxChecks),
                default: .int(defaultChecks),
                doc: "the most checks listed: the newest of the range, shown oldest first"
            ),
        ])

        /// The most checks one job returns.
        public static let maxChecks = 10_000
        /// The checks returned when `last` is not given.
        public static let defaultChecks = 100

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Only checks at or after this time (RFC 3339, as written).
            public var since: String?
            /// Only checks at or before this time (RFC 3339, as written).
            public var until: String?
            /// The most checks listed.
            public var last: Int

            /// Parameters; the defaults are the schema's.
            public init(since: String? = nil, until: String? = nil, last: Int = defaultChecks) {
                self.since = since
                self.until = until
                self.last = last
            }
        }

        /// One stored check.
        public struct Check: Codable, Sendable, Equatable {
            /// The check's number, increasing with time.
            public var seq: Int
            /// When it ran (RFC 3339).
            public var at: String
            /// The production version it judged.
            public var version: String?
            /// What ran it: `predictions`, `labels`, `job`, `timer`.
            public var trigger: String
            /// The check's full report, as the check returned it.
            public var report: MonitoringReport
            /// Alerts this check opened.
            public var alertsOpened: [String]
            /// Open alerts this check confirmed again (their occurrences grew).
            public var alertsUpdated: [String]
            /// Alerts this check resolved.
            public var alertsResolved: [String]

            /// A check.
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
                self.seq = seq
                self.at = at
                self.version = version
                self.trigger = trigger
                self.report = report
                self.alertsOpened = alertsOpened
                self.alertsUpdated = alertsUpdated
                self.alertsResolved = alertsResolved
            }

            enum CodingKeys: String, CodingKey {
                case seq
                case at
                case version
                case trigger
                case report
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
