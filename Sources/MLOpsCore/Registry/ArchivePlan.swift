/// Decides which versions `archive-versions` retires (docs/design.md §10), without touching the store.
///
/// The newest `keep` versions that are not archived yet stay, by creation order (the
/// order a reader of `list-versions` sees). The production version and the version a
/// rollback would return to are never archived, even when they are older than that.
public enum ArchivePlan {
    /// One version as the plan sees it.
    public struct Candidate: Sendable, Equatable {
        /// The version text.
        public var version: String
        /// Creation order within the model (higher is newer).
        public var sequence: Int
        /// Its state now.
        public var state: VersionState
        /// A candidate.
        public init(version: String, sequence: Int, state: VersionState) {
            self.version = version
            self.sequence = sequence
            self.state = state
        }
    }

    /// What the plan keeps and retires, each with the reason, for the job's result.
    public struct Decision: Sendable, Equatable {
        /// Versions to move to `archived`, newest first.
        public var archive: [String]
        /// Versions kept, newest first, with why ("among the newest 5", "production", …).
        public var kept: [(version: String, why: String)]

        public static func == (a: Decision, b: Decision) -> Bool {
            a.archive == b.archive && a.kept.map(\.version) == b.kept.map(\.version)
                && a.kept.map(\.why) == b.kept.map(\.why)
        }
    }

    /// The plan for `versions` (any order), keeping the newest `keep`, never `production`
    /// nor `rollbackTarget`.
    public static func decide(_ versions: [Candidate], keep: Int, rollbackTarget: String?) -> Decision {
        let live = versions.filter { $0.state != .archived }.sorted { $0.sequence > $1.sequence }
        var decision = Decision(archive: [], kept: [])
        for (index, candidate) in live.enumerated() {
            if candidate.state == .production {
                decision.kept.append((candidate.version, "production"))
            } else if candidate.version == rollbackTarget {
                decision.kept.append((candidate.version, "rollback target (the previous production version)"))
            } else if index < keep {
                decision.kept.append((candidate.version, "among the newest \(keep)"))
            } else {
                decision.archive.append(candidate.version)
            }
        }
        return decision
    }
}
