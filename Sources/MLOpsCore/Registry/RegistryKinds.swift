/// Rules shared by the registry kinds' declarations (docs/registry.md).
public enum RegistryKinds {
    /// A semantic version as written in a job (`1.4.0`, `2.0.0-rc.1`); the handler checks semver.
    static let versionText = StringRule("a semantic version such as 1.4.0") { text in
        !text.isEmpty && text.utf8.count <= 128 && SemanticVersion(text) != nil
    }

    /// An RFC 3339 time as written in a job.
    static let timeText = StringRule("an RFC 3339 time such as 2026-11-29T13:00:00Z") { Timestamp.parse($0) != nil }
}

extension Kinds {
    /// `create-version`: adds a version from an artifact directory, reference data and metrics.
    public enum CreateVersion: JobKindDeclaration {
        public static let kind = JobKind.createVersion
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "adds a version from an artifact directory, its metrics.json and reference data; the version is derived or given"
        public static let schema = ObjectSchema([
            Field(
                "artifact",
                .string(.path),
                required: true,
                doc: "directory under a data root with the model files, metrics.json and the reference data"
            ),
            Field(
                "version",
                .string(RegistryKinds.versionText),
                doc:
                    "the version to create; derived when absent (schema change: major, retrain: minor, metadata: patch)"
            ),
            Field(
                "reference",
                .string(.path),
                default: .string(defaultReference),
                doc: "the reference data (CSV with a header) inside the artifact directory"
            ),
            Field(
                "parent",
                .string(RegistryKinds.versionText),
                doc: "the version this one was derived from; default: the production version"
            ),
            Field(
                "training_data",
                .string(.path),
                doc: "file under a data root the version was trained on; its SHA-256 is recorded"
            ),
            Field("run_id", .string(.name), doc: "the pipeline run that produced the version"),
            Field("parameters", .map(keys: .any, values: .any), doc: "training parameters, kept as lineage"),
            Field("description", .string(.maxLength(2000)), doc: "free text for humans"),
            Field("stage", .bool, default: false, doc: "create the version in `staging` instead of `registered`"),
        ])

        /// The reference data's name inside the artifact directory when `reference` is not given.
        public static let defaultReference = "reference.csv"

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The artifact directory (absolute, under a data root).
            public var artifact: String
            /// The version to create; nil: derived.
            public var version: String?
            /// The reference data inside the artifact directory.
            public var reference: String
            /// The version this one was derived from; nil: the production version.
            public var parent: String?
            /// The file the version was trained on.
            public var trainingData: String?
            /// The pipeline run that produced the version.
            public var runID: String?
            /// Training parameters, kept as lineage.
            public var parameters: [String: JSONValue]?
            /// Free text for humans.
            public var description: String?
            /// Create the version in `staging`.
            public var stage: Bool

            /// Parameters; the defaults are the schema's.
            public init(
                artifact: String,
                version: String? = nil,
                reference: String = defaultReference,
                parent: String? = nil,
                trainingData: String? = nil,
                runID: String? = nil,
                parameters: [String: JSONValue]? = nil,
                description: String? = nil,
                stage: Bool = false
            ) {
                self.artifact = artifact
                self.version = version
                self.reference = reference
                self.parent = parent
                self.trainingData = trainingData
                self.runID = runID
                self.parameters = parameters
                self.description = description
                self.stage = stage
            }

            enum CodingKeys: String, CodingKey {
                case artifact, version, reference, parent, parameters, description, stage
                case trainingData = "training_data"
                case runID = "run_id"
            }
        }
    }

    /// `list-versions`: the version history of a model.
    public enum ListVersions: JobKindDeclaration {
        public static let kind = JobKind.listVersions
        public static let modelRule = ModelRequirement.registered
        public static let summary = "the versions of a model with their states, lineage, metrics and history"
        public static let schema = ObjectSchema([
            Field("include_archived", .bool, default: true, doc: "list archived versions too"),
            Field(
                "history",
                .bool,
                default: true,
                doc: "include each version's state changes and the production history"
            ),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// List archived versions too.
            public var includeArchived: Bool
            /// Include each version's state changes and the production history.
            public var history: Bool

            /// Parameters; the defaults are the schema's.
            public init(includeArchived: Bool = true, history: Bool = true) {
                self.includeArchived = includeArchived
                self.history = history
            }

            enum CodingKeys: String, CodingKey {
                case includeArchived = "include_archived"
                case history
            }
        }
    }

    /// `promote-version`: makes a version the production one, after the gates.
    public enum PromoteVersion: JobKindDeclaration {
        public static let kind = JobKind.promoteVersion
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "makes a version the production one after the policy's gates; switches the serving link and runs the deploy hook"
        public static let schema = ObjectSchema([
            Field(
                "version",
                .string(RegistryKinds.versionText),
                required: true,
                doc: "the version to put into production"
            ),
            Field(
                "force",
                .bool,
                default: false,
                doc: "promote even when a gate refuses; needs `reason:` and is recorded as forced"
            ),
            Field(
                "archive",
                .bool,
                default: false,
                doc: "also archive versions beyond keep_versions, in the same step"
            ),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The version to put into production.
            public var version: String
            /// Promote even when a gate refuses.
            public var force: Bool
            /// Also archive versions beyond keep_versions.
            public var archive: Bool

            /// Parameters promoting `version`; the defaults are the schema's.
            public init(version: String, force: Bool = false, archive: Bool = false) {
                self.version = version
                self.force = force
                self.archive = archive
            }
        }
    }

    /// `rollback`: returns production to the previous (or a named) version.
    public enum Rollback: JobKindDeclaration {
        public static let kind = JobKind.rollback
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "returns production to the previous (or a named) former production version in one step"
        public static let schema = ObjectSchema([
            Field(
                "version",
                .string(RegistryKinds.versionText),
                doc: "the version to return to; default: the previous production version"
            )
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The version to return to; nil: the previous production version.
            public var version: String?
            /// Parameters; nil returns to the previous production version.
            public init(version: String? = nil) { self.version = version }
        }
    }

    /// `archive-versions`: archives versions beyond the retention policy.
    public enum ArchiveVersions: JobKindDeclaration {
        public static let kind = JobKind.archiveVersions
        public static let modelRule = ModelRequirement.registered
        public static let summary =
            "archives the versions beyond keep_versions, never the production version nor the rollback target"
        public static let schema = ObjectSchema([
            Field(
                "keep_versions",
                .int(min: 1, max: 1000),
                doc: "versions to keep; default: the model policy's keep_versions"
            ),
            Field("dry_run", .bool, default: false, doc: "report what would be archived without changing anything"),
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// Versions to keep; nil: the model policy's.
            public var keepVersions: Int?
            /// Report without changing anything.
            public var dryRun: Bool

            /// Parameters; the defaults are the schema's.
            public init(keepVersions: Int? = nil, dryRun: Bool = false) {
                self.keepVersions = keepVersions
                self.dryRun = dryRun
            }

            enum CodingKeys: String, CodingKey {
                case keepVersions = "keep_versions"
                case dryRun = "dry_run"
            }
        }
    }

    /// `get-production-model`: the production version and its deployment.
    public enum GetProductionModel: JobKindDeclaration {
        public static let kind = JobKind.getProductionModel
        public static let modelRule = ModelRequirement.registered
        public static let summary = "the production version of a model (now or at a past time) and its deployment"
        public static let schema = ObjectSchema([
            Field("at", .string(RegistryKinds.timeText), doc: "answer for this moment in the past instead of now")
        ])

        /// The typed `params:`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The moment to answer for, as written (RFC 3339); nil: now.
            public var at: String?
            /// Parameters; nil asks about now.
            public init(at: String? = nil) { self.at = at }
        }
    }
}
