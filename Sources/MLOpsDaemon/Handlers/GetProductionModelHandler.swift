import Foundation
import GRDB
import MLOpsCore

/// `get-production-model`: the production version of a model with its stint and
/// deployment, now or at a past moment (`at:`), from the production history.
extension Kinds.GetProductionModel: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        var result: [String: JSONValue] = ["model": .string(model)]
        let stint: ProductionStint?
        if let text = job.parameters.at, let date = Timestamp.parse(text) {
            let at = Timestamp.string(date)
            result["at"] = .string(at)
            stint = try VersionStore.stint(db, model: model, at: at)
        } else {
            result["at"] = .string(Timestamp.string(context.now))
            stint = try VersionStore.currentStint(db, model: model)
        }
        guard let stint, let version = try VersionStore.version(db, model: model, version: stint.version) else {
            result["version"] = .null
            result["note"] = .string(job.parameters.at == nil
                ? "\(model) has no production version"
                : "\(model) had no production version at that time")
            return .succeeded(.object(result))
        }
        let path = context.registry?.artifacts.path(of: version.artifactSHA256)
        result["version"] = .string(version.version)
        result["stint"] = stint.document
        result["details"] = version.document(artifactPath: path)
        if stint.until == nil, let registry = context.registry {
            let current = registry.serving.current(model: model)
            result["serving"] = [
                "link": .string(registry.serving.root + "/" + model + "/current"),
                "target": current.map { .string($0.target) } ?? .null,
                "deployment": current?.deployment ?? .null,
                "agrees_with_store": .bool(current?.target == path),
            ]
        }
        return .succeeded(.object(result))
    }
}
