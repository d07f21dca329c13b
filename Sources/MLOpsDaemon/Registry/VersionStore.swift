import Foundation
import GRDB
import MLOpsCore

/// The registry's reads and writes on the store: the owner of the tables `versions`,
/// `version_events` and `production_history` (no other registry code writes SQL on them).
/// Every state change is recorded in `version_events` and the audit log, inside the
/// caller's transaction.
public enum VersionStore {
    /// Every version of `model`, oldest first.
    public static func versions(_ db: Database, model: String) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(
            db,
            sql: "SELECT * FROM versions WHERE model = ? ORDER BY sequence",
            arguments: [model]
        )
    }

    /// One version, if it exists.
    public static func version(_ db: Database, model: String, version: String) throws -> VersionRecord? {
        try VersionRecord.fetchOne(
            db,
            sql: "SELECT * FROM versions WHERE model = ? AND version = ?",
            arguments: [model, version]
        )
    }

    /// The production version of `model`, if any.
    public static func production(_ db: Database, model: String) throws -> VersionRecord? {
        try VersionRecord.fetchOne(
            db,
            sql: "SELECT * FROM versions WHERE model = ? AND state = 'production'",
            arguments: [model]
        )
    }

    /// Every production version, one per model.
    public static func allProduction(_ db: Database) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(db, sql: "SELECT * FROM versions WHERE state = 'production' ORDER BY model")
    }

    /// The production stints of `model`, oldest first.
    public static func history(_ db: Database, model: String) throws -> [ProductionStint] {
        try ProductionStint.fetchAll(
            db,
            sql: "SELECT * FROM production_history WHERE model = ? ORDER BY seq",
            arguments: [model]
        )
    }

    /// The current stint of `model`'s production version.
    public static func currentStint(_ db: Database, model: String) throws -> ProductionStint? {
        try ProductionStint.fetchOne(
            db,
            sql: "SELECT * FROM production_history WHERE model = ? AND until_at IS NULL",
            arguments: [model]
        )
    }

    /// The stint that covered `time` (an RFC 3339 UTC text as the store writes them).
    public static func stint(_ db: Database, model: String, at time: String) throws -> ProductionStint? {
        try ProductionStint.fetchOne(
            db,
            sql: """
                SELECT * FROM production_history WHERE model = ? AND from_at <= ? AND (until_at IS NULL OR until_at > ?)
                ORDER BY seq DESC LIMIT 1
                """,
            arguments: [model, time, time]
        )
    }

    /// The version a plain `rollback` returns to: the one in production before the current
    /// stint, unless it was archived since (then there is none).
    public static func rollbackTarget(_ db: Database, model: String) throws -> VersionRecord? {
        let stints = try ProductionStint.fetchAll(
            db,
            sql: "SELECT * FROM production_history WHERE model = ? ORDER BY seq DESC LIMIT 2",
            arguments: [model]
        )
        guard stints.count == 2, stints[0].until == nil else { return nil }
        guard let target = try version(db, model: model, version: stints[1].version), target.state == .staging else {
            return nil
        }
        return target
    }

    /// The version that was in production before the current stint, whatever its state.
    public static func previousProductionVersion(_ db: Database, model: String) throws -> String? {
        let stints = try String.fetchAll(
            db,
            sql: "SELECT version FROM production_history WHERE model = ? ORDER BY seq DESC LIMIT 2",
            arguments: [model]
        )
        return stints.count == 2 ? stints[1] : nil
    }

    /// The state changes of `model`'s versions, oldest first, by version.
    public static func events(_ db: Database, model: String) throws -> [String: [VersionEventDocument]] {
        var events: [String: [VersionEventDocument]] = [:]
        let rows = try VersionEventRow.fetchAll(
            db,
            sql: "SELECT * FROM version_events WHERE model = ? ORDER BY seq",
            arguments: [model]
        )
        for row in rows {
            events[row.version, default: []].append(
                VersionEventDocument(
                    from: row.fromState.flatMap(VersionState.init(rawValue:)),
                    to: VersionState(rawValue: row.toState) ?? .registered,
                    at: row.at,
                    by: row.actor,
                    job: row.jobID,
                    reason: row.reason,
                    forced: row.forced == 1
                )
            )
        }
        return events
    }

    /// A row of `version_events`, as ``events(_:model:)`` reads it.
    private struct VersionEventRow: Decodable, FetchableRecord {
        var version: String
        var fromState: String?
        var toState: String
        var at: String
        var actor: String
        var jobID: String?
        var reason: String?
        var forced: Int?

        enum CodingKeys: String, CodingKey {
            case version, at, actor, reason, forced
            case fromState = "from_state"
            case toState = "to_state"
            case jobID = "job_id"
        }
    }

    /// Adds `record` as a new version of its model (its `sequence` is the model's next) in
    /// `record.state`, and records the creation in `version_events`; the caller writes the
    /// audit entry. Returns the version as stored.
    @discardableResult
    public static func create(_ db: Database, _ record: VersionRecord, reason: String?) throws -> VersionRecord {
        let next = "SELECT COALESCE(MAX(sequence), 0) + 1 FROM versions WHERE model = ?"
        let sequence = try Int.fetchOne(db, sql: next, arguments: [record.model]) ?? 1
        try db.execute(
            sql: """
                INSERT INTO versions (model, version, sequence, state, artifact_sha256, model_sha256, schema, change,
                    parent_version, training_data, training_data_sha256, run_id, parameters, metrics, metric_value,
                    reference_file, reference_rows, description, created_at, created_by, job_id, state_changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.model, record.version, sequence, record.state.rawValue, record.artifactSHA256,
                record.modelSHA256, record.schema, record.change, record.parentVersion, record.trainingData,
                record.trainingDataSHA256,
                record.runID, record.parameters.storeText, record.metrics.storeText, record.metricValue,
                record.referenceFile, record.referenceRows, record.description, record.createdAt, record.createdBy,
                record.jobID, record.stateChangedAt,
            ]
        )
        try db.execute(
            sql: """
                INSERT INTO version_events (model, version, from_state, to_state, at, actor, job_id, reason)
                VALUES (?, ?, NULL, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.model, record.version, record.state.rawValue, record.createdAt, record.createdBy, record.jobID,
                reason,
            ]
        )
        guard let stored = try version(db, model: record.model, version: record.version) else {
            throw JobError(.internalError, "the version \(record.model) \(record.version) just created is gone")
        }
        return stored
    }

    /// Marks the stored files of `model`'s versions with artifact `sha256` removed, unless
    /// a version that is not archived, or one of another model, still uses them. Returns
    /// whether they were marked (and so may be deleted after the commit).
    public static func releaseArtifact(_ db: Database, sha256: String, model: String) throws -> Bool {
        let users =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM versions
                    WHERE artifact_sha256 = ? AND (state != 'archived' OR model != ?) AND artifact_removed = 0
                    """,
                arguments: [sha256, model]
            ) ?? 0
        guard users == 0 else { return false }
        try db.execute(
            sql: "UPDATE versions SET artifact_removed = 1 WHERE artifact_sha256 = ? AND model = ?",
            arguments: [sha256, model]
        )
        return true
    }

    /// The artifacts (SHA-256) any version still keeps in the store, in order: what a
    /// backup copies.
    static func keptArtifacts(_ db: Database) throws -> [String] {
        try String.fetchAll(
            db,
            sql: "SELECT DISTINCT artifact_sha256 FROM versions WHERE artifact_removed = 0 ORDER BY 1"
        )
    }

    /// The rejection for a version `model` does not have, with the closest one as the fix.
    static func unknownVersion(
        _ version: String,
        of model: String,
        among: [VersionRecord],
        at mark: SourceMark?
    ) -> JobError {
        let names = among.map(\.version)
        return JobError(
            .unknownVersion,
            "model \(model) has no version \(version)",
            at: mark,
            fix: Suggestion.closest(to: version, among: names).map { "did you mean \($0)?" }
                ?? (names.isEmpty
                    ? "create one with a create-version job" : "its versions are " + names.joined(separator: ", "))
        )
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
            self.init(
                name: context.submittedBy,
                uid: context.submitterUID,
                job: job.id,
                reason: job.reason,
                at: context.now
            )
        }
    }

    /// Moves one version to `to`, recording the event and an audit entry. The caller has
    /// checked ``VersionState/canMove(to:)``.
    public static func setState(
        _ db: Database,
        model: String,
        version: String,
        from: VersionState?,
        to: VersionState,
        by actor: Actor,
        forced: Bool = false,
        details: JSONValue = .object([:])
    ) throws {
        let now = Timestamp.string(actor.at)
        try db.execute(
            sql: "UPDATE versions SET state = ?, state_changed_at = ? WHERE model = ? AND version = ?",
            arguments: [to.rawValue, now, model, version]
        )
        try db.execute(
            sql: """
                INSERT INTO version_events (model, version, from_state, to_state, at, actor, job_id, reason, forced)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                model, version, from?.rawValue, to.rawValue, now, actor.name, actor.job, actor.reason, forced ? 1 : 0,
            ]
        )
        var audit: [String: JSONValue] = [
            "version": .string(version), "from": from.map { .string($0.rawValue) } ?? .null,
            "to": .string(to.rawValue),
        ]
        if forced { audit["forced"] = true }
        if case .object(let extra) = details { audit.merge(extra) { _, new in new } }
        try AuditLog.record(
            db,
            action: "version.\(to.rawValue)",
            actor: actor.name,
            actorUID: actor.uid,
            job: actor.job,
            model: model,
            reason: actor.reason,
            details: .object(audit),
            at: actor.at
        )
    }

    /// Makes `target` the production version of its model in one step: the current one
    /// (if any) goes back to `staging`, its stint ends, `target` starts a new stint. Inside
    /// one transaction, so no reader ever sees zero or two production versions.
    public static func switchProduction(
        _ db: Database,
        to target: VersionRecord,
        action: String,
        forced: Bool,
        by actor: Actor,
        details: JSONValue = .object([:])
    ) throws {
        let now = Timestamp.string(actor.at)
        if let current = try production(db, model: target.model) {
            try setState(
                db,
                model: current.model,
                version: current.version,
                from: .production,
                to: .staging,
                by: actor,
                details: ["replaced_by": .string(target.version)]
            )
        }
        try db.execute(
            sql: "UPDATE production_history SET until_at = ? WHERE model = ? AND until_at IS NULL",
            arguments: [now, target.model]
        )
        try setState(
            db,
            model: target.model,
            version: target.version,
            from: target.state,
            to: .production,
            by: actor,
            forced: forced,
            details: details
        )
        try db.execute(
            sql: """
                INSERT INTO production_history (model, version, from_at, action, forced, actor, job_id, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [target.model, target.version, now, action, forced ? 1 : 0, actor.name, actor.job, actor.reason]
        )
    }

    /// Records whether `version` won the A/B test it was the challenger in (the `ab_test`
    /// promotion gate reads it).
    static func setABTestWon(_ db: Database, model: String, version: String, won: Bool) throws {
        try db.execute(
            sql: "UPDATE versions SET ab_test_won = ? WHERE model = ? AND version = ?",
            arguments: [won ? 1 : 0, model, version]
        )
    }
}
