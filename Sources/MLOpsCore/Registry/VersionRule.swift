/// What a new model version changes compared with the model's versions so far: decides
/// which part of the semantic version goes up (docs/design.md §10).
public enum VersionChange: String, Sendable, Codable, CaseIterable {
    /// The feature schema changed: a model server must change too. Major bump.
    case schema
    /// Retrained on the same schema: new weights, same inputs. Minor bump.
    case retrain
    /// Only metadata changed (description, metrics recomputed, …). Patch bump.
    case metadata
}

/// Derives and checks model version numbers.
public enum VersionRule {
    /// The first version of a model.
    public static let first = SemanticVersion(1, 0, 0)

    /// The version that follows `latest` (the highest existing version, by precedence) for
    /// `change`; the first version when there is none. Pre-release and build parts of
    /// `latest` are dropped: a derived version is always a release.
    public static func next(after latest: SemanticVersion?, change: VersionChange) -> SemanticVersion {
        guard let latest else { return first }
        switch change {
        case .schema: return SemanticVersion(latest.major + 1, 0, 0)
        case .retrain: return SemanticVersion(latest.major, latest.minor + 1, 0)
        case .metadata:
            // A release after a pre-release of the same numbers is that release itself.
            if !latest.prerelease.isEmpty { return SemanticVersion(latest.major, latest.minor, latest.patch) }
            return SemanticVersion(latest.major, latest.minor, latest.patch + 1)
        }
    }

    /// Why an explicitly given version cannot be used, or nil when it can: it must parse,
    /// and no existing version may have the same precedence (so `1.2.0+build.7` does not
    /// sneak in beside `1.2.0`).
    public static func problem(withExplicit text: String, existing: [SemanticVersion]) -> String? {
        guard let version = SemanticVersion(text) else {
            return
                "`\(text)` is not a semantic version: write MAJOR.MINOR.PATCH, e.g. 1.4.0 (optionally -rc.1 or +build)"
        }
        if let clash = existing.first(where: { $0.hasSamePrecedence(as: version) }) {
            return
                "version \(clash) already exists; versions are never reused: pick a new one or leave `version:` out to derive it"
        }
        return nil
    }

    /// What changed between two schemas (a stable text fingerprint of each, e.g. the
    /// sorted JSON of the feature list) and two artifacts (their SHA-256).
    public static func change(
        previousSchema: String?,
        schema: String,
        previousArtifact: String?,
        artifact: String
    ) -> VersionChange {
        guard let previousSchema else { return .retrain }
        if previousSchema != schema { return .schema }
        if previousArtifact != artifact { return .retrain }
        return .metadata
    }
}
