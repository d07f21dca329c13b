/// The parameter schemas of the monitoring job kinds (DESIGN §4, §8). They live in the core
/// so `mlopsctl validate` and the docs see the same rules as the daemon.
public enum MonitoringKinds {
    /// The most records one job may carry inline (a file may hold more).
    public static let maxInlineRecords = 100_000
    /// The most records one prediction or label file may hold.
    public static let maxFileRecords = 1_000_000

    static let formats = ["csv", "jsonl"]

    /// `log-predictions`.
    public static let logPredictions = KindSpec(
        kind: .logPredictions,
        params: ObjectSchema([
            Field("records", .list(.any, minCount: 1, maxCount: maxInlineRecords),
                  doc: "predictions inline: each with id, prediction, the features and segments, optionally timestamp, score, probabilities, variant, label"),
            Field("file", .string(.path), doc: "a CSV (with a header) or JSONL file of predictions under a data root"),
            Field("format", .oneOf(formats), doc: "csv or jsonl; default from the file's extension"),
            Field("version", .string(RegistryKinds.versionText), doc: "the version that made the predictions; default the production version"),
        ], check: exactlyOneSource("records")),
        summary: "ingests predictions (inline records or a CSV/JSONL file under a data root) for monitoring")

    /// `log-ground-truth`.
    public static let logGroundTruth = KindSpec(
        kind: .logGroundTruth,
        params: ObjectSchema([
            Field("labels", .list(.object(ObjectSchema([
                Field("id", .string(.any), required: true, doc: "the prediction's id"),
                Field("label", .string(.any), required: true, doc: "the true class (or value)"),
            ])), minCount: 1, maxCount: maxInlineRecords), doc: "labels inline: each with the prediction's id and the label"),
            Field("file", .string(.path), doc: "a CSV (header id,label) or JSONL file of labels under a data root"),
            Field("format", .oneOf(formats), doc: "csv or jsonl; default from the file's extension"),
        ], check: exactlyOneSource("labels")),
        summary: "joins true labels to logged predictions by id; unknown ids are reported")

    /// `monitor-model`.
    public static let monitorModel = KindSpec(
        kind: .monitorModel, params: ObjectSchema([]),
        summary: "runs the monitoring checks for one model now and returns the report")

    /// `monitor-all`.
    public static let monitorAll = KindSpec(
        kind: .monitorAll, params: ObjectSchema([]),
        summary: "runs the monitoring checks for every model in production")

    /// `list-alerts`.
    public static let listAlerts = KindSpec(
        kind: .listAlerts,
        params: ObjectSchema([
            Field("include_resolved", .bool, default: false, doc: "list resolved alerts too"),
            Field("type", .string(.name), doc: "only alerts of this type (data_drift, equipment_change, …)"),
            Field("limit", .int(min: 1, max: 10_000), default: 100, doc: "the most alerts listed, newest first"),
        ]),
        summary: "open (and optionally resolved) alerts, newest first")

    /// `acknowledge-alert`.
    public static let acknowledgeAlert = KindSpec(
        kind: .acknowledgeAlert,
        params: ObjectSchema([
            Field("alert", .string(.any), required: true, doc: "the alert's id"),
        ]),
        summary: "marks an alert acknowledged (it stays open until its condition clears)")

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
