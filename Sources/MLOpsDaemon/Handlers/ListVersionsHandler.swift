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
        var events: [String: [JSONValue]] = [:]
        if withHistory {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM version_events WHERE model = ? ORDER BY seq", arguments: [model]) {
                let version: String = row["version"]
                let from: String? = row["from_state"]
                let jobID: String? = row["job_id"]
                let reason: String? = row["reason"]
                events[version, default: []].append([
                    "from": from.map(JSONValue.string) ?? .null, "to": .string(row["to_state"]), "at": .string(row["at"]),
                    "by": .string(row["actor"]), "job": jobID.map(JSONValue.string) ?? .null,
                    "reason": reason.map(JSONValue.string) ?? .null, "forced": .bool((row["forced"] as Int?) == 1),
                ])
            }
        }
        let items: [JSONValue] = versions.reversed().map { version in
            var doc = version.document(artifactPath: context.registry?.artifacts.path(of: version.artifactSHA256))
            if withHistory, case .object(var dict) = doc {
                dict["events"] = .array(events[version.version] ?? [])
                doc = .object(dict)
            }
            return doc
        }
        var result: [String: JSONValue] = [
            "model": .string(model), "count": .int(items.count), "versions": .array(items),
        ]
        result["production"] = try VersionStore.production(db, model: model).map { .string($0.version) } ?? .null
        result["rollback_target"] = try VersionStore.rollbackTarget(db, model: model).map { .string($0.version) } ?? .null
        if withHistory {
            result["production_history"] = .array(try VersionStore.history(db, model: model).map(\.document))
        }
        return .succeeded(.object(result))
    }
}
