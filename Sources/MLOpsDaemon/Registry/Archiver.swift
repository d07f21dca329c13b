import Foundation
import GRDB
import MLOpsCore

/// Archives a model's versions beyond its retention (``ArchivePlan``) inside the caller's
/// transaction, and removes the stored files of archived versions when the policy says
/// `archived_artifacts: delete` and no other version still uses them (after the commit).
enum Archiver {
    static func archive(
        _ db: Database, model: String, spec: ModelSpec, keep: Int, by actor: VersionStore.Actor,
        registry: ModelRegistry?, afterCommit: AfterCommit, dryRun: Bool
    ) throws -> JSONValue {
        let versions = try VersionStore.versions(db, model: model)
        let target = try VersionStore.previousProductionVersion(db, model: model)
        let plan = ArchivePlan.decide(
            versions.map { ArchivePlan.Candidate(version: $0.version, sequence: $0.sequence, state: $0.state) },
            keep: keep, rollbackTarget: target)
        var removed: [String] = []
        if !dryRun {
            for name in plan.archive {
                guard let record = versions.first(where: { $0.version == name }) else { continue }
                try VersionStore.setState(db, model: model, version: name, from: record.state, to: .archived, by: actor,
                                          details: ["keep_versions": .int(keep)])
            }
            if spec.policy.archivedArtifacts == .delete {
                let hashes = Set(versions.filter { plan.archive.contains($0.version) && !$0.artifactRemoved }.map(\.artifactSHA256))
                for sha in hashes.sorted() {
                    let users = try Int.fetchOne(
                        db,
                        sql: "SELECT COUNT(*) FROM versions WHERE artifact_sha256 = ? AND (state != 'archived' OR model != ?) AND artifact_removed = 0",
                        arguments: [sha, model]) ?? 0
                    guard users == 0 else { continue }
                    try db.execute(sql: "UPDATE versions SET artifact_removed = 1 WHERE artifact_sha256 = ? AND model = ?",
                                   arguments: [sha, model])
                    removed.append(sha)
                    if let registry {
                        afterCommit.add { try? registry.artifacts.remove(sha) }
                    }
                }
            }
        }
        return [
            "archived": .array(plan.archive.map(JSONValue.string)),
            "kept": .array(plan.kept.map { ["version": .string($0.version), "why": .string($0.why)] }),
            "keep_versions": .int(keep),
            "artifacts_removed": .array(removed.map(JSONValue.string)),
            "dry_run": .bool(dryRun),
        ]
    }
}
