import Foundation
import GRDB
import MLOpsCore

/// The owner of the `models` table: registered models and their specs.
enum ModelSpecs {
    /// The spec of `model`; the engine has checked that the model is registered.
    static func spec(_ db: Database, model: String) throws -> ModelSpec {
        guard let text = try String.fetchOne(db, sql: "SELECT spec FROM models WHERE name = ?", arguments: [model])
        else {
            throw JobError(.unknownModel, "model `\(model)` is not registered")
        }
        do {
            return try JSONDecoder().decode(ModelSpec.self, from: Data(text.utf8))
        } catch {
            throw JobError(.internalError, "the stored spec of model `\(model)` cannot be read: \(error)")
        }
    }

    /// The stored spec text of `model` as the store keeps it (what a pipeline hands its
    /// children as MLOPSD_MODEL_SPEC), or nil when the model is not registered.
    static func specText(_ db: Database, model: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT spec FROM models WHERE name = ?", arguments: [model])
    }

    /// The names of every registered model, sorted.
    static func names(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM models ORDER BY name")
    }

    /// A registered model as `status.json` lists it.
    struct Summary: Decodable, FetchableRecord {
        var name: String
        var task: String
        var metric: String
        var revision: Int
        /// When the spec last changed (RFC 3339).
        var updatedAt: String

        enum CodingKeys: String, CodingKey {
            case name, task, metric, revision
            case updatedAt = "updated_at"
        }
    }

    /// The first `limit` registered models by name, and how many there are in all.
    static func summaries(_ db: Database, limit: Int) throws -> (models: [Summary], total: Int) {
        let models = try Summary.fetchAll(
            db,
            sql: "SELECT name, task, metric, revision, updated_at FROM models ORDER BY name LIMIT ?",
            arguments: [limit]
        )
        return (models, try Int.fetchOne(db, sql: "SELECT count(*) FROM models") ?? 0)
    }

    /// A model's stored declaration: its spec as stored (sorted JSON) and its revision.
    struct Stored: Decodable, FetchableRecord {
        /// The spec's JSON text as stored.
        var spec: String
        /// 1 when registered, one more per update.
        var revision: Int
    }

    /// The stored declaration of `name`, if it is registered.
    static func stored(_ db: Database, name: String) throws -> Stored? {
        try Stored.fetchOne(db, sql: "SELECT spec, revision FROM models WHERE name = ?", arguments: [name])
    }

    /// Registers `name` with `spec` (stored as `specText`) at revision 1.
    static func register(
        _ db: Database,
        name: String,
        spec: ModelSpec,
        specText: String,
        at now: String,
        by actor: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO models (name, task, target, metric, pipeline, spec, revision, created_at, created_by,
                    updated_at, updated_by)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                """,
            arguments: [
                name, spec.task.rawValue, spec.target, spec.metric, spec.pipeline, specText, now, actor, now, actor,
            ]
        )
    }

    /// Replaces the spec of `name` with `spec` (stored as `specText`) at `revision`.
    static func update(
        _ db: Database,
        name: String,
        spec: ModelSpec,
        specText: String,
        revision: Int,
        at now: String,
        by actor: String
    ) throws {
        try db.execute(
            sql: """
                UPDATE models SET task = ?, target = ?, metric = ?, pipeline = ?, spec = ?, revision = ?,
                    updated_at = ?, updated_by = ? WHERE name = ?
                """,
            arguments: [
                spec.task.rawValue, spec.target, spec.metric, spec.pipeline, specText, revision, now, actor, name,
            ]
        )
    }
}
