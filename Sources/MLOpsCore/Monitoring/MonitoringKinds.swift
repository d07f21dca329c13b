/// Limits and checks shared by the monitoring kinds' declarations (docs/monitoring.md).
public enum MonitoringKinds {
    /// The most records one job may carry inline (a file may hold more).
    public static let maxInlineRecords = 100_000
    /// The most records one prediction or label file may hold.
    public static let maxFileRecords = 1_000_000

    static let formats = DataFormat.allCases.map(\.rawValue)

    /// A check that exactly one of `inline` and `file` is given.
    static func exactlyOneSource(_ inline: String) -> @Sendable (JSONValue, YAMLNode) -> [JobError] {
        { value, node in
            let hasInline = value[inline] != nil && value[inline] != .null
            let hasFile = value["file"] != nil && value["file"] != .null
            if hasInline == hasFile {
                return [
                    JobError(
                        .invalidValue,
                        hasInline
                            ? "give `\(inline)` or `file`, not both"
                            : "give `\(inline)` (inline) or `file` (a CSV or JSONL file under a data root)",
                        at: (node.pair("file")?.key ?? node.pair(inline)?.key ?? node).mark
                    )
                ]
            }
            if value["format"] != nil, value["format"] != .null, !hasFile {
                return [
                    JobError(
                        .invalidValue,
                        "`format` applies to `file` only",
                        at: node.pair("format")?.key.mark ?? node.mark
                    )
                ]
            }
            return []
        }
    }
}

extension Kinds {
    /// `log-predictions`: ingests predictions (inline or from a file under a data root).
    public enum LogPredictions: JobKindDeclaration {
        public static let kind = JobKind.logPredictions
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "ingests predictions (inline records or a CSV/JSONL file under a data root) for monitoring"
        public static let schema = ObjectSchema(
            [
                Field(
                    "records",
                    .list(.any, minCount: 1, maxCount: MonitoringKinds.maxInlineRecords),
                    doc:
                        "predictions inline: each with id, prediction, the features and segments, optionally timestamp, score, probabilities, variant, label"
                ),
                Field(
                    "file",
                    .string(.path),
                    doc: "a CSV (with a header) or JSONL file of predictions under a data root"
                ),
                Field(
                    "format",
                    .oneOf(MonitoringKinds.formats),
                    doc: "csv or jsonl; default from the file's extension"
                ),
                Field(
                    "version",
                    .string(RegistryKinds.versionText),
                    doc: "the version that made the predictions; default the production version"
                ),
            ],
            check: MonitoringKinds.exactlyOneSource("records")
        )

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Where the predictions are: inline or in a file.
            public var source: DataSource<JSONValue>
            /// The version that made the predictions; nil: the production version.
            public var version: String?

            /// Parameters reading `source`.
            public init(source: DataSource<JSONValue>, version: String? = nil) {
                self.source = source
                self.version = version
            }

            public init(from decoder: any Decoder) throws {
                source = try DataSource(from: decoder, inlineKey: "records")
                version = try decoder.container(keyedBy: AnyCodingKey.self)
                    .decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "version"))
            }

            public func encode(to encoder: any Encoder) throws {
                try source.encode(to: encoder, inlineKey: "records")
                var container = encoder.container(keyedBy: AnyCodingKey.self)
                try container.encodeIfPresent(version, forKey: AnyCodingKey(stringValue: "version"))
            }
        }

        /// What the job did: how many records came, how many were new, which were logged
        /// before; the check it ran, if one was due.
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// The version the predictions were stored under; nil (written `null`): none
            /// was named and the model has no production version.
            public var version: String?
            /// Records submitted, stored, and stored with a label.
            public var received: Int
            public var ingested: Int
            public var labelled: Int
            /// Records whose id was logged before (not stored again), and the first 20 ids.
            public var duplicates: Int
            public var duplicateIds: [String]
            /// Columns the model's schema does not know.
            public var ignoredColumns: [String]
            /// Why the predictions are not monitored, when they are not.
            public var note: String?
            /// The check the new predictions made due.
            public var check: CheckSummary?

            /// Memberwise.
            public init(
                model: String,
                version: String?,
                received: Int,
                ingested: Int,
                labelled: Int,
                duplicates: Int,
                duplicateIds: [String],
                ignoredColumns: [String],
                note: String? = nil,
                check: CheckSummary? = nil
            ) {
                self.model = model
                self.version = version
                self.received = received
                self.ingested = ingested
                self.labelled = labelled
                self.duplicates = duplicates
                self.duplicateIds = duplicateIds
                self.ignoredColumns = ignoredColumns
                self.note = note
                self.check = check
            }

            enum CodingKeys: String, CodingKey {
                case model, version, received, ingested, labelled, duplicates, note, check
                case duplicateIds = "duplicate_ids"
                case ignoredColumns = "ignored_columns"
            }

            /// `version` is always written (`null` when nil); `note` and `check` only when set.
            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(model, forKey: .model)
                try c.encode(version, forKey: .version)
                try c.encode(received, forKey: .received)
                try c.encode(ingested, forKey: .ingested)
                try c.encode(labelled, forKey: .labelled)
                try c.encode(duplicates, forKey: .duplicates)
                try c.encode(duplicateIds, forKey: .duplicateIds)
                try c.encode(ignoredColumns, forKey: .ignoredColumns)
                try c.encodeIfPresent(note, forKey: .note)
                try c.encodeIfPresent(check, forKey: .check)
            }
        }
    }

    /// `log-ground-truth`: joins true labels to logged predictions by id.
    public enum LogGroundTruth: JobKindDeclaration {
        public static let kind = JobKind.logGroundTruth
        public static let modelRule = ModelRequirement.registered
        public static let summary = "joins true labels to logged predictions by id; unknown ids are reported"
        public static let schema = ObjectSchema(
            [
                Field(
                    "labels",
                    .list(
                        .object(
                            ObjectSchema([
                                Field("id", .string(.any), required: true, doc: "the prediction's id"),
                                Field("label", .string(.any), required: true, doc: "the true class (or value)"),
                            ])
                        ),
                        minCount: 1,
                        maxCount: MonitoringKinds.maxInlineRecords
                    ),
                    doc: "labels inline: each with the prediction's id and the label"
                ),
                Field("file", .string(.path), doc: "a CSV (header id,label) or JSONL file of labels under a data root"),
                Field(
                    "format",
                    .oneOf(MonitoringKinds.formats),
                    doc: "csv or jsonl; default from the file's extension"
                ),
            ],
            check: MonitoringKinds.exactlyOneSource("labels")
        )

        /// One label inline.
        public struct Label: Codable, Sendable, Equatable {
            /// The prediction's id.
            public var id: String
            /// The true class (or value), as text.
            public var label: String
            /// A label for prediction `id`.
            public init(id: String, label: String) {
                self.id = id
                self.label = label
            }
        }

        /// The typed `params:`: where the labels are, inline or in a file.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Where the labels are.
            public var source: DataSource<Label>

            /// Parameters reading `source`.
            public init(source: DataSource<Label>) { self.source = source }

            public init(from decoder: any Decoder) throws {
                source = try DataSource(from: decoder, inlineKey: "labels")
            }

            public func encode(to encoder: any Encoder) throws {
                try source.encode(to: encoder, inlineKey: "labels")
            }
        }

        /// What the job did with the labels; the check it ran, if one was due.
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// Labels submitted.
            public var received: Int
            /// Labels for predictions that had none, that changed an earlier one, and that
            /// repeated the stored one.
            public var labelled: Int
            public var relabelled: Int
            public var unchanged: Int
            /// Labels naming predictions never logged (not stored), and the first 50 ids.
            public var unknown: Int
            public var unknownIds: [String]
            /// The check the new labels made due.
            public var check: CheckSummary?

            /// Memberwise.
            public init(
                model: String,
                received: Int,
                labelled: Int,
                relabelled: Int,
                unchanged: Int,
                unknown: Int,
                unknownIds: [String],
                check: CheckSummary? = nil
            ) {
                self.model = model
                self.received = received
                self.labelled = labelled
                self.relabelled = relabelled
                self.unchanged = unchanged
                self.unknown = unknown
                self.unknownIds = unknownIds
                self.check = check
            }

            enum CodingKeys: String, CodingKey {
                case model, received, labelled, relabelled, unchanged, unknown, check
                case unknownIds = "unknown_ids"
            }
        }
    }

    /// `monitor-model`: runs the monitoring checks for one model now.
    public enum MonitorModel: JobKindDeclaration {
        public static let kind = JobKind.monitorModel
        public static let modelRule = ModelRequirement.registered
        public static let summary = "runs the monitoring checks for one model now and returns the report"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        /// The check's full report with the stored check's number, or only the status when
        /// no check could run (the reference data is unreadable).
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// The stored check's number; nil when none ran.
            public var check: Int?
            /// The report (its keys at the top level of the result); nil when none ran.
            public var report: MonitoringReport?
            /// Why no check ran, when none did.
            public var skipped: CheckStatus?

            /// The result of check `check` with `report`.
            public init(model: String, check: Int, report: MonitoringReport) {
                self.model = model
                self.check = check
                self.report = report
            }

            /// The result when no check could run, for `status`.
            public init(model: String, skipped status: CheckStatus) {
                self.model = model
                self.skipped = status
            }

            /// The status: the report's, or why no check ran.
            public var status: CheckStatus { report?.status ?? skipped ?? .ok }

            enum CodingKeys: String, CodingKey {
                case model, check, status, window
            }

            /// Reads the report's keys when the result has them (`window` is always there).
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                model = try c.decode(String.self, forKey: .model)
                check = try c.decodeIfPresent(Int.self, forKey: .check)
                if c.contains(.window) {
                    report = try MonitoringReport(from: decoder)
                } else {
                    skipped = try c.decode(CheckStatus.self, forKey: .status)
                }
            }

            /// The report's keys, then `check` and `model`; only `status` and `model` without one.
            public func encode(to encoder: any Encoder) throws {
                if let report { try report.encode(to: encoder) }
                var c = encoder.container(keyedBy: CodingKeys.self)
                if report == nil { try c.encode(status, forKey: .status) }
                try c.encodeIfPresent(check, forKey: .check)
                try c.encode(model, forKey: .model)
            }
        }
    }

    /// `monitor-all`: runs the monitoring checks for every production model.
    public enum MonitorAll: JobKindDeclaration {
        public static let kind = JobKind.monitorAll
        public static let modelRule = ModelRequirement.forbidden
        public static let summary = "runs the monitoring checks for every model in production"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        /// Every production model's check, in the order of the models.
        public struct Result: Codable, Sendable, Equatable {
            /// One summary per model with a production version.
            public var models: [ModelCheck]
            /// How many.
            public var count: Int

            /// The result listing `models`.
            public init(models: [ModelCheck]) {
                self.models = models
                count = models.count
            }
        }

        /// One model's check: the model, its production version and the check's summary
        /// (its keys beside `model` and `version`).
        public struct ModelCheck: Codable, Sendable, Equatable {
            /// The model and its production version.
            public var model: String
            public var version: String
            /// The check.
            public var summary: CheckSummary

            /// The check `summary` of `model` at `version`.
            public init(model: String, version: String, summary: CheckSummary) {
                self.model = model
                self.version = version
                self.summary = summary
            }

            enum CodingKeys: String, CodingKey {
                case model, version
            }

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                model = try c.decode(String.self, forKey: .model)
                version = try c.decode(String.self, forKey: .version)
                summary = try CheckSummary(from: decoder)
            }

            public func encode(to encoder: any Encoder) throws {
                try summary.encode(to: encoder)
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(model, forKey: .model)
                try c.encode(version, forKey: .version)
            }
        }
    }

    /// `list-alerts`: open (and optionally resolved) alerts, newest first.
    public enum ListAlerts: JobKindDeclaration {
        public static let kind = JobKind.listAlerts
        public static let modelRule = ModelRequirement.optional
        public static let summary = "open (and optionally resolved) alerts, newest first"
        public static let schema = ObjectSchema([
            Field("include_resolved", .bool, default: false, doc: "list resolved alerts too"),
            Field("type", .string(.name), doc: "only alerts of this type (data_drift, equipment_change, …)"),
            Field("limit", .int(min: 1, max: 10_000), default: 100, doc: "the most alerts listed, newest first"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// List resolved alerts too.
            public var includeResolved: Bool
            /// Only alerts of this type.
            public var type: String?
            /// The most alerts listed.
            public var limit: Int

            /// Parameters; the defaults are the schema's.
            public init(includeResolved: Bool = false, type: String? = nil, limit: Int = 100) {
                self.includeResolved = includeResolved
                self.type = type
                self.limit = limit
            }

            enum CodingKeys: String, CodingKey {
                case includeResolved = "include_resolved"
                case type, limit
            }
        }

        /// The alerts listed, newest first.
        public struct Result: Codable, Sendable, Equatable {
            /// The alerts.
            public var alerts: [AlertDocument]
            /// How many.
            public var count: Int

            /// The result listing `alerts`.
            public init(alerts: [AlertDocument]) {
                self.alerts = alerts
                count = alerts.count
            }
        }
    }

    /// `acknowledge-alert`: marks an alert acknowledged.
    public enum AcknowledgeAlert: JobKindDeclaration {
        public static let kind = JobKind.acknowledgeAlert
        public static let modelRule = ModelRequirement.forbidden
        public static let summary = "marks an alert acknowledged (it stays open until its condition clears)"
        public static let schema = AlertSelection.schema
        public typealias Parameters = AlertSelection

        /// The alert as stored after the job; a note when it was acknowledged before.
        public struct Result: Codable, Sendable, Equatable {
            /// The alert.
            public var alert: AlertDocument
            /// Who acknowledged it before, and when (nothing changed then).
            public var note: String?

            /// The result showing `alert`.
            public init(alert: AlertDocument, note: String? = nil) {
                self.alert = alert
                self.note = note
            }
        }
    }

    /// `get-alert`: one alert, open or resolved, as its file in `alerts/` shows it.
    public enum GetAlert: JobKindDeclaration {
        public static let kind = JobKind.getAlert
        public static let modelRule = ModelRequirement.forbidden
        public static let summary = "one alert, open or resolved: its evidence, occurrences and who acknowledged it"
        public static let schema = AlertSelection.schema
        public typealias Parameters = AlertSelection

        /// The alert.
        public struct Result: Codable, Sendable, Equatable {
            /// The alert as stored.
            public var alert: AlertDocument
            /// A result carrying `alert`.
            public init(alert: AlertDocument) { self.alert = alert }
        }
    }
}

/// The `params:` of a kind that acts on one alert (`acknowledge-alert`, `get-alert`).
public struct AlertSelection: Codable, Sendable, Equatable {
    /// The schema: the alert's id, required.
    public static let schema = ObjectSchema([
        Field("alert", .string(.any), required: true, doc: "the alert's id")
    ])

    /// The alert's id.
    public var alert: String

    /// Parameters naming `alert`.
    public init(alert: String) { self.alert = alert }
}

/// The formats a prediction or label file may have.
public enum DataFormat: String, Codable, Sendable, CaseIterable {
    /// Comma-separated values with a header row.
    case csv
    /// One JSON object per line.
    case jsonl
}

/// Where the records of `log-predictions` or `log-ground-truth` are: written inline in the
/// job, or in a file under a data root. The schema lets exactly one through.
public enum DataSource<Record: Codable & Sendable & Equatable>: Sendable, Equatable {
    /// The records inline (`records:` or `labels:`).
    case inline([Record])
    /// A file under a data root, in `format` (nil: from the file's extension).
    case file(String, format: DataFormat?)

    /// Reads the source from a `params:` mapping whose inline list is under `inlineKey`.
    init(from decoder: any Decoder, inlineKey: String) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        if let records = try container.decodeIfPresent([Record].self, forKey: AnyCodingKey(stringValue: inlineKey)) {
            self = .inline(records)
        } else {
            let path = try container.decode(String.self, forKey: AnyCodingKey(stringValue: "file"))
            self = .file(
                path,
                format: try container.decodeIfPresent(DataFormat.self, forKey: AnyCodingKey(stringValue: "format"))
            )
        }
    }

    /// Writes the source into a `params:` mapping, the inline list under `inlineKey`.
    func encode(to encoder: any Encoder, inlineKey: String) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .inline(let records): try container.encode(records, forKey: AnyCodingKey(stringValue: inlineKey))
        case .file(let path, let format):
            try container.encode(path, forKey: AnyCodingKey(stringValue: "file"))
            try container.encodeIfPresent(format, forKey: AnyCodingKey(stringValue: "format"))
        }
    }

    /// The parameter a refusal about the records points at.
    public func parameterName(inlineKey: String) -> String {
        if case .inline = self { return inlineKey }
        return "file"
    }
}
