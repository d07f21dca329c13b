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
            guard let s = startedAt.flatMap(Timestamp.parse), let f = finishedAt.flatMap(Timestamp.parse) else {
                return nil
            }
            return f.timeIntervalSince(s)
        }

        /// What `pipeline-history` and the progress document show.
        public var document: StageDocument {
            StageDocument(
                stage: stage,
                number: stage.number,
                outcome: outcome,
                report: report,
                startedAt: startedAt,
                finishedAt: finishedAt,
                durationSeconds: duration.map { ($0 * 1000).rounded() / 1000 },
                exitCode: exitCode,
                signal: signal
            )
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
    public var document: RunDocument {
        RunDocument(
            runID: id,
            model: model,
            pipeline: pipeline,
            state: state,
            params: params,
            trigger: trigger,
            submittedBy: submittedBy,
            queuedAt: queuedAt,
            stagesTotal: PipelineStage.count,
            stages: stages.map(\.document),
            childrenSeconds: (childrenSeconds * 1000).rounded() / 1000,
            job: jobID,
            stage: stage,
            stageNumber: stage?.number,
            startedAt: startedAt,
            finishedAt: finishedAt,
            durationSeconds: duration().map { ($0 * 1000).rounded() / 1000 },
            version: version,
            error: error
        )
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
    static func insert(
        _ db: Database,
        id: String,
        model: String,
        pipeline: String,
        jobID: String?,
        params: JSONValue,
        definition: JSONValue,
        trigger: String,
        submittedBy: String,
        at: Date
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO pipeline_runs (id, model, pipeline, job_id, state, params, definition, trigger, submitted_by, queued_at)
                VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, model, pipeline, jobID, params.storeText, definition.storeText, trigger, submittedBy,
                Timestamp.string(at),
            ]
        )
        for stage in PipelineStage.allCases {
            try db.execute(
                sql: "INSERT INTO pipeline_stages (run_id, stage, position, outcome) VALUES (?, ?, ?, 'pending')",
                arguments: [id, stage.rawValue, stage.number]
            )
        }
    }

    /// The queued or running run of `model`, if any.
    static func active(_ db: Database, model: String) throws -> String? {
        try String.fetchOne(
            db,
            sql: "SELECT id FROM pipeline_runs WHERE model = ? AND state IN ('queued','running')",
            arguments: [model]
        )
    }

    /// The run `id` with its stages.
    public static func run(_ db: Database, id: String) throws -> RunRecord? {
        guard let row = try RunRow.fetchOne(db, sql: "SELECT * FROM pipeline_runs WHERE id = ?", arguments: [id]) else {
            return nil
        }
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
        return try RunRow.fetchAll(db, sql: sql, arguments: arguments).map { try record(db, row: $0) }
    }

    /// How many runs each state has, of `model` or of all models.
    static func countsByState(_ db: Database, model: String?) throws -> [String: Int] {
        var sql = "SELECT state, count(*) AS n FROM pipeline_runs"
        var arguments: StatementArguments = []
        if let model {
            sql += " WHERE model = ?"
            _ = arguments.append(contentsOf: [model])
        }
        let counts = try StateCount.fetchAll(db, sql: sql + " GROUP BY state", arguments: arguments)
        return Dictionary(counts.map { ($0.state, $0.n) }, uniquingKeysWith: +)
    }

    /// One row of ``countsByState(_:model:)``.
    private struct StateCount: Decodable, FetchableRecord {
        var state: String
        var n: Int
    }

    /// Ids of runs in `state` (and at `stage`, when given), oldest first.
    static func ids(_ db: Database, state: RunState, stage: PipelineStage? = nil) throws -> [String] {
        guard let stage else {
            return try String.fetchAll(
                db,
                sql: "SELECT id FROM pipeline_runs WHERE state = ? ORDER BY queued_at, id",
                arguments: [state.rawValue]
            )
        }
        return try String.fetchAll(
            db,
            sql: "SELECT id FROM pipeline_runs WHERE state = ? AND stage = ? ORDER BY queued_at, id",
            arguments: [state.rawValue, stage.rawValue]
        )
    }

    /// What a retraining's history entry shows of the run it started.
    struct RunOutcome: Decodable, FetchableRecord {
        var id: String
        /// The run's state.
        var state: String
        var startedAt: String?
        var finishedAt: String?
        var version: String?
        /// When the new version went into production: the deploy stage's end, when the
        /// monitor stage then ran for it.
        var deployedAt: String?

        enum CodingKeys: String, CodingKey {
            case id
            case state
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case version
            case deployedAt = "deployed_at"
        }
    }

    /// The outcomes of the runs `ids` (those that exist), by id.
    static func outcomes(_ db: Database, ids: Set<String>) throws -> [String: RunOutcome] {
        guard !ids.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let rows = try RunOutcome.fetchAll(
            db,
            sql: """
                SELECT r.id, r.state, r.started_at, r.finished_at, r.version,
                    (SELECT d.finished_at FROM pipeline_stages d JOIN pipeline_stages m ON m.run_id = d.run_id AND m.stage = 'monitor'
                     WHERE d.run_id = r.id AND d.stage = 'deploy' AND d.outcome = 'succeeded' AND m.outcome = 'succeeded') AS deployed_at
                FROM pipeline_runs r WHERE r.id IN (\(marks))
                """,
            arguments: StatementArguments(Array(ids))
        )
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The figures of the metrics file: runs by state with their wall and children seconds,
    /// and each model's latest finished run.
    static func figures(_ db: Database) throws -> MetricsSnapshot.PipelineFigures {
        var figures = MetricsSnapshot.PipelineFigures()
        let seconds = "COALESCE((julianday(finished_at) - julianday(started_at)) * 86400.0, 0)"
        for row in try StateFigures.fetchAll(
            db,
            sql: """
                SELECT state, COUNT(*) AS n, SUM(\(seconds)) AS seconds, SUM(children_seconds) AS children
                FROM pipeline_runs GROUP BY state
                """
        ) {
            switch row.state {
            case "queued": figures.queued = row.n
            case "running": figures.running = row.n
            default: figures.finished[row.state] = (row.n, row.seconds ?? 0, row.children ?? 0)
            }
        }
        figures.latest = try LatestRun.fetchAll(
            db,
            sql: """
                SELECT model, state, \(seconds) AS seconds FROM pipeline_runs r
                WHERE finished_at = (SELECT MAX(finished_at) FROM pipeline_runs WHERE model = r.model)
                GROUP BY model ORDER BY model
                """
        ).map { (model: $0.model, state: $0.state, seconds: $0.seconds ?? 0) }
        return figures
    }

    /// One row of ``figures(_:)``'s runs by state.
    private struct StateFigures: Decodable, FetchableRecord {
        var state: String
        var n: Int
        var seconds: Double?
        var children: Double?
    }

    /// One row of ``figures(_:)``'s latest runs.
    private struct LatestRun: Decodable, FetchableRecord {
        var model: String
        var state: String
        var seconds: Double?
    }

    /// The run of `row` with its stages.
    private static func record(_ db: Database, row: RunRow) throws -> RunRecord {
        let stages = try StageRow.fetchAll(
            db,
            sql: "SELECT * FROM pipeline_stages WHERE run_id = ? ORDER BY position",
            arguments: [row.id]
        ).compactMap { stage -> RunRecord.Stage? in
            guard let name = PipelineStage(rawValue: stage.stage) else { return nil }
            return RunRecord.Stage(
                stage: name,
                outcome: StageOutcome(rawValue: stage.outcome) ?? .pending,
                startedAt: stage.startedAt,
                finishedAt: stage.finishedAt,
                exitCode: stage.exitCode,
                signal: stage.signal,
                report: json(stage.report) ?? .null
            )
        }
        return RunRecord(
            id: row.id,
            model: row.model,
            pipeline: row.pipeline,
            jobID: row.jobID,
            state: RunState(rawValue: row.state) ?? .failed,
            stage: row.stage.flatMap(PipelineStage.init(rawValue:)),
            params: json(row.params) ?? .object([:]),
            trigger: row.trigger,
            submittedBy: row.submittedBy,
            queuedAt: row.queuedAt,
            startedAt: row.startedAt,
            finishedAt: row.finishedAt,
            version: row.version,
            error: json(row.error),
            childrenSeconds: row.childrenSeconds,
            stages: stages
        )
    }

    /// A `pipeline_runs` row as stored.
    private struct RunRow: Decodable, FetchableRecord {
        var id: String
        var model: String
        var pipeline: String
        var jobID: String?
        var state: String
        var stage: String?
        var params: String?
        var trigger: String
        var submittedBy: String
        var queuedAt: String
        var startedAt: String?
        var finishedAt: String?
        var version: String?
        var error: String?
        var childrenSeconds: Double

        enum CodingKeys: String, CodingKey {
            case id
            case model
            case pipeline
            case jobID = "job_id"
            case state
            case stage
            case params
            case trigger
            case submittedBy = "submitted_by"
            case queuedAt = "queued_at"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case version
            case error
            case childrenSeconds = "children_seconds"
        }
    }

    /// A `pipeline_stages` row as stored.
    private struct StageRow: Decodable, FetchableRecord {
        var stage: String
        var outcome: String
        var startedAt: String?
        var finishedAt: String?
        var exitCode: Int?
        var signal: Int?
        var report: String?

        enum CodingKeys: String, CodingKey {
            case stage
            case outcome
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case exitCode = "exit_code"
            case signal
            case report
        }
    }

    static func json(_ text: String?) -> JSONValue? {
        guard let text, !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Marks the run running (first stage about to start).
    static func start(_ db: Database, id: String, at: Date) throws {
        try db.execute(
            sql: "UPDATE pipeline_runs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'",
            arguments: [Timestamp.string(at), id]
        )
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
            arguments: [Timestamp.string(at), id, stage.rawValue]
        )
    }

    /// Marks `stage` running again with no end: a stage paused by a restart (an A/B test, a
    /// detached Slurm job) resumes at the next start.
    static func reopenStage(_ db: Database, id: String, stage: PipelineStage) throws {
        try db.execute(
            sql: "UPDATE pipeline_stages SET outcome = 'running', finished_at = NULL WHERE run_id = ? AND stage = ?",
            arguments: [id, stage.rawValue]
        )
    }

    /// Replaces the report of `stage` while it runs (the A/B test's progress).
    static func setStageReport(_ db: Database, id: String, stage: PipelineStage, report: JSONValue) throws {
        try db.execute(
            sql: "UPDATE pipeline_stages SET report = ? WHERE run_id = ? AND stage = ?",
            arguments: [report.storeText, id, stage.rawValue]
        )
    }

    /// Records how `stage` ended.
    static func endStage(
        _ db: Database,
        id: String,
        stage: PipelineStage,
        outcome: StageOutcome,
        report: JSONValue,
        exitCode: Int? = nil,
        signal: Int? = nil,
        childSeconds: Double = 0,
        at: Date
    ) throws {
        try db.execute(
            sql: """
                UPDATE pipeline_stages SET outcome = ?, finished_at = ?, report = ?, exit_code = ?, signal = ?,
                    started_at = COALESCE(started_at, ?)
                WHERE run_id = ? AND stage = ?
                """,
            arguments: [
                outcome.rawValue, Timestamp.string(at), report.storeText, exitCode, signal, Timestamp.string(at), id,
                stage.rawValue,
            ]
        )
        if childSeconds > 0 {
            try db.execute(
                sql: "UPDATE pipeline_runs SET children_seconds = children_seconds + ? WHERE id = ?",
                arguments: [childSeconds, id]
            )
        }
    }

    /// Ends the run in `state`; a stage still running becomes `runningStage` (cancelled or
    /// interrupted) and stages not reached become `skipped`.
    static func finish(
        _ db: Database,
        id: String,
        state: RunState,
        version: String?,
        error: JSONValue?,
        at: Date,
        runningStage: StageOutcome
    ) throws {
        let now = Timestamp.string(at)
        try db.execute(
            sql: "UPDATE pipeline_stages SET outcome = ?, finished_at = ? WHERE run_id = ? AND outcome = 'running'",
            arguments: [runningStage.rawValue, now, id]
        )
        try db.execute(
            sql: "UPDATE pipeline_stages SET outcome = 'skipped' WHERE run_id = ? AND outcome = 'pending'",
            arguments: [id]
        )
        try db.execute(
            sql:
                "UPDATE pipeline_runs SET state = ?, finished_at = ?, version = COALESCE(?, version), error = ? WHERE id = ?",
            arguments: [state.rawValue, now, version, error?.storeText, id]
        )
    }

    /// Records a started child so that a restarted daemon can find its process group.
    static func childStarted(
        _ db: Database,
        run: String,
        stage: PipelineStage,
        pid: Int32,
        pgid: Int32,
        startTime: UInt64,
        at: Date
    ) throws {
        try db.execute(
            sql:
                "INSERT INTO pipeline_children (run_id, stage, pid, pgid, start_time, started_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                run, stage.rawValue, Int64(pid), Int64(pgid), Int64(bitPattern: startTime), Timestamp.string(at),
            ]
        )
    }

    /// Records that a child (and its group) is gone.
    static func childEnded(_ db: Database, run: String, pid: Int32, at: Date) throws {
        try db.execute(
            sql: "UPDATE pipeline_children SET ended_at = ? WHERE run_id = ? AND pid = ? AND ended_at IS NULL",
            arguments: [Timestamp.string(at), run, Int64(pid)]
        )
    }

    /// Children recorded as possibly alive: (run, pid, pgid, start time).
    static func liveChildren(_ db: Database) throws -> [(run: String, pid: Int32, pgid: Int32, startTime: UInt64)] {
        let sql = "SELECT run_id, pid, pgid, start_time FROM pipeline_children WHERE ended_at IS NULL"
        return try ChildRow.fetchAll(db, sql: sql).map {
            (
                run: $0.runID, pid: Int32(truncatingIfNeeded: $0.pid), pgid: Int32(truncatingIfNeeded: $0.pgid),
                startTime: UInt64(bitPattern: $0.startTime)
            )
        }
    }

    /// A `pipeline_children` row as ``liveChildren(_:)`` reads it.
    private struct ChildRow: Decodable, FetchableRecord {
        var runID: String
        var pid: Int64
        var pgid: Int64
        var startTime: Int64

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case pid
            case pgid
            case startTime = "start_time"
        }
    }

    /// Marks every recorded child ended (after the strays were killed at start).
    static func allChildrenEnded(_ db: Database, at: Date) throws {
        try db.execute(
            sql: "UPDATE pipeline_children SET ended_at = ? WHERE ended_at IS NULL",
            arguments: [Timestamp.string(at)]
        )
    }
}
