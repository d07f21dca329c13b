/// The lifecycle state of a model version (docs/design.md §10).
///
/// Exactly one version of a model is `production` at every instant. A version that leaves
/// production (because another was promoted or by rollback) goes back to `staging`, so it
/// stays a rollback target; only `archive-versions` moves versions to `archived`, and never
/// the production one.
public enum VersionState: String, Sendable, Codable, CaseIterable {
    /// Created, not yet tried anywhere.
    case registered
    /// Eligible for promotion (validated, or a former production version).
    case staging
    /// Serving.
    case production
    /// Retired; kept for lineage, not a promotion or rollback target.
    case archived

    /// Whether a version may move from this state to `next`.
    public func canMove(to next: VersionState) -> Bool {
        switch (self, next) {
        case (.registered, .staging), (.registered, .production), (.registered, .archived): return true
        case (.staging, .production), (.staging, .archived): return true
        case (.production, .staging): return true
        default: return false
        }
    }

    /// Why the move is refused, as a sentence for a result's error, or nil when allowed.
    public func refusal(to next: VersionState) -> String? {
        if canMove(to: next) { return nil }
        switch (self, next) {
        case (.production, .archived):
            return "the production version cannot be archived; promote or roll back to another version first"
        case (.archived, _):
            return "an archived version cannot become \(next.rawValue); create a new version from its artifact instead"
        case (let a, let b) where a == b:
            return "the version is already \(a.rawValue)"
        default:
            return "a \(rawValue) version cannot become \(next.rawValue)"
        }
    }
}
