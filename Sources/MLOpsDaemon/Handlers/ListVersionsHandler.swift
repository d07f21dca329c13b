import Foundation
import GRDB
import MLOpsCore

/// `list-versions`: every version of a model (newest first) with state, lineage and
/// metrics, and, with `history: true`, each version's state changes and the production
/// history (which version was in production from when until when).
extension Kinds.ListVersions: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        let includeArchived = job.parameters.includeArchived
        let withHistory = job.parameters.history
        let versions = try VersionStore.versions(db, model: model).filter { includeArchived || $0.state != .archived }
        let events = withHistory ? try VersionStore.events(db, model: model) : [:]
        let items: [VersionDocument] = versions.reversed().map { version in
            var doc = version.document(artifactPath: context.registry?.artifacts.path(of: version.artifactSHA256))
            if withHistory { doc.events = events[version.version] ?? [] }
            return doc
        }
        return .succeeded(
            Result(
                model: model,
                versions: items,
                production: try VersionStore.production(db, model: model)?.version,
                rollbackTarget: try VersionStore.rollbackTarget(db, model: model)?.version,
                productionHistory: withHistory ? try VersionStore.history(db, model: model).map(\.document) : nil
            )
        )
    }
}
