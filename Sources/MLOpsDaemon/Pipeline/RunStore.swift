import Foundation
import GRDB
import MLOpsCore

/// One pipeline run as the store keeps it (`pipeline_runs` and its `pipeline_stages`).
public struct RunRecord: Sendable, Equatable {
    /// One stage of the run.
    public struct Stage: Sendable, Equatable {
        public var stage: PipelineStage
        public var outcome: StageOutcome
        public var startedAt: String?
        public var finishedAt: String?
        public var exitCode: Int?
        public var signal: Int?
        public var report: JSONValue

        /// Seconds from start to finish, when both are known.
        public var duration: Double? {
            guard let s = startedAt.flatMap(Timestamp.parse), let f = finishedAt.flatMap(Timestamp.parse) else { return nil }
            return f.timeIntervalSince(s)
        }

        /// What `pipeline-history` and the progress document show.
        public var document: JSONValue {
            var doc: [String: JSONValue] = [
                "stage": .string(stage.rawValue), "number": .int(stage.number), "outcome": .string(outcome.rawValue),
                "report": report,
            ]
            doc["started_at"] = startedAt.map(JSONValue.string) ?? .null
            doc["finished_at"] = finishedAt.map(JSONValue.string) ?? .null
            doc["duration_seconds"] = duration.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
            if let exitCode { doc["exit_code"] = .int(exitCode) }
            if let signal { doc["signal"] = .int(signal) }
            return .object(doc)
        }
    }

    public var id: String
    public var model: String
    public var pipeline: String
    public var jobID: String?
    public var state: RunState
    public var stage: PipelineStage?
    public var params: JSONValue
    /// What started the run: `run-pipeline` (a run-pipeline job), or the retraining
    /// trigger (`manual` for a retraining-trigger job, `scheduled`, `drift`, `decay`).
    public var trigger: String
    public var submittedBy: String
    public var queuedAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var version: String?
    public var error: JSONValue?
    /// Wall-clock seconds spent in stage children (the rest of a run's time is the daemon's).
    public var childrenSeconds: Double
    public var stages: [Stage]

    /// Seconds from start to finish (or to now while it runs).
    public func duration(now: Date = Date()) -> Double? {
        guard let s = startedAt.flatMap(Timestamp.parse) else { return nil }
        let end = finishedAt.flatMap(Timestamp.parse) ?? now
        return end.timeIntervalSince(s)
    }

    /// What `pipeline-history`, `mlopsctl run` and the run-pipeline result show.
    public var document: JSONValue {
        var doc: [String: JSONValue] = [
            "run_id": .string(id), "model": .string(model), "pipeline": .string(pipeline), "state": .string(state.rawValue),
            "params": params, "trigger": .string(trigger), "submitted_by": .string(submittedBy), "queued_at": .string(queuedAt),
            "stages_total": .int(PipelineStage.count), "stages": .array(stages.map(\.document)),
            "children_seconds": .double((childrenSeconds * 1000).rounded() / 1000),
        ]
        doc["job"] = jobID.map(JSONValue.string) ?? .null
        doc["stage"] = stage.map { .string($0.rawValue) } ?? .null
        doc["stage_number"] = stage.map { .int($0.number) } ?? .null
        doc["started_at"] = startedAt.map(JSONValue.string) ?? .null
        doc["finished_at"] = finishedAt.map(JSONValue.string) ?? .null
        doc["duration_seconds"] = duration().map { .double(($0 * 1000).rounded() / 1000) } ?? .null
        doc["version"] = version.map(JSONValue.string) ?? .null
        doc["error"] = error ?? .null
        return .object(doc)
    }
}

/// The SQL of pipeline runs: create, read, record stage outcomes, finish.
///
/// Every function takes the `Database` of a transaction the caller opened, so a run's
/// state and the job's result can change in one commit.
public enum RunStore {
    /// A new run id: UTC time to the second and 24 random bits, e.g. `20261129T190102-3fa9c1`.
    public static func newID(now: Date) -> String {
        var text = Timestamp.string(now)
        text = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let stamp = String(text.prefix(15))  // 20261129T190102
        let random = String(UInt32.random(in: 0..<(1 << 24)), radix: 16)
        return stamp + "-" + String(repeating: "0", count: 6 - random.count) + random
    }

    /// Inserts a queued run and its eight pending stages.
    static func insert(_ db: Database, id: String, model: String, pipeline: String, jobID: String?, params: JSONValue,
                       definition: JSONValue, trigger: String, submittedBy: String, at: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO pipeline_runs (id, model, pipeline, job_id, state, params, definition, trigger, submitted_by, queued_at)
                VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)
                """,
            arguments: [id, model, pipeline, jobID, params.storeText, definition.storeText, trigger, submittedBy, Timestamp.string(at)])
        for stage in PipelineStage.allCases {
            try db.execute(
                sql: "INSERT INTO pipeline_stages (run_id, stage, position, outcome) VALUES (?, ?, ?, 'pending')",
                arguments: [id, stage.rawValue, stage.number])
        }
    }

    /// The queued or running run of `model`, if any.
    static func active(_ db: Database, model: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM pipeline_runs WHERE model = ? AND state IN ('queued','running')", arguments: [model])
    }

    /// The run `id` with its stages.
    public static func run(_ db: Database, id: String) throws -> RunRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pipeline_runs WHERE id = ?", arguments: [id]) else { return nil }
        return try record(db, row: row)
    }

    /// Runs, newest first, optionally of one model and state.
    public static func runs(_ db: Database, model: String?, state: RunState?, limit: Int) throws -> [RunRecord] {
        var sql = "SELECT * FROM pipeline_runs WHERE 1"
        var arguments: StatementArguments = []
        if let model {
            sql += " AND model = ?"
            _ = arguments.append(contentsOf: [model])
        }
        if let state {
            sql += " AND state = ?"
            _ = arguments.append(contentsOf: [state.rawValue])
        }
        sql += " ORDER BY queued_at DESC, id DESC LIMIT ?"
        _ = arguments.append(contentsOf: [limit])
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try record(db, row: $0) }
    }

    /// Ids of runs in `state`, oldest first.
    static func ids(_ db: Database, state: RunState) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM pipeline_runs WHERE state = ? ORDER BY queued_at, id", arguments: [state.rawValue])
    }

    static func record(_ db: Database, row: Row) throws -> RunRecord {
        let id: String = row["id"]
        let stages = try Row.fetchAll(
            db, sql: "SELECT * FROM pipeline_stages WHERE run_id = ? ORDER BY position", arguments: [id]
        ).compactMap { row -> RunRecord.Stage? in
            guard let stage = PipelineStage(rawValue: row["stage"]) else { return nil }
            return RunRecord.Stage(
                stage: stage, outcome: StageOutcome(rawValue: row["outcome"]) ?? .pending, startedAt: row["started_at"],
                finishedAt: row["finished_at"], exitCode: row["exit_code"], signal: row["signal"], report: json(row["report"]) ?? .null)
        }
        return RunRecord(
            id: id, model: row["model"], pipeline: row["pipeline"], jobID: row["job_id"],
            state: RunState(rawValue: row["state"]) ?? .failed, stage: (row["stage"] as String?).flatMap(PipelineStage.init(rawValue:)),
            params: json(row["params"]) ?? .object([:]), trigger: row["trigger"], submittedBy: row["submitted_by"],
            queuedAt: row["queued_at"], startedAt: row["started_at"], finishedAt: row["finished_at"], version: row["version"],
            error: json(row["error"]), childrenSeconds: row["children_seconds"], stages: stages)
    }

    static func json(_ text: String?) -> JSONValue? {
        guard let text, !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Marks the run running (first stage about to start).
    static func start(_ db: Database, id: String, at: Date) throws {
        try db.execute(sql: "UPDATE pipeline_runs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'",
                       arguments: [Timestamp.string(at), id])
    }

    /// Marks `stage` running; a resumed stage keeps its first start.
    static func beginStage(_ db: Database, id: String, stage: PipelineStage, at: Date) throws {
        try db.execute(sql: "UPDATE pipeline_runs SET stage = ? WHERE id = ?", arguments: [stage.rawValue, id])
        // A stage already running is being resumed after a restart (a Slurm job re-attached,
        // an A/B test picked up): it keeps the start it had, so its duration is whole.
        try db.execute(
            sql: """
                UPDATE pipeline_stages SET started_at = CASE WHEN outcome = 'running' AND started_at IS NOT NULL
                    THEN started_at ELSE ? END, outcome = 'running'
                WHERE run_id = ? AND stage = ?
                """,
            arguments: [Timestamp.string(at), id, stage.rawValue])
    }

    /// Records how `stage` ended.
    static func endStage(_ db: Database, id: String, stage: PipelineStage, outcome: StageOutcome, report: JSONValue,
                         exitCode: Int? = nil, signal: Int? = nil, childSeconds: Double = 0, at: Date) throws {
        try db.execute(
            sql: """
                UPDATE pipeline_stages SET outcome = ?, finished_at = ?, report = ?, exit_code = ?, signal = ?,
                    started_at = COALESCE(started_at, ?)
                WHERE run_id = ? AND stage = ?
                """,
            arguments: [outcome.rawValue, Timestamp.string(at), report.storeText, exitCode, signal, Timestamp.string(at), id, stage.rawValue])
        if childSeconds > 0 {
            try db.execute(sql: "UPDATE pipeline_runs SET children_seconds = children_seconds + ? WHERE id = ?",
                           arguments: [childSeconds, id])
        }
    }

    /// Ends the run in `state`; a stage still running becomes `runningStage` (cancelled or
    /// interrupted) and stages not reached become `skipped`.
    static func finish(_ db: Database, id: String, state: RunState, version: String?, error: JSONValue?, at: Date,
                       runningStage: StageOutcome) throws {
        let now = Timestamp.string(at)
        try db.execute(
            sql: "UPDATE pipeline_stages SET outcome = ?, finished_at = ? WHERE run_id = ? AND outcome = 'running'",
            arguments: [runningStage.rawValue, now, id])
        try db.execute(
            sql: "UPDATE pipeline_stages SET outcome = 'skipped' WHERE run_id = ? AND outcome = 'pending'", arguments: [id])
        try db.execute(
            sql: "UPDATE pipeline_runs SET state = ?, finished_at = ?, version = COALESCE(?, version), error = ? WHERE id = ?",
            arguments: [state.rawValue, now, version, error?.storeText, id])
    }

    /// Records a started child so that a restarted daemon can find its process group.
    static func childStarted(_ db: Database, run: String, stage: PipelineStage, pid: Int32, pgid: Int32, startTime: UInt64, at: Date) throws {
        try db.execute(
            sql: "INSERT INTO pipeline_children (run_id, stage, pid, pgid, start_time, started_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [run, stage.rawValue, Int64(pid), Int64(pgid), Int64(bitPattern: startTime), Timestamp.string(at)])
    }

    /// Records that a child (and its group) is gone.
    static func childEnded(_ db: Database, run: String, pid: Int32, at: Date) throws {
        try db.execute(sql: "UPDATE pipeline_children SET ended_at = ? WHERE run_id = ? AND pid = ? AND ended_at IS NULL",
                       arguments: [Timestamp.string(at), run, Int64(pid)])
    }

    /// Children recorded as possibly alive: (run, pid, pgid, start time).
    static func liveChildren(_ db: Database) throws -> [(run: String, pid: Int32, pgid: Int32, startTime: UInt64)] {
        try Row.fetchAll(db, sql: "SELECT run_id, pid, pgid, start_time FROM pipeline_children WHERE ended_at IS NULL").map {
            (run: $0["run_id"], pid: Int32(truncatingIfNeeded: $0["pid"] as Int64), pgid: Int32(truncatingIfNeeded: $0["pgid"] as Int64),
             startTime: UInt64(bitPattern: $0["start_time"] as Int64))
        }
    }

    /// Marks every recorded child ended (after the strays were killed at start).
    static func allChildrenEnded(_ db: Database, at: Date) throws {
        try db.execute(sql: "UPDATE pipeline_children SET ended_at = ? WHERE ended_at IS NULL", arguments: [Timestamp.string(at)])
    }
}
