import Foundation
import GRDB
import MLOpsCore

/// Archives a model's versions beyond its retention (``ArchivePlan``) inside the caller's
/// transaction, and removes the stored files of archived versions when the policy says
/// `archived_artifacts: delete` and no other version still uses them (after the commit).
enum Archiver {
    static func archive(
        _ db: Database,
        model: String,
        spec: ModelSpec,
        keep: Int,
        by actor: VersionStore.Actor,
        registry: ModelRegistry?,
        afterCommit: AfterCommit,
        dryRun: Bool
    ) throws -> ArchiveReport {
        let versions = try VersionStore.versions(db, model: model)
        let target = try VersionStore.previousProductionVersion(db, model: model)
        let plan = ArchivePlan.decide(
            versions.map { ArchivePlan.Candidate(version: $0.version, sequence: $0.sequence, state: $0.state) },
            keep: keep,
            rollbackTarget: target
        )
        var removed: [String] = []
        if !dryRun {
            for name in plan.archive {
                guard let record = versions.first(where: { $0.version == name }) else { continue }
                try VersionStore.setState(
                    db,
                    model: model,
                    version: name,
                    from: record.state,
                    to: .archived,
                    by: actor,
                    details: ["keep_versions": .int(keep)]
                )
            }
            if spec.policy.archivedArtifacts == .delete {
                let hashes = Set(
                    versions.filter { plan.archive.contains($0.version) && !$0.artifactRemoved }.map(\.artifactSHA256)
                )
                for sha in hashes.sorted() {
                    guard try VersionStore.releaseArtifact(db, sha256: sha, model: model) else { continue }
                    removed.append(sha)
                    if let registry {
                        afterCommit.add { try? registry.artifacts.remove(sha) }
                    }
                }
            }
        }
        return ArchiveReport(
            archived: plan.archive,
            kept: plan.kept.map { ArchiveReport.Kept(version: $0.version, why: $0.why) },
            keepVersions: keep,
            artifactsRemoved: removed,
            dryRun: dryRun
        )
    }
}
