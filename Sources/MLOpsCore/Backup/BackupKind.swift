extension Kinds {
    /// `backup`: an online, consistent copy of the daemon's state — the SQLite store as of
    /// the job's start (SQLite's online backup from a snapshot, while jobs go on) and every
    /// stored artifact a version still references — into a new directory under
    /// `backup_dir`, with a manifest of SHA-256s written last (docs/operations.md
    /// (Backup and restore)). `mlopsd --restore DIR` puts it back.
    public enum Backup: JobKindDeclaration {
        public static let kind = JobKind.backup
        public static let modelRule = ModelRequirement.forbidden
        public static let summary =
            "copies the store (online, consistent) and the artifacts versions reference into a new directory under backup_dir, with a SHA-256 manifest"
        public static let schema = ObjectSchema([
            Field(
                "directory",
                .string(.path),
                required: true,
                doc: "the new backup directory: absolute, inside backup_dir, not existing yet"
            )
        ])

        /// `directory`.
        public struct Parameters: Codable, Sendable, Equatable {
            /// The backup directory to create.
            public var directory: String

            /// Parameters for a backup into `directory`.
            public init(directory: String) {
                self.directory = directory
            }
        }

        /// What was copied.
        public struct Result: Codable, Sendable, Equatable {
            /// The backup directory (resolved).
            public var directory: String
            /// The store copy's size in bytes.
            public var databaseBytes: Int
            /// Jobs recorded in the copy (every job finished before the backup began).
            public var jobs: Int
            /// Artifacts copied.
            public var artifacts: Int
            /// Files listed in the manifest.
            public var files: Int
            /// Bytes of all files listed.
            public var bytes: Int
            /// Seconds the copy took.
            public var seconds: Double
            /// When the store was read (RFC 3339): the backup holds what was committed then.
            public var snapshotAt: String

            /// A result.
            public init(
                directory: String,
                databaseBytes: Int,
                jobs: Int,
                artifacts: Int,
                files: Int,
                bytes: Int,
                seconds: Double,
                snapshotAt: String
            ) {
                self.directory = directory
                self.databaseBytes = databaseBytes
                self.jobs = jobs
                self.artifacts = artifacts
                self.files = files
                self.bytes = bytes
                self.seconds = seconds
                self.snapshotAt = snapshotAt
            }

            enum CodingKeys: String, CodingKey {
                case directory
                case databaseBytes = "database_bytes"
                case jobs
                case artifacts
                case files
                case bytes
                case seconds
                case snapshotAt = "snapshot_at"
            }
        }
    }
}
