import Foundation
import GRDB
import MLOpsCore

/// One model version as the store keeps it (a row of `versions`).
public struct VersionRecord: Sendable, Equatable {
    public var model: String
    public var version: String
    /// Creation order within the model.
    public var sequence: Int
    public var state: VersionState
    public var artifactSHA256: String
    public var modelSHA256: String
    /// Whether archiving deleted the stored files.
    public var artifactRemoved: Bool
    /// ``FeatureSchema/fingerprint`` at creation.
    public var schema: String
    /// `initial` (the first version), `schema`, `retrain`, `metadata` (derived) or `explicit`.
    public var change: String
    public var parentVersion: String?
    public var trainingData: String?
    public var trainingDataSHA256: String?
    public var runID: String?
    public var parameters: JSONValue
    public var metrics: JSONValue
    /// The model metric's value from `metrics.json`.
    public var metricValue: Double?
    /// The reference data file inside the artifact.
    public var referenceFile: String
    public var referenceRows: Int
    public var description: String?
    /// Whether the version won an A/B test against production (nil: none ran).
    public var abTestWon: Bool?
    public var createdAt: String
    public var createdBy: String
    public var jobID: String?
    public var stateChangedAt: String

    static func json(_ text: String?) -> JSONValue {
        guard let text else { return .null }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    /// The parsed semantic version (every stored version parses; created ones were checked).
    public var semanticVersion: SemanticVersion? { SemanticVersion(version) }

    /// The version as results and `list-versions` show it; `artifactPath` is where the
    /// stored copy lies (nil: unknown), written as `null` once the files were removed.
    public func document(artifactPath: String?) -> VersionDocument {
        VersionDocument(
            version: version,
            state: state,
            sequence: sequence,
            artifact: .init(
                sha256: artifactSHA256,
                modelSHA256: modelSHA256,
                path: artifactRemoved ? nil : artifactPath,
                removed: artifactRemoved
            ),
            change: change,
            metrics: metrics,
            parameters: parameters,
            reference: .init(file: referenceFile, rows: referenceRows),
            createdAt: createdAt,
            createdBy: createdBy,
            stateChangedAt: stateChangedAt,
            metricValue: metricValue,
            lineage: .init(
                parentVersion: parentVersion,
                trainingData: trainingData,
                trainingDataSHA256: trainingDataSHA256,
                runID: runID,
                job: jobID
            ),
            description: description,
            abTestWon: abTestWon
        )
    }
}

extension VersionRecord: FetchableRecord {
    /// The version in `row` of `versions`.
    public init(row: Row) {
        model = row["model"]
        version = row["version"]
        sequence = row["sequence"]
        state = VersionState(rawValue: row["state"] ?? "") ?? .registered
        artifactSHA256 = row["artifact_sha256"]
        modelSHA256 = row["model_sha256"]
        artifactRemoved = (row["artifact_removed"] as Int?) == 1
        schema = row["schema"]
        change = row["change"]
        parentVersion = row["parent_version"]
        trainingData = row["training_data"]
        trainingDataSHA256 = row["training_data_sha256"]
        runID = row["run_id"]
        parameters = Self.json(row["parameters"])
        metrics = Self.json(row["metrics"])
        metricValue = row["metric_value"]
        referenceFile = row["reference_file"]
        referenceRows = row["reference_rows"]
        description = row["description"]
        abTestWon = (row["ab_test_won"] as Int?).map { $0 != 0 }
        createdAt = row["created_at"]
        createdBy = row["created_by"]
        jobID = row["job_id"]
        stateChangedAt = row["state_changed_at"]
    }
}

/// One stint of a version in production (a row of `production_history`).
public struct ProductionStint: Sendable, Equatable, FetchableRecord {
    public var model: String
    public var version: String
    public var from: String
    /// Nil while it is the current production version.
    public var until: String?
    /// `promote` or `rollback`.
    public var action: String
    public var forced: Bool
    public var actor: String
    public var jobID: String?
    public var reason: String?

    /// A stint (the one a deployment is about to start).
    public init(
        model: String,
        version: String,
        from: String,
        until: String? = nil,
        action: String,
        forced: Bool,
        actor: String,
        jobID: String?,
        reason: String?
    ) {
        self.model = model
        self.version = version
        self.from = from
        self.until = until
        self.action = action
        self.forced = forced
        self.actor = actor
        self.jobID = jobID
        self.reason = reason
    }

    /// The stint in `row` of `production_history`.
    public init(row: Row) {
        model = row["model"]
        version = row["version"]
        from = row["from_at"]
        until = row["until_at"]
        action = row["action"]
        forced = (row["forced"] as Int?) == 1
        actor = row["actor"]
        jobID = row["job_id"]
        reason = row["reason"]
    }

    /// The stint as results show it.
    public var document: ProductionStintDocument {
        ProductionStintDocument(
            version: version,
            from: from,
            until: until,
            action: action,
            forced: forced,
            by: actor,
            job: jobID,
            reason: reason
        )
    }
}
