import Foundation
import GRDB
import MLOpsCore

/// Retraining history and statistics (docs/design.md §9), and the SQL of
/// `retraining_events`: every retraining started (`fired`) and every trigger held back
/// (`suppressed`), with its evidence. The outcome, duration and version of the run an
/// event started come from ``RunStore`` once the run ended.
enum RetrainingHistory {
    /// One retraining, or one trigger held back.
    struct Entry {
        var seq: Int64
        var model: String
        var at: String
        var trigger: String
        var fired: Bool
        var reason: String?
        var message: String?
        var evidence: JSONValue
        var checkSeq: Int64?
        var detectedAt: String?
        var runID: String?
        var jobID: String?
        var submittedBy: String
        /// How many times in a row this trigger was held back for this reason, and the latest time.
        var occurrences: Int
        var lastAt: String?
        /// From the run, when one was started.
        var outcome: String?
        var duration: Double?
        var version: String?
        /// When the new version went into production (the deploy stage's end, when the
        /// monitor stage then ran for it).
        var deployedAt: String?

        /// Seconds from the first sign (detection) to the new version in production.
        var detectionToDeployment: Double? {
            guard let d = detectedAt.flatMap(Timestamp.parse), let p = deployedAt.flatMap(Timestamp.parse) else {
                return nil
            }
            return p.timeIntervalSince(d)
        }

        /// The state of the run the entry started, once read.
        var runState: RunState? { outcome.flatMap(RunState.init(rawValue:)) }

        /// The entry as `retraining-history` shows it.
        var document: RetrainingHistoryEntry {
            RetrainingHistoryEntry(
                seq: Int(seq),
                model: model,
                at: at,
                trigger: trigger,
                action: fired ? "fired" : "suppressed",
                evidence: evidence,
                submittedBy: submittedBy,
                reason: reason,
                message: message,
                check: checkSeq.map { Int($0) },
                detectedAt: detectedAt,
                runID: runID,
                job: jobID,
                occurrences: fired ? nil : occurrences,
                lastAt: fired ? nil : (lastAt ?? at),
                outcome: fired ? outcome : nil,
                durationSeconds: fired ? duration.map { ($0 * 1000).rounded() / 1000 } : nil,
                version: fired ? version : nil,
                deployedAt: fired ? deployedAt : nil,
                detectionToDeploymentSeconds: fired ? detectionToDeployment.map { ($0 * 1000).rounded() / 1000 } : nil
            )
        }
    }

    /// Entries, newest first, with the outcome of the runs they started.
    static func entries(
        _ db: Database,
        model: String?,
        trigger: String? = nil,
        includeSuppressed: Bool = true,
        since: Date? = nil,
        limit: Int? = nil,
        now: Date = Date()
    ) throws -> [Entry] {
        var sql = "SELECT * FROM retraining_events WHERE 1"
        var arguments: StatementArguments = []
        if let model {
            sql += " AND model = ?"
            _ = arguments.append(contentsOf: [model])
        }
        if let trigger {
            sql += " AND trigger = ?"
            _ = arguments.append(contentsOf: [trigger])
        }
        if !includeSuppressed { sql += " AND action = 'fired'" }
        if let since {
            sql += " AND at >= ?"
            _ = arguments.append(contentsOf: [Timestamp.string(since)])
        }
        sql += " ORDER BY seq DESC"
        if let limit {
            sql += " LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
        }
        let events = try EventRow.fetchAll(db, sql: sql, arguments: arguments)
        let runs = try RunStore.outcomes(db, ids: Set(events.compactMap(\.runID)))
        return events.map { event in
            let run = event.runID.flatMap { runs[$0] }
            let started = run?.startedAt.flatMap(Timestamp.parse)
            let finished = run?.finishedAt.flatMap(Timestamp.parse)
            let duration = started.map { (finished ?? now).timeIntervalSince($0) }
            return Entry(
                seq: event.seq,
                model: event.model,
                at: event.at,
                trigger: event.trigger,
                fired: event.action == "fired",
                reason: event.reason,
                message: event.message,
                evidence: RunStore.json(event.evidence) ?? .object([:]),
                checkSeq: event.checkSeq,
                detectedAt: event.detectedAt,
                runID: event.runID,
                jobID: event.jobID,
                submittedBy: event.submittedBy,
                occurrences: event.occurrences,
                lastAt: event.lastAt,
                outcome: run?.state,
                duration: duration,
                version: run?.version,
                deployedAt: run?.deployedAt
            )
        }
    }

    /// A `retraining_events` row as stored.
    private struct EventRow: Decodable, FetchableRecord {
        var seq: Int64
        var model: String
        var at: String
        var trigger: String
        var action: String
        var reason: String?
        var message: String?
        var evidence: String?
        var checkSeq: Int64?
        var detectedAt: String?
        var runID: String?
        var jobID: String?
        var submittedBy: String
        var occurrences: Int
        var lastAt: String?

        enum CodingKeys: String, CodingKey {
            case seq
            case model
            case at
            case trigger
            case action
            case reason
            case message
            case evidence
            case checkSeq = "check_seq"
            case detectedAt = "detected_at"
            case runID = "run_id"
            case jobID = "job_id"
            case submittedBy = "submitted_by"
            case occurrences
            case lastAt = "last_at"
        }
    }

    /// Statistics over `entries`: by trigger and outcome, reasons held back, success rate,
    /// mean duration and mean time from detection to deployment.
    static func statistics(_ entries: [Entry]) -> RetrainingStatistics {
        let fired = entries.filter(\.fired)
        let finished = fired.filter { $0.runState?.isFinal == true }
        let succeeded = finished.filter { $0.runState == .succeeded }
        var byTrigger: [String: RetrainingStatistics.TriggerCounts] = [:]
        for trigger in RetrainingTrigger.allCases.map(\.rawValue) {
            let mine = entries.filter { $0.trigger == trigger }
            let started = mine.filter(\.fired)
            byTrigger[trigger] = RetrainingStatistics.TriggerCounts(
                retrainings: started.count,
                suppressed: mine.filter { !$0.fired }.map(\.occurrences).reduce(0, +),
                succeeded: started.filter { $0.runState == .succeeded }.count,
                failed: started.filter { $0.runState?.isFinal == true && $0.runState != .succeeded }.count
            )
        }
        var byOutcome: [String: Int] = [:]
        for entry in fired { byOutcome[entry.outcome ?? "unknown", default: 0] += 1 }
        var byReason: [String: Int] = [:]
        for entry in entries where !entry.fired { byReason[entry.reason ?? "unknown", default: 0] += entry.occurrences }
        let durations = finished.compactMap(\.duration)
        let toDeploy = fired.compactMap(\.detectionToDeployment)
        func mean(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : (values.reduce(0, +) / Double(values.count) * 1000).rounded() / 1000
        }
        return RetrainingStatistics(
            retrainings: fired.count,
            suppressed: byReason.values.reduce(0, +),
            finished: finished.count,
            byTrigger: byTrigger,
            byOutcome: byOutcome,
            suppressedByReason: byReason,
            successRate: finished.isEmpty
                ? nil : (Double(succeeded.count) / Double(finished.count) * 10_000).rounded() / 10_000,
            meanDurationSeconds: mean(durations),
            deployments: toDeploy.count,
            meanDetectionToDeploymentSeconds: mean(toDeploy),
            versionsProduced: fired.compactMap { $0.runState == .succeeded ? $0.version : nil }
        )
    }

    // MARK: - Recording (the only writer of `retraining_events`)

    /// One event to record.
    struct Event {
        var model: String
        var at: Date
        var trigger: RetrainingTrigger
        var fired: Bool
        /// The suppression code (`run_active`, `cooldown`, `cap_reached`, `refused`); nil when fired.
        var reason: String?
        var message: String?
        var evidence: JSONValue
        var checkSeq: Int64?
        var detectedAt: Date?
        var runID: String?
        var jobID: String?
        var submittedBy: String
    }

    /// Appends `entry`; returns its sequence number.
    @discardableResult
    static func record(_ db: Database, _ entry: Event) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO retraining_events (model, at, trigger, action, reason, message, evidence, check_seq, detected_at,
                    run_id, job_id, submitted_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.model, Timestamp.string(entry.at), entry.trigger.rawValue, entry.fired ? "fired" : "suppressed",
                entry.reason, entry.message, entry.evidence.storeText, entry.checkSeq,
                entry.detectedAt.map(Timestamp.string), entry.runID, entry.jobID, entry.submittedBy,
            ]
        )
        return db.lastInsertedRowID
    }

    /// Records a trigger held back: a new row, or one more occurrence on the model's latest
    /// event of that trigger when it was held back for the same reason (no new row for
    /// every check of a long drift episode). Returns whether it was a repeat.
    static func recordSuppressed(_ db: Database, _ entry: Event) throws -> Bool {
        if let latest = try LatestEvent.fetchOne(
            db,
            sql:
                "SELECT seq, action, reason FROM retraining_events WHERE model = ? AND trigger = ? ORDER BY seq DESC LIMIT 1",
            arguments: [entry.model, entry.trigger.rawValue]
        ),
            latest.action == "suppressed", latest.reason == entry.reason
        {
            let seq = latest.seq
            try db.execute(
                sql: """
                    UPDATE retraining_events SET occurrences = occurrences + 1, last_at = ?, message = ?, evidence = ?,
                        check_seq = COALESCE(?, check_seq) WHERE seq = ?
                    """,
                arguments: [Timestamp.string(entry.at), entry.message, entry.evidence.storeText, entry.checkSeq, seq]
            )
            return true
        }
        try record(db, entry)
        return false
    }

    /// When `model` was last retrained (automatic or manual), if ever.
    static func lastFired(_ db: Database, model: String) throws -> Date? {
        try String.fetchOne(
            db,
            sql: "SELECT at FROM retraining_events WHERE model = ? AND action = 'fired' ORDER BY seq DESC LIMIT 1",
            arguments: [model]
        ).flatMap(Timestamp.parse)
    }

    /// Automatic retrainings of all models started after `since`.
    static func automaticSince(_ db: Database, _ since: Date) throws -> Int {
        try Int.fetchOne(
            db,
            sql: "SELECT count(*) FROM retraining_events WHERE action = 'fired' AND trigger != 'manual' AND at > ?",
            arguments: [Timestamp.string(since)]
        ) ?? 0
    }

    /// The latest event of a model's trigger, as ``recordSuppressed(_:_:)`` reads it.
    private struct LatestEvent: Decodable, FetchableRecord {
        var seq: Int64
        var action: String
        var reason: String?
    }
}
