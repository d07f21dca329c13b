/// The schema of a model spec (`register-model`'s params) and its cross-field rules.
///
/// The schema checks each field on its own; `check` closures then enforce what spans
/// fields (unique feature names, target not a feature, metric fits the task, …) and
/// point at the offending node by walking the ``YAMLNode``.
public enum ModelSpecSchema {
    /// The tasks a model may have.
    public static let tasks = ModelSpec.Task.allCases.map(\.rawValue)

    /// The params schema of `register-model`.
    public static let params = ObjectSchema(
        [
            Field("task", .oneOf(tasks), required: true, doc: "what the model predicts"),
            Field(
                "features",
                .list(.object(feature), minCount: 1, maxCount: 1000),
                required: true,
                doc: "the input columns, each with a name and a type"
            ),
            Field("target", .string(.column), required: true, doc: "the label column"),
            Field(
                "classes",
                .list(.string(.any), minCount: 2, maxCount: 10_000),
                doc: "class labels; classification only; exactly 2 for binary_classification"
            ),
            Field(
                "segments",
                .object(segments),
                default: ["equipment": [], "population": []],
                doc: "columns that tell equipment and population apart"
            ),
            Field(
                "metric",
                .oneOf(ModelSpec.classificationMetrics + ModelSpec.regressionMetrics),
                doc: "the metric for promotion and decay; default accuracy (classification) or rmse (regression)"
            ),
            Field("pipeline", .string(.name), default: "default", doc: "the pipeline definition to run"),
            Field("description", .string(.maxLength(2000)), doc: "free text for humans"),
            Field("owner", .string(.maxLength(200)), doc: "who to ask about the model"),
            Field(
                "policy",
                .object(policy),
                default: policyDefault,
                doc: "monitoring, retraining and retention policy"
            ),
        ],
        check: checkSpec
    )

    /// The schema of one feature.
    public static let feature = ObjectSchema(
        [
            Field("name", .string(.column), required: true, doc: "the column name"),
            Field(
                "type",
                .oneOf(ModelSpec.FeatureType.allCases.map(\.rawValue)),
                required: true,
                doc: "numerical or categorical"
            ),
            Field(
                "values",
                .list(.string(.any), minCount: 1, maxCount: 100_000),
                doc: "known categories (categorical only)"
            ),
            Field("min", .double(), doc: "smallest plausible value (numerical only)"),
            Field("max", .double(), doc: "largest plausible value (numerical only)"),
        ],
        check: checkFeature
    )

    /// The schema of `segments`.
    public static let segments = ObjectSchema([
        Field("equipment", .list(.string(.column), maxCount: 100), default: [], doc: "equipment columns"),
        Field("population", .list(.string(.column), maxCount: 100), default: [], doc: "population columns"),
    ])

    /// The schema of `policy.promotion`.
    public static let promotion = ObjectSchema([
        Field("min_metric", .double(), doc: "the metric a new version must reach"),
        Field("max_metric_drop", .double(min: 0), doc: "how much worse than production a new version may be"),
        Field("require_ab_test", .bool, default: false, doc: "whether an A/B test must be won first"),
    ])

    /// The schema of `policy`.
    public static let policy = ObjectSchema(
        [
            Field(
                "window_size",
                .int(min: 10, max: 1_000_000),
                default: 1000,
                doc: "predictions in the monitoring window"
            ),
            Field(
                "min_samples",
                .int(min: 10, max: 1_000_000),
                default: 200,
                doc: "fewest samples before drift is judged; at most window_size"
            ),
            Field(
                "check_every_predictions",
                .int(min: 1, max: 1_000_000),
                default: 100,
                doc: "check every this many predictions"
            ),
            Field(
                "drift_alpha",
                .double(min: 0, max: 0.5),
                default: 0.01,
                doc: "significance level of drift tests, in (0, 0.5]"
            ),
            Field(
                "drift_confirmations",
                .int(min: 1, max: 100),
                default: 2,
                doc: "drifting checks in a row before an alert"
            ),
            Field("keep_versions", .int(min: 1, max: 1000), default: 5, doc: "versions kept before archiving"),
            Field("cooldown_hours", .double(min: 0), default: 24, doc: "hours between automatic retrainings"),
            Field(
                "archived_artifacts",
                .oneOf(ModelSpec.ArchivedArtifacts.allCases.map(\.rawValue)),
                default: "keep",
                doc: "what archive-versions does with an archived version's stored files: keep or delete"
            ),
            Field("promotion", .object(promotion), default: ["require_ab_test": false], doc: "promotion gates"),
        ],
        check: checkPolicy
    )

    /// The value of `policy` when the job gives none.
    public static let policyDefault: JSONValue = [
        "window_size": 1000, "min_samples": 200, "check_every_predictions": 100, "drift_alpha": 0.01,
        "drift_confirmations": 2, "keep_versions": 5, "cooldown_hours": 24.0, "archived_artifacts": "keep",
        "promotion": ["require_ab_test": false],
    ]

    // MARK: - Cross-field rules

    static func invalid(_ message: String, _ node: YAMLNode?, _ fallback: YAMLNode, fix: String? = nil) -> JobError {
        JobError(.invalidValue, message, at: (node ?? fallback).mark, fix: fix)
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.stringValue)
    }

    @Sendable static func checkFeature(_ value: JSONValue, _ node: YAMLNode) -> [JobError] {
        var errors: [JobError] = []
        let type = value["type"]?.stringValue
        if type == "numerical", value["values"] != nil {
            errors.append(
                invalid(
                    "values: lists categories, which only categorical features have",
                    node.pair("values")?.key,
                    node,
                    fix: "remove `values:` or make the feature categorical"
                )
            )
        }
        if type == "categorical" {
            for key in ["min", "max"] where value[key] != nil {
                errors.append(
                    invalid(
                        "\(key): only applies to numerical features",
                        node.pair(key)?.key,
                        node,
                        fix: "remove `\(key):` or make the feature numerical"
                    )
                )
            }
            let values = strings(value["values"])
            if let dup = firstDuplicate(values) {
                errors.append(invalid("category `\(values[dup])` is listed twice", node["values"]?[dup], node))
            }
        }
        if let lo = value["min"]?.doubleValue, let hi = value["max"]?.doubleValue, hi < lo {
            errors.append(invalid("max (\(hi)) must be at least min (\(lo))", node["max"], node))
        }
        return errors
    }

    @Sendable static func checkPolicy(_ value: JSONValue, _ node: YAMLNode) -> [JobError] {
        var errors: [JobError] = []
        if let alpha = value["drift_alpha"]?.doubleValue, alpha <= 0 {
            errors.append(invalid("drift_alpha must be greater than 0", node["drift_alpha"], node))
        }
        if let window = value["window_size"]?.intValue, let minSamples = value["min_samples"]?.intValue,
            minSamples > window
        {
            errors.append(
                invalid(
                    "min_samples (\(minSamples)) must be at most window_size (\(window))",
                    node["min_samples"] ?? node["window_size"],
                    node,
                    fix: "lower min_samples or raise window_size"
                )
            )
        }
        return errors
    }

    @Sendable static func checkSpec(_ value: JSONValue, _ node: YAMLNode) -> [JobError] {
        var errors: [JobError] = []
        let task = value["task"]?.stringValue.flatMap(ModelSpec.Task.init(rawValue:))
        let featureNodes: [YAMLNode]
        if case .sequence(let items)? = node["features"]?.content { featureNodes = items } else { featureNodes = [] }
        var features: [String] = []
        if case .array(let items)? = value["features"] {
            for (i, item) in items.enumerated() {
                guard let name = item["name"]?.stringValue else { continue }
                if features.contains(name) {
                    let at = featureNodes.indices.contains(i) ? featureNodes[i]["name"] : nil
                    errors.append(
                        invalid(
                            "feature `\(name)` is declared twice",
                            at,
                            node,
                            fix: "feature names must be unique"
                        )
                    )
                }
                features.append(name)
            }
        }
        let target = value["target"]?.stringValue ?? ""
        if features.contains(target) {
            errors.append(
                invalid(
                    "target `\(target)` is also a feature",
                    node["target"],
                    node,
                    fix: "the label column cannot be an input; remove it from features"
                )
            )
        }

        // Segments: not features, not the target, unique across equipment and population.
        var seen: Set<String> = []
        for group in ["equipment", "population"] {
            let names = strings(value["segments"]?[group])
            for (i, name) in names.enumerated() {
                let at = node["segments"]?[group]?[i]
                if features.contains(name) {
                    errors.append(
                        invalid(
                            "segment column `\(name)` is also a feature",
                            at,
                            node,
                            fix: "segment columns describe where a prediction came from; they cannot be inputs"
                        )
                    )
                } else if name == target {
                    errors.append(invalid("segment column `\(name)` is the target", at, node))
                } else if seen.contains(name) {
                    errors.append(
                        invalid(
                            "segment column `\(name)` is listed twice",
                            at,
                            node,
                            fix: "list each segment column once, under equipment or population"
                        )
                    )
                }
                seen.insert(name)
            }
        }

        // Classes: classification only, unique, exactly 2 for binary.
        if value["classes"] != nil, let task {
            let classes = strings(value["classes"])
            let at = node["classes"]
            if !task.isClassification {
                errors.append(
                    invalid(
                        "classes: applies to classification tasks, not \(task.rawValue)",
                        node.pair("classes")?.key,
                        node,
                        fix: "remove `classes:`"
                    )
                )
            } else if let dup = firstDuplicate(classes) {
                errors.append(invalid("class `\(classes[dup])` is listed twice", at?[dup] ?? at, node))
            } else if task == .binaryClassification, classes.count != 2 {
                errors.append(
                    invalid(
                        "binary_classification needs exactly 2 classes, not \(classes.count)",
                        at,
                        node,
                        fix: "use multiclass_classification for more than two classes"
                    )
                )
            }
        }

        // Metric fits the task.
        if let metric = value["metric"]?.stringValue, let task, !task.metrics.contains(metric) {
            errors.append(
                invalid(
                    "metric `\(metric)` does not fit task \(task.rawValue)",
                    node["metric"],
                    node,
                    fix: "use one of " + task.metrics.joined(separator: ", ")
                )
            )
        }
        return errors
    }

    static func firstDuplicate(_ items: [String]) -> Int? {
        var seen: Set<String> = []
        for (i, item) in items.enumerated() {
            if !seen.insert(item).inserted { return i }
        }
        return nil
    }
}

extension Kinds {
    /// `register-model`: declares a model (task, features, target, segments, metric,
    /// pipeline, policies), or updates its declaration.
    public enum RegisterModel: JobKindDeclaration {
        public static let kind = JobKind.registerModel
        public static let modelRule = ModelRequirement.unregistered
        public static let summary =
            "declares a model: task, feature schema, target, segment columns, metric, pipeline and policies"
        public static let schema = ModelSpecSchema.params

        /// The parameters are the model spec itself.
        public typealias Parameters = ModelSpec

        /// The spec, with the task's default metric filled in when none was given.
        public static func decodeParameters(_ params: JSONValue) throws -> ModelSpec {
            try ModelSpec.decode(from: params)
        }

        /// What registering did.
        public struct Result: Codable, Sendable, Equatable {
            /// The model.
            public var model: String
            /// The spec's revision: 1 when created, one more per update.
            public var revision: Int
            /// `created`, `updated` or `unchanged`.
            public var change: String
            /// The spec as the job gave it, after validation (free-form echo).
            public var spec: JSONValue

            /// A result.
            public init(model: String, revision: Int, change: String, spec: JSONValue) {
                self.model = model
                self.revision = revision
                self.change = change
                self.spec = spec
            }
        }
    }
}
