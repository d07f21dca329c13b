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
                return [JobError(.invalidValue, hasInline ? "give `\(inline)` or `file`, not both" : "give `\(inline)` (inline) or `file` (a CSV or JSONL file under a data root)",
                                 at: (node.pair("file")?.key ?? node.pair(inline)?.key ?? node).mark)]
            }
            if value["format"] != nil, value["format"] != .null, !hasFile {
                return [JobError(.invalidValue, "`format` applies to `file` only", at: node.pair("format")?.key.mark ?? node.mark)]
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
        public static let schema = ObjectSchema([
            Field("records", .list(.any, minCount: 1, maxCount: MonitoringKinds.maxInlineRecords),
                  doc: "predictions inline: each with id, prediction, the features and segments, optionally timestamp, score, probabilities, variant, label"),
            Field("file", .string(.path), doc: "a CSV (with a header) or JSONL file of predictions under a data root"),
            Field("format", .oneOf(MonitoringKinds.formats), doc: "csv or jsonl; default from the file's extension"),
            Field("version", .string(RegistryKinds.versionText), doc: "the version that made the predictions; default the production version"),
        ], check: MonitoringKinds.exactlyOneSource("records"))

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

        public typealias Result = JSONValue
    }

    /// `log-ground-truth`: joins true labels to logged predictions by id.
    public enum LogGroundTruth: JobKindDeclaration {
        public static let kind = JobKind.logGroundTruth
        public static let modelRule = ModelRequirement.registered
        public static let summary = "joins true labels to logged predictions by id; unknown ids are reported"
        public static let schema = ObjectSchema([
            Field("labels", .list(.object(ObjectSchema([
                Field("id", .string(.any), required: true, doc: "the prediction's id"),
                Field("label", .string(.any), required: true, doc: "the true class (or value)"),
            ])), minCount: 1, maxCount: MonitoringKinds.maxInlineRecords), doc: "labels inline: each with the prediction's id and the label"),
            Field("file", .string(.path), doc: "a CSV (header id,label) or JSONL file of labels under a data root"),
            Field("format", .oneOf(MonitoringKinds.formats), doc: "csv or jsonl; default from the file's extension"),
        ], check: MonitoringKinds.exactlyOneSource("labels"))

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

        public typealias Result = JSONValue
    }

    /// `monitor-model`: runs the monitoring checks for one model now.
    public enum MonitorModel: JobKindDeclaration {
        public static let kind = JobKind.monitorModel
        public static let modelRule = ModelRequirement.registered
        public static let summary = "runs the monitoring checks for one model now and returns the report"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        public typealias Result = JSONValue
    }

    /// `monitor-all`: runs the monitoring checks for every production model.
    public enum MonitorAll: JobKindDeclaration {
        public static let kind = JobKind.monitorAll
        public static let modelRule = ModelRequirement.forbidden
        public static let summary = "runs the monitoring checks for every model in production"
        public static let schema = ObjectSchema([])
        public typealias Parameters = NoParameters
        public typealias Result = JSONValue
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

        public typealias Result = JSONValue
    }

    /// `acknowledge-alert`: marks an alert acknowledged.
    public enum AcknowledgeAlert: JobKindDeclaration {
        public static let kind = JobKind.acknowledgeAlert
        public static let modelRule = ModelRequirement.forbidden
        public static let summary = "marks an alert acknowledged (it stays open until its condition clears)"
        public static let schema = ObjectSchema([
            Field("alert", .string(.any), required: true, doc: "the alert's id"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The alert's id.
            public var alert: String
            /// Parameters acknowledging `alert`.
            public init(alert: String) { self.alert = alert }
        }

        public typealias Result = JSONValue
    }
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
            self = .file(path, format: try container.decodeIfPresent(DataFormat.self, forKey: AnyCodingKey(stringValue: "format")))
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
