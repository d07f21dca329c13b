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
        let specText = String(decoding: try JSONEncoder.mlopsCompact.encode(spec), as: UTF8.self)
        let now = Timestamp.string(context.now)
        let existing = try ModelSpecs.stored(db, name: name)
        let revision: Int
        let change: String
        if let existing {
            if existing.spec == specText {
                return .succeeded(
                    Result(model: name, revision: existing.revision, change: "unchanged", spec: job.params)
                )
            }
            revision = existing.revision + 1
            change = "updated"
            try ModelSpecs.update(
                db,
                name: name,
                spec: spec,
                specText: specText,
                revision: revision,
                at: now,
                by: context.submittedBy
            )
            let previous =
                (try? JSONDecoder().decode(JSONValue.self, from: Data(existing.spec.utf8))) ?? .string(existing.spec)
            try AuditLog.record(
                db,
                action: "model.updated",
                actor: context.submittedBy,
                actorUID: context.submitterUID,
                job: job.id,
                model: name,
                reason: job.reason,
                details: ["revision": .int(revision), "previous_spec": previous],
                at: context.now
            )
        } else {
            revision = 1
            change = "created"
            try ModelSpecs.register(db, name: name, spec: spec, specText: specText, at: now, by: context.submittedBy)
            try AuditLog.record(
                db,
                action: "model.registered",
                actor: context.submittedBy,
                actorUID: context.submitterUID,
                job: job.id,
                model: name,
                reason: job.reason,
                details: ["revision": 1],
                at: context.now
            )
        }
        return .succeeded(Result(model: name, revision: revision, change: change, spec: job.params))
    }
}
