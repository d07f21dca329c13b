/// What archiving did (or, in a dry run, would do): `archive-versions`' result and
/// `promote-version`'s `archive` with `archive: true`.
public struct ArchiveReport: Codable, Sendable, Equatable {
    /// The versions archived, in the plan's order.
    public var archived: [String]
    /// The versions kept, each with the reason.
    public var kept: [Kept]
    /// The retention applied.
    public var keepVersions: Int
    /// SHA-256s of stored artifacts deleted (`archived_artifacts: delete`).
    public var artifactsRemoved: [String]
    /// Whether nothing was changed.
    public var dryRun: Bool

    /// A report.
    public init(archived: [String], kept: [Kept], keepVersions: Int, artifactsRemoved: [String], dryRun: Bool) {
        self.archived = archived
        self.kept = kept
        self.keepVersions = keepVersions
        self.artifactsRemoved = artifactsRemoved
        self.dryRun = dryRun
    }

    /// A version kept, and why.
    public struct Kept: Codable, Sendable, Equatable {
        /// The version.
        public var version: String
        /// Why it stays (`production`, `among the newest 5`, …).
        public var why: String

        /// A kept version.
        public init(version: String, why: String) {
            self.version = version
            self.why = why
        }
    }

    enum CodingKeys: String, CodingKey {
        case archived, kept
        case keepVersions = "keep_versions"
        case artifactsRemoved = "artifacts_removed"
        case dryRun = "dry_run"
    }
}
