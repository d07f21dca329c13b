import Foundation
import GRDB
import MLOpsCore

/// Retraining history and statistics (docs/design.md §9): the events of `retraining_events`
/// joined with the runs they started, whose outcome, duration and version come from
/// `pipeline_runs` once the run ended.
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
            guard let d = detectedAt.flatMap(Timestamp.parse), let p = deployedAt.flatMap(Timestamp.parse) else { return nil }
            return p.timeIntervalSince(d)
        }

        var document: JSONValue {
            var doc: [String: JSONValue] = [
                "seq": .int(Int(seq)), "model": .string(model), "at": .string(at), "trigger": .string(trigger),
                "action": .string(fired ? "fired" : "suppressed"), "evidence": evidence, "submitted_by": .string(submittedBy),
            ]
            doc["reason"] = reason.map(JSONValue.string) ?? .null
            doc["message"] = message.map(JSONValue.string) ?? .null
            doc["check"] = checkSeq.map { .int(Int($0)) } ?? .null
            doc["detected_at"] = detectedAt.map(JSONValue.string) ?? .null
            doc["run_id"] = runID.map(JSONValue.string) ?? .null
            doc["job"] = jobID.map(JSONValue.string) ?? .null
            if !fired {
                doc["occurrences"] = .int(occurrences)
                doc["last_at"] = .string(lastAt ?? at)
            }
            if fired {
                doc["outcome"] = outcome.map(JSONValue.string) ?? .null
                doc["duration_seconds"] = duration.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
                doc["version"] = version.map(JSONValue.string) ?? .null
                doc["deployed_at"] = deployedAt.map(JSONValue.string) ?? .null
                doc["detection_to_deployment_seconds"] = detectionToDeployment.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
            }
            return .object(doc)
        }
    }

    /// Entries, newest first.
    static func entries(_ db: Database, model: String?, trigger: String? = nil, includeSuppressed: Bool = true, since: Date? = nil,
                        limit: Int? = nil, now: Date = Date()) throws -> [Entry] {
        var sql = """
            SELECT e.*, r.state AS run_state, r.started_at AS run_started, r.finished_at AS run_finished, r.version AS run_version,
                (SELECT d.finished_at FROM pipeline_stages d JOIN pipeline_stages m ON m.run_id = d.run_id AND m.stage = 'monitor'
                 WHERE d.run_id = e.run_id AND d.stage = 'deploy' AND d.outcome = 'succeeded' AND m.outcome = 'succeeded') AS deployed_at
            FROM retraining_events e LEFT JOIN pipeline_runs r ON r.id = e.run_id WHERE 1
            """
        var arguments: StatementArguments = []
        if let model {
            sql += " AND e.model = ?"
            _ = arguments.append(contentsOf: [model])
        }
        if let trigger {
            sql += " AND e.trigger = ?"
            _ = arguments.append(contentsOf: [trigger])
        }
        if !includeSuppressed { sql += " AND e.action = 'fired'" }
        if let since {
            sql += " AND e.at >= ?"
            _ = arguments.append(contentsOf: [Timestamp.string(since)])
        }
        sql += " ORDER BY e.seq DESC"
        if let limit {
            sql += " LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let started = (row["run_started"] as String?).flatMap(Timestamp.parse)
            let finished = (row["run_finished"] as String?).flatMap(Timestamp.parse)
            let duration = started.map { (finished ?? now).timeIntervalSince($0) }
            return Entry(
                seq: row["seq"], model: row["model"], at: row["at"], trigger: row["trigger"], fired: (row["action"] as String) == "fired",
                reason: row["reason"], message: row["message"], evidence: RunStore.json(row["evidence"]) ?? .object([:]),
                checkSeq: row["check_seq"], detectedAt: row["detected_at"], runID: row["run_id"], jobID: row["job_id"],
                submittedBy: row["submitted_by"], occurrences: row["occurrences"], lastAt: row["last_at"], outcome: row["run_state"], duration: duration, version: row["run_version"],
                deployedAt: row["deployed_at"])
        }
    }

    /// Statistics over `entries`: by trigger and outcome, reasons held back, success rate,
    /// mean duration and mean time from detection to deployment.
    static func statistics(_ entries: [Entry]) -> JSONValue {
        let fired = entries.filter(\.fired)
        let finished = fired.filter { ["succeeded", "failed", "cancelled", "interrupted"].contains($0.outcome ?? "") }
        let succeeded = finished.filter { $0.outcome == "succeeded" }
        var byTrigger: [String: JSONValue] = [:]
        for trigger in RetrainingTrigger.allCases.map(\.rawValue) {
            let mine = entries.filter { $0.trigger == trigger }
            let started = mine.filter(\.fired)
            byTrigger[trigger] = [
                "retrainings": .int(started.count), "suppressed": .int(mine.filter { !$0.fired }.map(\.occurrences).reduce(0, +)),
                "succeeded": .int(started.filter { $0.outcome == "succeeded" }.count),
                "failed": .int(started.filter { ["failed", "cancelled", "interrupted"].contains($0.outcome ?? "") }.count),
            ]
        }
        var byOutcome: [String: Int] = [:]
        for entry in fired { byOutcome[entry.outcome ?? "unknown", default: 0] += 1 }
        var byReason: [String: Int] = [:]
        for entry in entries where !entry.fired { byReason[entry.reason ?? "unknown", default: 0] += entry.occurrences }
        let durations = finished.compactMap(\.duration)
        let toDeploy = fired.compactMap(\.detectionToDeployment)
        func mean(_ values: [Double]) -> JSONValue {
            values.isEmpty ? .null : .double((values.reduce(0, +) / Double(values.count) * 1000).rounded() / 1000)
        }
        return [
            "retrainings": .int(fired.count),
            "suppressed": .int(byReason.values.reduce(0, +)),
            "finished": .int(finished.count),
            "by_trigger": .object(byTrigger),
            "by_outcome": .object(byOutcome.mapValues { .int($0) }),
            "suppressed_by_reason": .object(byReason.mapValues { .int($0) }),
            "success_rate": finished.isEmpty ? .null : .double((Double(succeeded.count) / Double(finished.count) * 10_000).rounded() / 10_000),
            "mean_duration_seconds": mean(durations),
            "deployments": .int(toDeploy.count),
            "mean_detection_to_deployment_seconds": mean(toDeploy),
            "versions_produced": .array(fired.compactMap { $0.outcome == "succeeded" ? $0.version : nil }.map(JSONValue.string)),
        ]
    }
}
