import Foundation
import GRDB
import Logging
import MLOpsCore

/// `create-version`: stores an artifact directory once by SHA-256, checks its metrics and
/// reference data against the model, and adds a version with its lineage.
///
/// The artifact is copied into the store before it is checked, so what is checked is what
/// is kept (the submitter cannot change a file between the check and the copy). A refused
/// artifact that was not stored before is deleted again.
extension Kinds.CreateVersion: JobHandling {

    /// Largest metrics.json / schema.json read.
    static let maxMetadataBytes = 1 << 20

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let registry = try context.requireRegistry()
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let params = job.parameters
        let existing = try VersionStore.versions(db, model: model)

        // Checks that need no files first: an explicit version, the parent.
        var explicit: SemanticVersion?
        if let text = params.version {
            if let problem = VersionRule.problem(withExplicit: text, existing: existing.compactMap(\.semanticVersion)) {
                return .rejected(JobError(.conflict, problem, at: job.mark(ofParam: "version"),
                                          fix: "choose a version no other version of \(model) has, or leave `version:` out"))
            }
            explicit = SemanticVersion(text)
        }
        let production = try VersionStore.production(db, model: model)
        var parent = production?.version
        if let named = params.parent {
            guard existing.contains(where: { $0.version == named }) else {
                return .rejected(VersionStore.unknownVersion(named, of: model, among: existing, at: job.mark(ofParam: "parent")))
            }
            parent = named
        }

        // The artifact directory, after resolving links, must lie under a data root.
        let artifactText = params.artifact
        for (key, value) in [("artifact", params.artifact), ("training_data", params.trainingData)] {
            if let path = value, !path.hasPrefix("/") {
                return .rejected(JobError(.badArtifact, "\(key) must be an absolute path, not `\(path)`", at: job.mark(ofParam: key),
                                          fix: "write the full path under one of: " + context.config.dataRoots.joined(separator: ", ")))
            }
        }
        let source: String
        do {
            source = try ArtifactStore.resolveInside(artifactText, roots: context.config.dataRoots)
        } catch {
            return .rejected(JobError(.badArtifact, "\(error)", at: job.mark(ofParam: "artifact"),
                                      fix: "put the artifact directory under one of: " + context.config.dataRoots.joined(separator: ", ")))
        }
        do {
            try SubmitterAccess.check(source, uid: context.submitterUID, what: "artifact", mark: job.mark(ofParam: "artifact"))
        } catch {
            return .rejected(error)
        }
        var trainingData: (path: String, sha256: String)?
        if let text = params.trainingData {
            do {
                let path = try ArtifactStore.resolveInside(text, roots: context.config.dataRoots)
                try SubmitterAccess.check(path, uid: context.submitterUID, what: "training_data")
                trainingData = (path, try RegistryFiles.sha256(path))
            } catch let error as JobError {
                return .rejected(JobError(.badArtifact, error.message, at: job.mark(ofParam: "training_data")))
            } catch {
                return .rejected(JobError(.badArtifact, "\(error)", at: job.mark(ofParam: "training_data"),
                                          fix: "name a file under one of: " + context.config.dataRoots.joined(separator: ", ")))
            }
        }
        let referenceName = params.reference
        guard RegistryFiles.isContained(referenceName) else {
            return .rejected(JobError(.invalidValue, "reference must be a path inside the artifact directory, not `\(referenceName)`",
                                      at: job.mark(ofParam: "reference"), fix: "give the file's path relative to the artifact directory"))
        }

        let stored: StoredArtifact
        do {
            stored = try registry.artifacts.ingest(directory: source)
        } catch {
            // A full or failing disk is no fault of the job: roll back and retry it.
            if case .io(let systemError) = error, let storage = StorageFailure.from(systemError) { throw storage }
            return .rejected(JobError(.badArtifact, "\(error)", at: job.mark(ofParam: "artifact")))
        }
        let checked = Self.check(stored: stored, spec: spec, referenceName: referenceName, job: job)
        let metrics: (all: JSONValue, value: Double)
        let reference: ReferenceData.Summary
        switch checked {
        case .failure(let error):
            if !stored.reused { try? registry.artifacts.remove(stored.sha256) }
            return .rejected(error)
        case .success(let value):
            (metrics, reference) = value
        }

        // The version: given, or derived from the newest existing one.
        let schema = FeatureSchema(spec).fingerprint
        let latest = existing.filter { $0.semanticVersion != nil }.max { ($0.semanticVersion ?? VersionRule.first) < ($1.semanticVersion ?? VersionRule.first) }
        let change = VersionRule.change(previousSchema: latest?.schema, schema: schema,
                                        previousArtifact: latest?.modelSHA256, artifact: stored.modelSHA256)
        let version = explicit ?? VersionRule.next(after: latest?.semanticVersion, change: change)
        // What the store and the result call the change: the first version is `initial`.
        let changeText = explicit != nil ? "explicit" : (latest == nil ? "initial" : change.rawValue)
        let state: VersionState = params.stage ? .staging : .registered
        let now = Timestamp.string(context.now)
        let sequence = (try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM versions WHERE model = ?",
                                         arguments: [model])) ?? 1
        try db.execute(
            sql: """
                INSERT INTO versions (model, version, sequence, state, artifact_sha256, model_sha256, schema, change,
                    parent_version, training_data, training_data_sha256, run_id, parameters, metrics, metric_value,
                    reference_file, reference_rows, description, created_at, created_by, job_id, state_changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                model, version.description, sequence, state.rawValue, stored.sha256, stored.modelSHA256, schema,
                changeText, parent, trainingData?.path, trainingData?.sha256,
                params.runID, JSONValue.object(params.parameters ?? [:]).storeText, metrics.all.storeText,
                metrics.value, referenceName, reference.rows, params.description, now,
                context.submittedBy, job.id, now,
            ])
        try db.execute(
            sql: "INSERT INTO version_events (model, version, from_state, to_state, at, actor, job_id, reason) VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
            arguments: [model, version.description, state.rawValue, now, context.submittedBy, job.id, job.reason])
        try AuditLog.record(
            db, action: "version.created", actor: context.submittedBy, actorUID: context.submitterUID, job: job.id, model: model,
            reason: job.reason,
            details: ["version": .string(version.description), "state": .string(state.rawValue), "artifact_sha256": .string(stored.sha256),
                      "change": .string(changeText)],
            at: context.now)
        guard let record = try VersionStore.version(db, model: model, version: version.description) else {
            throw JobError(.internalError, "the version just created is gone")
        }
        let logger = context.logger
        context.afterCommit.add {
            logger.info("created \(model) \(version) (\(record.change)) from \(source)",
                        metadata: ["event": LogEvent.versionCreated.metadataValue, "model": .string(model),
                                   "version": .string(version.description)])
        }
        var result = record.document(artifactPath: stored.path)
        if case .object(var dict) = result {
            dict["model"] = .string(model)
            dict["derived"] = .bool(explicit == nil)
            dict["artifact_reused"] = .bool(stored.reused)
            dict["ignored_columns"] = .array(reference.ignoredColumns.map(JSONValue.string))
            result = .object(dict)
        }
        return .succeeded(result)
    }

    /// Checks the stored copy: metrics.json, the reference data, an optional schema.json.
    static func check(stored: StoredArtifact, spec: ModelSpec, referenceName: String, job: Job<Self>)
        -> Swift.Result<((all: JSONValue, value: Double), ReferenceData.Summary), JobError>
    {
        let artifactMark = job.mark(ofParam: "artifact")
        do {
            guard let metricsData = try RegistryFiles.read(stored.path + "/metrics.json", limit: maxMetadataBytes) else {
                return .failure(JobError(.badArtifact, "the artifact directory has no metrics.json", at: artifactMark,
                                         fix: "write the version's metrics (at least `\(spec.metric)`) into metrics.json in the artifact directory"))
            }
            let metrics: (all: JSONValue, value: Double)
            switch VersionMetrics.parse(metricsData, metric: spec.metric) {
            case .failure(let problem): return .failure(JobError(.badArtifact, problem.description, at: artifactMark))
            case .success(let value): metrics = value
            }
            if let schemaData = try RegistryFiles.read(stored.path + "/schema.json", limit: maxMetadataBytes) {
                struct Declared: Decodable { var features: [FeatureSchema.Column] }
                guard let declared = try? JSONDecoder().decode(Declared.self, from: schemaData) else {
                    return .failure(JobError(.badArtifact, "schema.json must be {\"features\": [{\"name\": …, \"type\": \"numerical\"|\"categorical\"}, …]}",
                                             at: artifactMark))
                }
                let differences = FeatureSchema(spec).differences(from: declared.features)
                if !differences.isEmpty {
                    return .failure(JobError(.badArtifact, "schema mismatch: " + differences.joined(separator: "; "), at: artifactMark,
                                             fix: "train against the model's declared features, or re-register the model with the new schema first"))
                }
            }
            guard let referenceData = try RegistryFiles.read(stored.path + "/" + referenceName, limit: RegistryFiles.maxReferenceBytes) else {
                return .failure(JobError(.badArtifact, "the artifact directory has no reference data `\(referenceName)`",
                                         at: job.paramMarks["reference"] ?? artifactMark,
                                         fix: "add a CSV sample of the training inputs as \(referenceName), or name it with `reference:`"))
            }
            let table: CSVTable
            do {
                table = try CSVTable.parse(String(decoding: referenceData, as: UTF8.self))
            } catch {
                return .failure(JobError(.badArtifact, "\(referenceName): \(error)", at: job.paramMarks["reference"] ?? artifactMark))
            }
            switch ReferenceData.check(table, spec: spec, fileName: referenceName) {
            case .failure(let error):
                return .failure(JobError(.badArtifact, "schema mismatch: " + error.description, at: job.paramMarks["reference"] ?? artifactMark,
                                         fix: "the reference data needs every feature and segment column of the model with valid values"))
            case .success(let summary):
                return .success((metrics, summary))
            }
        } catch {
            return .failure(error)
        }
    }

}
