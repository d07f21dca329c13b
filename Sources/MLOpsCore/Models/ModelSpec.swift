import Foundation

/// A model as `register-model` declares it: task, feature schema, target, segment
/// columns, metric, pipeline and policies.
///
/// It is the typed form of the validated `params` of a `register-model` job
/// (``Kinds/RegisterModel``), and what the store keeps per model. Coding keys are the
/// snake_case names of the job file so the stored JSON reads like the YAML a user wrote.
public struct ModelSpec: Sendable, Codable, Equatable {
    /// What the model predicts.
    public enum Task: String, Sendable, Codable, CaseIterable {
        /// Two classes.
        case binaryClassification = "binary_classification"
        /// More than two classes.
        case multiclassClassification = "multiclass_classification"
        /// A number.
        case regression

        /// Whether the model predicts classes (as opposed to a number).
        public var isClassification: Bool { self != .regression }

        /// The metrics that make sense for this task.
        public var metrics: [String] {
            isClassification ? ModelSpec.classificationMetrics : ModelSpec.regressionMetrics
        }

        /// The metric used when the job names none.
        public var defaultMetric: String { isClassification ? "accuracy" : "rmse" }
    }

    /// How a feature's values are compared and checked for drift.
    public enum FeatureType: String, Sendable, Codable, CaseIterable {
        /// Numbers; drift by Kolmogorov–Smirnov.
        case numerical
        /// Categories; drift by chi-square.
        case categorical
    }

    /// One input column of the model.
    public struct Feature: Sendable, Codable, Equatable {
        /// The column name.
        public var name: String
        /// Numerical or categorical.
        public var type: FeatureType
        /// Known categories (categorical features only).
        public var values: [String]?
        /// Smallest plausible value (numerical features only).
        public var min: Double?
        /// Largest plausible value (numerical features only).
        public var max: Double?

        /// A feature with optional categories or bounds.
        public init(name: String, type: FeatureType, values: [String]? = nil, min: Double? = nil, max: Double? = nil) {
            self.name = name
            self.type = type
            self.values = values
            self.min = min
            self.max = max
        }
    }

    /// Columns that tell where a prediction came from, monitored for change on their own.
    public struct Segments: Sendable, Codable, Equatable {
        /// Equipment columns (scanner model, site, device).
        public var equipment: [String]
        /// Population columns (age band, sex, region).
        public var population: [String]

        /// Segment columns; both lists may be empty.
        public init(equipment: [String] = [], population: [String] = []) {
            self.equipment = equipment
            self.population = population
        }
    }

    /// Gates for promoting a new version to production.
    public struct Promotion: Sendable, Codable, Equatable {
        /// The new version's metric must reach this, when set.
        public var minMetric: Double?
        /// The new version may be at most this much worse than production, when set.
        public var maxMetricDrop: Double?
        /// Whether an A/B test must have been won first.
        public var requireABTest: Bool

        /// Promotion gates; by default none but the pipeline's own.
        public init(minMetric: Double? = nil, maxMetricDrop: Double? = nil, requireABTest: Bool = false) {
            self.minMetric = minMetric
            self.maxMetricDrop = maxMetricDrop
            self.requireABTest = requireABTest
        }

        enum CodingKeys: String, CodingKey {
            case minMetric = "min_metric"
            case maxMetricDrop = "max_metric_drop"
            case requireABTest = "require_ab_test"
        }
    }

    /// What `archive-versions` does with the artifact of a version it archives.
    public enum ArchivedArtifacts: String, Sendable, Codable, CaseIterable {
        /// Keep the files: an archived version can still be inspected or re-created.
        case keep
        /// Delete the stored files (unless another version still uses the same artifact).
        case delete
    }

    /// Monitoring, retraining and retention policy of one model.
    public struct Policy: Sendable, Codable, Equatable {
        /// Predictions in the monitoring window.
        public var windowSize: Int
        /// Fewest samples before a drift test is trusted.
        public var minSamples: Int
        /// Run the checks every this many logged predictions.
        public var checkEveryPredictions: Int
        /// Significance level of the drift tests.
        public var driftAlpha: Double
        /// Consecutive drifting checks before an alert.
        public var driftConfirmations: Int
        /// Versions kept before older ones are archived.
        public var keepVersions: Int
        /// Hours between automatic retrainings.
        public var cooldownHours: Double
        /// What archiving does with a version's stored artifact.
        public var archivedArtifacts: ArchivedArtifacts
        /// Promotion gates.
        public var promotion: Promotion

        /// A policy; the defaults are those a job gets when it names none.
        public init(
            windowSize: Int = 1000,
            minSamples: Int = 200,
            checkEveryPredictions: Int = 100,
            driftAlpha: Double = 0.01,
            driftConfirmations: Int = 2,
            keepVersions: Int = 5,
            cooldownHours: Double = 24,
            archivedArtifacts: ArchivedArtifacts = .keep,
            promotion: Promotion = Promotion()
        ) {
            self.windowSize = windowSize
            self.minSamples = minSamples
            self.checkEveryPredictions = checkEveryPredictions
            self.driftAlpha = driftAlpha
            self.driftConfirmations = driftConfirmations
            self.keepVersions = keepVersions
            self.cooldownHours = cooldownHours
            self.archivedArtifacts = archivedArtifacts
            self.promotion = promotion
        }

        /// Decodes a stored policy; specs stored before `archived_artifacts` existed keep
        /// their artifacts.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            windowSize = try c.decode(Int.self, forKey: .windowSize)
            minSamples = try c.decode(Int.self, forKey: .minSamples)
            checkEveryPredictions = try c.decode(Int.self, forKey: .checkEveryPredictions)
            driftAlpha = try c.decode(Double.self, forKey: .driftAlpha)
            driftConfirmations = try c.decode(Int.self, forKey: .driftConfirmations)
            keepVersions = try c.decode(Int.self, forKey: .keepVersions)
            cooldownHours = try c.decode(Double.self, forKey: .cooldownHours)
            archivedArtifacts = try c.decodeIfPresent(ArchivedArtifacts.self, forKey: .archivedArtifacts) ?? .keep
            promotion = try c.decode(Promotion.self, forKey: .promotion)
        }

        enum CodingKeys: String, CodingKey {
            case windowSize = "window_size"
            case minSamples = "min_samples"
            case checkEveryPredictions = "check_every_predictions"
            case driftAlpha = "drift_alpha"
            case driftConfirmations = "drift_confirmations"
            case keepVersions = "keep_versions"
            case cooldownHours = "cooldown_hours"
            case archivedArtifacts = "archived_artifacts"
            case promotion
        }
    }

    /// Metrics for classification tasks.
    public static let classificationMetrics = ["accuracy", "f1", "precision", "recall", "roc_auc"]
    /// Metrics for regression tasks.
    public static let regressionMetrics = ["rmse", "mae", "r2"]

    /// What the model predicts.
    public var task: Task
    /// The input columns.
    public var features: [Feature]
    /// The label column.
    public var target: String
    /// The class labels (classification only), when declared.
    public var classes: [String]?
    /// Segment columns.
    public var segments: Segments
    /// The metric that decides promotions and decay.
    public var metric: String
    /// The name of the pipeline definition (`/etc/mlopsd/pipelines/<name>.yaml`).
    public var pipeline: String
    /// Free text for humans.
    public var description: String?
    /// Who to ask about the model.
    public var owner: String?
    /// Monitoring and retraining policy.
    public var policy: Policy

    /// A model spec; `metric` defaults to the task's default metric.
    public init(
        task: Task,
        features: [Feature],
        target: String,
        classes: [String]? = nil,
        segments: Segments = Segments(),
        metric: String? = nil,
        pipeline: String = "default",
        description: String? = nil,
        owner: String? = nil,
        policy: Policy = Policy()
    ) {
        self.task = task
        self.features = features
        self.target = target
        self.classes = classes
        self.segments = segments
        self.metric = metric ?? task.defaultMetric
        self.pipeline = pipeline
        self.description = description
        self.owner = owner
        self.policy = policy
    }

    /// All segment columns, equipment first.
    public var segmentFields: [String] { segments.equipment + segments.population }

    /// The names of the feature columns.
    public var featureNames: [String] { features.map(\.name) }

    /// Every column a data file for this model must carry: features, target, segments.
    public var allColumns: [String] { featureNames + [target] + segmentFields }

    /// Decodes validated `register-model` params (the output of ``Kinds/RegisterModel``),
    /// filling in the task's default metric when none was given.
    public static func decode(from params: JSONValue) throws -> ModelSpec {
        var value = params
        if case .object(var dict) = params, dict["metric"] == nil || dict["metric"] == .null,
            let task = dict["task"]?.stringValue.flatMap(Task.init(rawValue:))
        {
            dict["metric"] = .string(task.defaultMetric)
            value = .object(dict)
        }
        return try JSONValueDecoder().decode(ModelSpec.self, from: value)
    }
}
