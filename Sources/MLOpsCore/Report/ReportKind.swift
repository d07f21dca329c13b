extension Kinds {
    /// `report`: writes one self-contained HTML file about a model under `spool/reports/`
    /// (health, drift share and metric over time, a heat map of columns × checks, each
    /// column's reference against current distribution, equipment and population, alerts,
    /// registry events and retraining runs on one timeline) and returns its path.
    public enum Report: JobKindDeclaration {
        public static let kind = JobKind.report
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "writes a self-contained HTML report of a model (charts and tables of its checks, columns, alerts, versions, runs) under spool/reports/"
        public static let schema = CheckRange.schema(
            defaultChecks: defaultChecks,
            maxChecks: maxChecks,
            lastDoc: "the most checks charted: the newest of the range"
        )
        /// `since`, `until`, `last`.
        public typealias Parameters = CheckRange

        /// The most checks one report charts.
        public static let maxChecks = 10_000
        /// The checks charted when `last` is not given.
        public static let defaultChecks = 1_000

        /// Where the report is and what it holds.
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// The report's absolute path under `spool/reports/`.
            public var path: String
            /// Its size in bytes.
            public var bytes: Int
            /// Checks charted.
            public var checks: Int
            /// Monitored columns drawn.
            public var columns: Int
            /// Alerts on the timeline.
            public var alerts: Int
            /// When it was written (RFC 3339).
            public var generatedAt: String

            /// A result.
            public init(
                model: String,
                path: String,
                bytes: Int,
                checks: Int,
                columns: Int,
                alerts: Int,
                generatedAt: String
            ) {
                self.model = model
                self.path = path
                self.bytes = bytes
                self.checks = checks
                self.columns = columns
                self.alerts = alerts
                self.generatedAt = generatedAt
            }

            enum CodingKeys: String, CodingKey {
                case model
                case path
                case bytes
                case checks
                case columns
                case alerts
                case generatedAt = "generated_at"
            }
        }
    }
}
