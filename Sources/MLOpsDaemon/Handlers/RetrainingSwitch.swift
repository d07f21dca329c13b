import Foundation
import GRDB
import Logging
import MLOpsCore

/// What `retraining-start` and `retraining-stop` share: the models a job covers and the
/// record of a switch (settings row, audit entry, journal entry after the commit).
enum RetrainingSwitch {
    /// `job.model`, or every registered model.
    static func models(_ db: Database, job: Job<some JobKindDeclaration>) throws -> [String] {
        if let model = job.model { return [model] }
        return try ModelSpecs.names(db)
    }

    /// Saves `settings` and records the switch in the audit log and (after the commit) the journal.
    static func record(
        _ db: Database,
        settings: RetrainingSettings,
        job: Job<some JobKindDeclaration>,
        context: JobContext
    ) throws {
        try settings.save(db)
        try AuditLog.record(
            db,
            action: settings.enabled ? "retraining_start" : "retraining_stop",
            actor: context.submittedBy,
            actorUID: context.submitterUID,
            job: job.id,
            model: settings.model,
            reason: job.reason,
            details: try JSONValue(encoding: settings.document),
            at: context.now
        )
        let logger = context.logger
        let model = settings.model
        let enabled = settings.enabled
        let pipeline = settings.pipeline ?? "the model's"
        context.afterCommit.add {
            logger.notice(
                "automated retraining of \(model) switched \(enabled ? "on (pipeline \(pipeline))" : "off")",
                metadata: [
                    "event": LogEvent.retrainingSwitched.metadataValue, "model": .string(model),
                    "enabled": .string("\(enabled)"),
                    "job": .string(job.id),
                ]
            )
        }
    }
}
