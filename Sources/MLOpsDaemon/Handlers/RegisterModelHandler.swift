import Foundation
import GRDB
import MLOpsCore

/// `register-model`: declares a model, or updates its declaration.
///
/// Registering an existing model with an identical spec changes nothing (the result says
/// `unchanged`); a different spec replaces the old one, bumps the model's `revision` and
/// keeps the previous spec in the audit log, so a typo can be fixed by resubmitting.
extension Kinds.RegisterModel: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let name = try job.requiredModel
        let spec = job.parameters
        let specText = String(decoding: try JSONEncoder.sorted.encode(spec), as: UTF8.self)
        let now = Timestamp.string(context.now)
        let existing = try Row.fetchOne(db, sql: "SELECT spec, revision FROM models WHERE name = ?", arguments: [name])
        let revision: Int
        let change: String
        if let existing {
            let oldSpec: String = existing["spec"]
            let oldRevision: Int = existing["revision"]
            if oldSpec == specText {
                return .succeeded(Self.result(name: name, revision: oldRevision, change: "unchanged", spec: job.params))
            }
            revision = oldRevision + 1
            change = "updated"
            try db.execute(
                sql: """
                    UPDATE models SET task = ?, target = ?, metric = ?, pipeline = ?, spec = ?, revision = ?,
                        updated_at = ?, updated_by = ? WHERE name = ?
                    """,
                arguments: [spec.task.rawValue, spec.target, spec.metric, spec.pipeline, specText, revision, now, context.submittedBy, name])
            try AuditLog.record(
                db, action: "model.updated", actor: context.submittedBy, actorUID: context.submitterUID, job: job.id,
                model: name, reason: job.reason,
                details: ["revision": .int(revision), "previous_spec": (try? JSONDecoder().decode(JSONValue.self, from: Data(oldSpec.utf8))) ?? .string(oldSpec)],
                at: context.now)
        } else {
            revision = 1
            change = "created"
            try db.execute(
                sql: """
                    INSERT INTO models (name, task, target, metric, pipeline, spec, revision, created_at, created_by, updated_at, updated_by)
                    VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                    """,
                arguments: [name, spec.task.rawValue, spec.target, spec.metric, spec.pipeline, specText, now, context.submittedBy, now, context.submittedBy])
            try AuditLog.record(
                db, action: "model.registered", actor: context.submittedBy, actorUID: context.submitterUID, job: job.id,
                model: name, reason: job.reason, details: ["revision": 1], at: context.now)
        }
        return .succeeded(Self.result(name: name, revision: revision, change: change, spec: job.params))
    }

    static func result(name: String, revision: Int, change: String, spec: JSONValue) -> JSONValue {
        ["model": .string(name), "revision": .int(revision), "change": .string(change), "spec": spec]
    }
}
