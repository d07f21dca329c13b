import Foundation
import GRDB
import Glibc
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
        let existing = try VersionStore.versions(db, model: model)
        let named: Named
        switch try checkNames(job, model: model, existing: existing, db: db) {
        case .failure(let error): return .rejected(error)
        case .success(let value): named = value
        }
        let paths: Paths
        switch checkPaths(job, context: context) {
        case .failure(let error): return .rejected(error)
        case .success(let value): paths = value
        }
        let ingested: Ingested
        switch try ingest(
            job,
            source: paths.source,
            spec: spec,
            registry: registry,
            maxColumns: context.config.maxColumns,
            maxReferenceBytes: context.config.maxDataFileBytes
        ) {
        case .failure(let error): return .rejected(error)
        case .success(let value): ingested = value
        }
        let derived = derive(explicit: named.explicit, existing: existing, spec: spec, stored: ingested.stored)
        let record = try Self.record(
            job,
            context: context,
            db: db,
            model: model,
            named: named,
            paths: paths,
            ingested: ingested,
            derived: derived
        )
        return .succeeded(
            Result(
                document: record.document(artifactPath: ingested.stored.path),
                model: model,
                derived: named.explicit == nil,
                artifactReused: ingested.stored.reused,
                ignoredColumns: ingested.reference.ignoredColumns,
                referenceOutputs: ingested.reference.outputs
            )
        )
    }

    /// What the job names besides files: the version (nil: derived) and its parent.
    struct Named {
        var explicit: SemanticVersion?
        var parent: String?
    }

    /// Checks that need no files: an explicit version no other version has, a known parent
    /// (default: the production version).
    static func checkNames(
        _ job: Job<Self>,
        model: String,
        existing: [VersionRecord],
        db: Database
    ) throws
        -> Swift.Result<Named, JobError>
    {
        let params = job.parameters
        var explicit: SemanticVersion?
        if let text = params.version {
            if let problem = VersionRule.problem(withExplicit: text, existing: existing.compactMap(\.semanticVersion)) {
                return .failure(
                    JobError(
                        .conflict,
                        problem,
                        at: job.mark(ofParam: "version"),
                        fix: "choose a version no other version of \(model) has, or leave `version:` out"
                    )
                )
            }
            explicit = SemanticVersion(text)
        }
        var parent = try VersionStore.production(db, model: model)?.version
        if let named = params.parent {
            guard existing.contains(where: { $0.version == named }) else {
                return .failure(
                    VersionStore.unknownVersion(named, of: model, among: existing, at: job.mark(ofParam: "parent"))
                )
            }
            parent = named
        }
        return .success(Named(explicit: explicit, parent: parent))
    }

    /// The artifact directory and training data as resolved, and the reference's name.
    struct Paths {
        /// The artifact directory, links resolved, under a data root.
        var source: String
        /// The training data file and its SHA-256.
        var trainingData: (path: String, sha256: String)?
        /// The reference data inside the artifact directory.
        var referenceName: String
    }

    /// The artifact and training data paths: absolute, under a data root after resolving
    /// links, readable by the submitter; the reference a path inside the artifact.
    static func checkPaths(_ job: Job<Self>, context: JobContext) -> Swift.Result<Paths, JobError> {
        let params = job.parameters
        let roots = context.config.dataRoots.joined(separator: ", ")
        for (key, value) in [("artifact", params.artifact), ("training_data", params.trainingData)] {
            if let path = value, !path.hasPrefix("/") {
                return .failure(
                    JobError(
                        .badArtifact,
                        "\(key) must be an absolute path, not `\(path)`",
                        at: job.mark(ofParam: key),
                        fix: "write the full path under one of: " + roots
                    )
                )
            }
        }
        let source: String
        do {
            source = try ArtifactStore.resolveInside(params.artifact, roots: context.config.dataRoots)
        } catch {
            return .failure(
                JobError(
                    .badArtifact,
                    "\(error)",
                    at: job.mark(ofParam: "artifact"),
                    fix: "put the artifact directory under one of: " + roots
                )
            )
        }
        do {
            try SubmitterAccess.check(
                source,
                uid: context.submitterUID,
                what: "artifact",
                mark: job.mark(ofParam: "artifact")
            )
        } catch {
            return .failure(error)
        }
        var trainingData: (path: String, sha256: String)?
        if let text = params.trainingData {
            do {
                let path = try ArtifactStore.resolveInside(text, roots: context.config.dataRoots)
                try SubmitterAccess.check(path, uid: context.submitterUID, what: "training_data")
                trainingData = (path, try RegistryFiles.sha256(path))
            } catch let error as JobError {
                return .failure(JobError(.badArtifact, error.message, at: job.mark(ofParam: "training_data")))
            } catch {
                return .failure(
                    JobError(
                        .badArtifact,
                        "\(error)",
                        at: job.mark(ofParam: "training_data"),
                        fix: "name a file under one of: " + roots
                    )
                )
            }
        }
        let referenceName = params.reference
        guard RegistryFiles.isContained(referenceName) else {
            return .failure(
                JobError(
                    .invalidValue,
                    "reference must be a path inside the artifact directory, not `\(referenceName)`",
                    at: job.mark(ofParam: "reference"),
                    fix: "give the file's path relative to the artifact directory"
                )
            )
        }
        // Measured before the copy too, so that an oversized reference is refused at once
        // instead of being copied into the store first (the copy's own check stays the one
        // that counts: the file may change between the two).
        var info = stat()
        if lstat(source + "/" + referenceName, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
            let refusal = DataFileSizeLimit.refusal(
                file: referenceName,
                size: Int(info.st_size),
                limit: context.config.maxDataFileBytes
            )
        {
            return .failure(JobError(.tooLarge, refusal.message, at: job.mark(ofParam: "reference"), fix: refusal.fix))
        }
        return .success(Paths(source: source, trainingData: trainingData, referenceName: referenceName))
    }

    /// The stored artifact and what checking it found.
    struct Ingested {
        var stored: StoredArtifact
        var metrics: (all: JSONValue, value: Double)
        var reference: ReferenceData.Summary
        var referenceName: String
    }

    /// Copies the artifact into the store, then checks the copy (``check(stored:spec:referenceName:job:)``);
    /// a refused artifact that was not stored before is deleted again. A full or failing
    /// disk throws (no fault of the job: it is rolled back and retried).
    static func ingest(
        _ job: Job<Self>,
        source: String,
        spec: ModelSpec,
        registry: ModelRegistry,
        maxColumns: Int,
        maxReferenceBytes: Int
    ) throws
        -> Swift.Result<Ingested, JobError>
    {
        let referenceName = job.parameters.reference
        let stored: StoredArtifact
        do {
            stored = try registry.artifacts.ingest(directory: source)
        } catch {
            if case .io(let systemError) = error, let storage = StorageFailure.from(systemError) { throw storage }
            return .failure(JobError(.badArtifact, "\(error)", at: job.mark(ofParam: "artifact")))
        }
        switch Self.check(
            stored: stored,
            spec: spec,
            referenceName: referenceName,
            maxColumns: maxColumns,
            maxReferenceBytes: maxReferenceBytes,
            job: job
        ) {
        case .failure(let error):
            if !stored.reused { try? registry.artifacts.remove(stored.sha256) }
            return .failure(error)
        case .success(let (metrics, reference)):
            return .success(
                Ingested(stored: stored, metrics: metrics, reference: reference, referenceName: referenceName)
            )
        }
    }

    /// The version to create and how it came about.
    struct Derived {
        var version: SemanticVersion
        /// What the store and the result call the change: `explicit`, `initial` (the first
        /// version), else the derived change.
        var change: String
        /// ``FeatureSchema/fingerprint`` of the spec.
        var schema: String
    }

    /// The version: given, or derived from the newest existing one.
    static func derive(
        explicit: SemanticVersion?,
        existing: [VersionRecord],
        spec: ModelSpec,
        stored: StoredArtifact
    )
        -> Derived
    {
        let schema = FeatureSchema(spec).fingerprint
        let latest = existing.filter { $0.semanticVersion != nil }
            .max { ($0.semanticVersion ?? VersionRule.first) < ($1.semanticVersion ?? VersionRule.first) }
        let change = VersionRule.change(
            previousSchema: latest?.schema,
            schema: schema,
            previousArtifact: latest?.modelSHA256,
            artifact: stored.modelSHA256
        )
        let version = explicit ?? VersionRule.next(after: latest?.semanticVersion, change: change)
        let changeText = explicit != nil ? "explicit" : (latest == nil ? "initial" : change.rawValue)
        return Derived(version: version, change: changeText, schema: schema)
    }

    /// Records the version (``VersionStore/create(_:_:reason:)``) with its audit entry and,
    /// after the commit, a journal entry; returns it as stored.
    static func record(
        _ job: Job<Self>,
        context: JobContext,
        db: Database,
        model: String,
        named: Named,
        paths: Paths,
        ingested: Ingested,
        derived: Derived
    ) throws -> VersionRecord {
        let params = job.parameters
        let state: VersionState = params.stage ? .staging : .registered
        let now = Timestamp.string(context.now)
        let version = derived.version.description
        let record = try VersionStore.create(
            db,
            VersionRecord(
                model: model,
                version: version,
                sequence: 0,
                state: state,
                artifactSHA256: ingested.stored.sha256,
                modelSHA256: ingested.stored.modelSHA256,
                artifactRemoved: false,
                schema: derived.schema,
                change: derived.change,
                parentVersion: named.parent,
                trainingData: paths.trainingData?.path,
                trainingDataSHA256: paths.trainingData?.sha256,
                runID: params.runID,
                parameters: .object(params.parameters ?? [:]),
                metrics: ingested.metrics.all,
                metricValue: ingested.metrics.value,
                referenceFile: ingested.referenceName,
                referenceRows: ingested.reference.rows,
                description: params.description,
                abTestWon: nil,
                createdAt: now,
                createdBy: context.submittedBy,
                jobID: job.id,
                stateChangedAt: now
            ),
            reason: job.reason
        )
        try AuditLog.record(
            db,
            action: "version.created",
            actor: context.submittedBy,
            actorUID: context.submitterUID,
            job: job.id,
            model: model,
            reason: job.reason,
            details: [
                "version": .string(version), "state": .string(state.rawValue),
                "artifact_sha256": .string(ingested.stored.sha256), "change": .string(derived.change),
            ],
            at: context.now
        )
        let logger = context.logger
        let source = paths.source
        context.afterCommit.add {
            logger.info(
                "created \(model) \(version) (\(record.change)) from \(source)",
                metadata: [
                    "event": LogEvent.versionCreated.metadataValue, "model": .string(model),
                    "version": .string(version),
                ]
            )
        }
        return record
    }

    /// Checks the stored copy: metrics.json, the reference data (at most `maxReferenceBytes`
    /// bytes, `max_data_file_bytes`, measured before it is read; at most `maxColumns`
    /// columns), an optional schema.json.
    static func check(
        stored: StoredArtifact,
        spec: ModelSpec,
        referenceName: String,
        maxColumns: Int,
        maxReferenceBytes: Int,
        job: Job<Self>
    )
        -> Swift.Result<((all: JSONValue, value: Double), ReferenceData.Summary), JobError>
    {
        let artifactMark = job.mark(ofParam: "artifact")
        do {
            guard let metricsData = try RegistryFiles.read(stored.path + "/metrics.json", limit: maxMetadataBytes)
            else {
                return .failure(
                    JobError(
                        .badArtifact,
                        "the artifact directory has no metrics.json",
                        at: artifactMark,
                        fix:
                            "write the version's metrics (at least `\(spec.metric)`) into metrics.json in the artifact directory"
                    )
                )
            }
            let metrics: (all: JSONValue, value: Double)
            switch VersionMetrics.parse(metricsData, metric: spec.metric) {
            case .failure(let problem): return .failure(JobError(.badArtifact, problem.description, at: artifactMark))
            case .success(let value): metrics = value
            }
            if let schemaData = try RegistryFiles.read(stored.path + "/schema.json", limit: maxMetadataBytes) {
                struct Declared: Decodable { var features: [FeatureSchema.Column] }
                guard let declared = try? JSONDecoder().decode(Declared.self, from: schemaData) else {
                    return .failure(
                        JobError(
                            .badArtifact,
                            "schema.json must be {\"features\": [{\"name\": …, \"type\": \"numerical\"|\"categorical\"}, …]}",
                            at: artifactMark
                        )
                    )
                }
                let differences = FeatureSchema(spec).differences(from: declared.features)
                if !differences.isEmpty {
                    return .failure(
                        JobError(
                            .badArtifact,
                            "schema mismatch: " + differences.joined(separator: "; "),
                            at: artifactMark,
                            fix:
                                "train against the model's declared features, or re-register the model with the new schema first"
                        )
                    )
                }
            }
            guard
                let referenceData = try RegistryFiles.read(
                    stored.path + "/" + referenceName,
                    limit: maxReferenceBytes,
                    dataFile: referenceName
                )
            else {
                return .failure(
                    JobError(
                        .badArtifact,
                        "the artifact directory has no reference data `\(referenceName)`",
                        at: job.paramMarks["reference"] ?? artifactMark,
                        fix: "add a CSV sample of the training inputs as \(referenceName), or name it with `reference:`"
                    )
                )
            }
            let table: CSVTable
            do {
                table = try CSVTable.parse(String(decoding: referenceData, as: UTF8.self), maxColumns: maxColumns)
            } catch {
                return .failure(
                    JobError(
                        .badArtifact,
                        "\(referenceName): \(error)",
                        at: job.paramMarks["reference"] ?? artifactMark
                    )
                )
            }
            switch ReferenceData.check(table, spec: spec, fileName: referenceName) {
            case .failure(let error):
                return .failure(
                    JobError(
                        .badArtifact,
                        "schema mismatch: " + error.description,
                        at: job.paramMarks["reference"] ?? artifactMark,
                        fix: "the reference data needs every feature and segment column of the model with valid values"
                    )
                )
            case .success(var summary):
                // The model's outputs on the reference, when given (docs/monitoring.md, "Reference outputs"),
                // in the reference itself or its sibling reference_outputs.csv.
                let siblingName = ReferenceOutputs.siblingPath(ofReference: referenceName)
                var sibling: CSVTable?
                if let siblingData = try RegistryFiles.read(
                    stored.path + "/" + siblingName,
                    limit: maxReferenceBytes,
                    dataFile: siblingName
                ) {
                    do {
                        sibling = try CSVTable.parse(
                            String(decoding: siblingData, as: UTF8.self),
                            maxColumns: maxColumns
                        )
                    } catch {
                        return .failure(
                            JobError(
                                .badArtifact,
                                "\(siblingName): \(error)",
                                at: job.paramMarks["reference"] ?? artifactMark
                            )
                        )
                    }
                }
                switch ReferenceOutputs.read(reference: table, sibling: sibling, spec: spec, fileName: referenceName) {
                case .failure(let error):
                    return .failure(
                        JobError(
                            .badArtifact,
                            "reference outputs: " + error.description,
                            at: job.paramMarks["reference"] ?? artifactMark,
                            fix: "give `prediction` (one of the model's classes) and "
                                + (spec.task == .multiclassClassification
                                    ? "`probabilities.<class>` for every class"
                                    : "`score` (the positive class's score)")
                                + " on every row, and the target's true class or an empty cell; or no output column"
                        )
                    )
                case .success(let found):
                    if let outputs = found.outputs {
                        let used = Set(found.columns.outputNames + [found.columns.target].compactMap { $0 })
                        summary.ignoredColumns.removeAll { used.contains($0) }
                        summary.outputs =
                            found.note
                            ?? "\(found.file): \(found.columns.outputNames.joined(separator: ", ")) and \(spec.target) over "
                            + "\(outputs.count) rows: output drift and estimated performance"
                    } else {
                        summary.outputs = found.note
                    }
                }
                return .success((metrics, summary))
            }
        } catch {
            return .failure(error)
        }
    }

}
