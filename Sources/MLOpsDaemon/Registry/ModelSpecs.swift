import Foundation
import GRDB
import MLOpsCore

/// Reads a registered model's spec from the store.
enum ModelSpecs {
    /// The spec of `model`; the engine has checked that the model is registered.
    static func spec(_ db: Database, model: String) throws -> ModelSpec {
        guard let text = try String.fetchOne(db, sql: "SELECT spec FROM models WHERE name = ?", arguments: [model]) else {
            throw JobError(.unknownModel, "model `\(model)` is not registered")
        }
        do {
            return try JSONDecoder().decode(ModelSpec.self, from: Data(text.utf8))
        } catch {
            throw JobError(.internalError, "the stored spec of model `\(model)` cannot be read: \(error)")
        }
    }
}
