import Foundation
import GRDB
import MLOpsCore

/// `get-production-model`: the production version of a model with its stint and
/// deployment, now or at a past moment (`at:`), from the production history.
extension Kinds.GetProductionModel: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        var result = Result(model: model, at: Timestamp.string(context.now))
        let stint: ProductionStint?
        if let text = job.parameters.at, let date = Timestamp.parse(text) {
            result.at = Timestamp.string(date)
            stint = try VersionStore.stint(db, model: model, at: result.at)
        } else {
            stint = try VersionStore.currentStint(db, model: model)
        }
        guard let stint, let version = try VersionStore.version(db, model: model, version: stint.version) else {
            result.note =
                job.parameters.at == nil
                ? "\(model) has no production version"
                : "\(model) had no production version at that time"
            return .succeeded(result)
        }
        let path = context.registry?.artifacts.path(of: version.artifactSHA256)
        result.version = version.version
        result.stint = stint.document
        result.details = version.document(artifactPath: path)
        if stint.until == nil, let registry = context.registry {
            let current = registry.serving.current(model: model)
            result.serving = Result.Serving(
                link: registry.serving.root + "/" + model + "/current",
                target: current?.target,
                deployment: current?.deployment ?? .null,
                agreesWithStore: current?.target == path
            )
        }
        return .succeeded(result)
    }
}
