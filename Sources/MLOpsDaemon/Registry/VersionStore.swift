import Foundation
import GRDB
import MLOpsCore

/// The registry's reads and writes on the store. Every write records the state change in
/// `version_events` and the audit log, inside the caller's transaction.
public enum VersionStore {
    /// Every version of `model`, oldest first.
    public static func versions(_ db: Database, model: String) throws -> [VersionRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM versions WHERE model = ? ORDER BY sequence", arguments: [model])
            .map(VersionRecord.init(row:))
    }

    /// One version, if it exists.
    public static func version(_ db: Database, model: String, version: String) throws -> VersionRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE model = ? AND version = ?", arguments: [model, version])
            .map(VersionRecord.init(row:))
    }

    /// The production version of `model`, if any.
    public static func production(_ db: Database, model: String) throws -> VersionRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE model = ? AND state = 'production'", arguments: [model])
            .map(VersionRecord.init(row:))
    }

    /// Every production version, one per model.
    public static func allProduction(_ db: Database) throws -> [VersionRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM versions WHERE state = 'production' ORDER BY model")
            .map(VersionRecord.init(row:))
    }

    /// The production stints of `model`, oldest first.
    public static func history(_ db: Database, model: String) throws -> [ProductionStint] {
        try Row.fetchAll(db, sql: "SELECT * FROM production_history WHERE model = ? ORDER BY seq", arguments: [model])
            .map(ProductionStint.init(row:))
    }

    /// The current stint of `model`'s production version.
    public static func currentStint(_ db: Database, model: String) throws -> ProductionStint? {
        try Row.fetchOne(db, sql: "SELECT * FROM production_history WHERE model = ? AND until_at IS NULL", arguments: [model])
            .map(ProductionStint.init(row:))
    }

    /// The stint that covered `time` (an RFC 3339 UTC text as the store writes them).
    public static func stint(_ db: Database, model: String, at time: String) throws -> ProductionStint? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT * FROM production_history WHERE model = ? AND from_at <= ? AND (until_at IS NULL OR until_at > ?)
                ORDER BY seq DESC LIMIT 1
                """,
            arguments: [model, time, time]).map(ProductionStint.init(row:))
    }

    /// The version a plain `rollback` returns to: the one in production before the current
    /// stint, unless it was archived since (then there is none).
    public static func rollbackTarget(_ db: Database, model: String) throws -> VersionRecord? {
        let stints = try Row.fetchAll(
            db, sql: "SELECT * FROM production_history WHERE model = ? ORDER BY seq DESC LIMIT 2", arguments: [model]
        ).map(ProductionStint.init(row:))
        guard stints.count == 2, stints[0].until == nil else { return nil }
        guard let target = try version(db, model: model, version: stints[1].version), target.state == .staging else { return nil }
        return target
    }

    /// The version that was in production before the current stint, whatever its state.
    public static func previousProductionVersion(_ db: Database, model: String) throws -> String? {
        let stints = try Row.fetchAll(
            db, sql: "SELECT version FROM production_history WHERE model = ? ORDER BY seq DESC LIMIT 2", arguments: [model])
        return stints.count == 2 ? stints[1]["version"] : nil
    }

    /// The rejection for a version `model` does not have, with the closest one as the fix.
    static func unknownVersion(_ version: String, of model: String, among: [VersionRecord], at mark: SourceMark?) -> JobError {
        let names = among.map(\.version)
        return JobError(.unknownVersion, "model \(model) has no version \(version)", at: mark,
                        fix: Suggestion.closest(to: version, among: names).map { "did you mean \($0)?" }
                            ?? (names.isEmpty ? "create one with a create-version job" : "its versions are " + names.joined(separator: ", ")))
    }

    /// Who made a change, and why: for events, history and the audit log.
    public struct Actor: Sendable {
        public var name: String
        public var uid: UInt32?
        public var job: String?
        public var reason: String?
        public var at: Date
        /// An actor.
        public init(name: String, uid: UInt32?, job: String?, reason: String?, at: Date) {
            self.name = name
            self.uid = uid
            self.job = job
            self.reason = reason
            self.at = at
        }
        /// The submitter of `job` in `context`.
        public init<Kind>(_ context: JobContext, job: Job<Kind>) {
            self.init(name: context.submittedBy, uid: context.submitterUID, job: job.id, reason: job.reason, at: context.now)
        }
    }

    /// Moves one version to `to`, recording the event and an audit entry. The caller has
    /// checked ``VersionState/canMove(to:)``.
    public static func setState(
        _ db: Database, model: String, version: String, from: VersionState?, to: VersionState, by actor: Actor,
        forced: Bool = false, details: JSONValue = .object([:])
    ) throws {
        let now = Timestamp.string(actor.at)
        try db.execute(sql: "UPDATE versions SET state = ?, state_changed_at = ? WHERE model = ? AND version = ?",
                       arguments: [to.rawValue, now, model, version])
        try db.execute(
            sql: """
                INSERT INTO version_events (model, version, from_state, to_state, at, actor, job_id, reason, forced)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [model, version, from?.rawValue, to.rawValue, now, actor.name, actor.job, actor.reason, forced ? 1 : 0])
        var audit: [String: JSONValue] = ["version": .string(version), "from": from.map { .string($0.rawValue) } ?? .null,
                                          "to": .string(to.rawValue)]
        if forced { audit["forced"] = true }
        if case .object(let extra) = details { audit.merge(extra) { _, new in new } }
        try AuditLog.record(
            db, action: "version.\(to.rawValue)", actor: actor.name, actorUID: actor.uid, job: actor.job, model: model,
            reason: actor.reason, details: .object(audit), at: actor.at)
    }

    /// Makes `target` the production version of its model in one step: the current one
    /// (if any) goes back to `staging`, its stint ends, `target` starts a new stint. Inside
    /// one transaction, so no reader ever sees zero or two production versions.
    public static func switchProduction(
        _ db: Database, to target: VersionRecord, action: String, forced: Bool, by actor: Actor, details: JSONValue = .object([:])
    ) throws {
        let now = Timestamp.string(actor.at)
        if let current = try production(db, model: target.model) {
            try setState(db, model: current.model, version: current.version, from: .production, to: .staging, by: actor,
                         details: ["replaced_by": .string(target.version)])
        }
        try db.execute(sql: "UPDATE production_history SET until_at = ? WHERE model = ? AND until_at IS NULL",
                       arguments: [now, target.model])
        try setState(db, model: target.model, version: target.version, from: target.state, to: .production, by: actor,
                     forced: forced, details: details)
        try db.execute(
            sql: """
                INSERT INTO production_history (model, version, from_at, action, forced, actor, job_id, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [target.model, target.version, now, action, forced ? 1 : 0, actor.name, actor.job, actor.reason])
    }
}
