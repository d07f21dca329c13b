import Foundation
import GRDB
import MLOpsCore

/// The one owner of the `predictions` table within monitoring: logging predictions,
/// joining labels, and reading the latest window of a model version for a check.
///
/// Every read of a model's predictions stops below the first row of an ingestion under
/// way (``PendingIngestions``): a large file's rows are stored before its job commits and
/// are not seen until it does.
enum PredictionStore {
    /// Stores predictions one by one through one prepared statement (a `log-predictions`
    /// job may carry a million).
    struct Inserter {
        let db: Database
        let statement: Statement

        /// Stores `record` of `model` made by `version`, logged at `now` by job `job`;
        /// false when a prediction with its id was logged before (nothing is stored then).
        func insert(
            _ record: PredictionRecord,
            model: String,
            version: String?,
            now: String,
            job: String
        ) throws -> Bool {
            try statement.execute(arguments: [
                model, record.id, version, record.variant, record.at, now, Data(record.numericBlob),
                PredictionRecord.encodeText(record.categorical), PredictionRecord.encodeText(record.segments),
                record.prediction, record.score, record.probabilities?.storeText, record.label,
                record.label == nil ? nil : now, job,
            ])
            return db.changesCount == 1
        }
    }

    /// An ``Inserter`` for the transaction of `db`.
    static func inserter(_ db: Database) throws -> Inserter {
        Inserter(
            db: db,
            statement: try db.makeStatement(
                sql: """
                    INSERT INTO predictions (model, id, version, variant, at, logged_at, numeric, categorical, segments,
                        prediction, score, probabilities, label, labelled_at, job_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (model, id) DO NOTHING
                    """
            )
        )
    }

    /// Joins labels to logged predictions through two prepared statements.
    struct Labeller {
        let lookup: Statement
        let update: Statement

        /// The prediction `id` of `model`: nil when it was never logged, else its label
        /// (nil inside when it has none yet).
        func label(model: String, id: String) throws -> String?? {
            guard let row = try Row.fetchOne(lookup, arguments: [model, id]) else { return nil }
            return .some(row[0])
        }

        /// Sets the label of prediction `id` of `model`, labelled at `now`.
        func setLabel(_ label: String, model: String, id: String, now: String) throws {
            try update.execute(arguments: [label, now, model, id])
        }
    }

    /// A ``Labeller`` for the transaction of `db`.
    static func labeller(_ db: Database) throws -> Labeller {
        Labeller(
            // No bound: a label job of a model never runs while the model has an ingestion.
            lookup: try db.makeStatement(sql: "SELECT label FROM predictions WHERE model = ? AND id = ?"),
            update: try db.makeStatement(
                sql: "UPDATE predictions SET label = ?, labelled_at = ? WHERE model = ? AND id = ?"
            )
        )
    }

    /// The `seq` of the latest prediction logged for `model` (0 before the first): where an
    /// A/B test starts counting.
    static func lastSeq(_ db: Database, model: String) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: "SELECT COALESCE(MAX(seq), 0) FROM predictions WHERE model = ? AND seq < ?",
            arguments: [model, try bound(db, model: model)]
        ) ?? 0
    }

    /// The `seq` the next stored prediction gets at least (AUTOINCREMENT never reuses one).
    static func nextSeq(_ db: Database) throws -> Int64 {
        (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'predictions'") ?? 0) + 1
    }

    /// Deletes up to `limit` predictions of `model` that job `job` logged, from `seq`
    /// `first` on (an ingestion that did not commit); returns how many.
    static func deleteLogged(_ db: Database, model: String, from first: Int64, job: String, limit: Int) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM predictions WHERE seq IN (
                    SELECT seq FROM predictions WHERE model = ? AND seq >= ? AND job_id = ? LIMIT ?)
                """,
            arguments: [model, first, job, limit]
        )
        return db.changesCount
    }

    /// The `seq` below which `model`'s predictions are seen (``PendingIngestions``).
    static func bound(_ db: Database, model: String) throws -> Int64 {
        try PendingIngestions.visibleBelow(db, model: model) ?? Int64.max
    }

    /// The latest `size` predictions of `model` `version` into columns: the numeric BLOBs
    /// are copied, text columns split, nothing is parsed as JSON.
    static func window(
        _ db: Database,
        model: String,
        version: String,
        spec: ModelSpec,
        size: Int
    ) throws -> MonitoringWindow {
        let numericCount = spec.features.filter { $0.type == .numerical }.count
        let categoricalCount = spec.features.count - numericCount
        let segmentCount = spec.segmentFields.count
        var numeric = PredictionRecord.NumericColumnDecoder(width: numericCount, capacity: size)
        var categorical: [[String?]] = Array(repeating: [], count: categoricalCount)
        var segments: [[String?]] = Array(repeating: [], count: segmentCount)
        var predictions: [String] = []
        var labels: [String?] = []
        var scores: [Double?] = []
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT numeric, categorical, segments, prediction, label, score FROM predictions
                WHERE model = ? AND seq < ? AND version = ? ORDER BY seq DESC LIMIT ?
                """,
            arguments: [model, try bound(db, model: model), version, size]
        )
        var rows = 0
        while let row = try cursor.next() {
            rows += 1
            let decoded = try row.withUnsafeData(atIndex: 0) { blob -> Bool in
                guard let blob else { return false }
                blob.withUnsafeBytes { numeric.append($0) }
                return true
            }
            if !decoded { numeric.appendMissing() }
            if categoricalCount > 0 {
                let values = PredictionRecord.decodeText(row[1] ?? "", count: categoricalCount)
                for i in 0..<categoricalCount { categorical[i].append(values[i]) }
            }
            if segmentCount > 0 {
                let values = PredictionRecord.decodeText(row[2] ?? "", count: segmentCount)
                for i in 0..<segmentCount { segments[i].append(values[i]) }
            }
            predictions.append(row[3] ?? "")
            labels.append(row[4])
            scores.append(row[5])
        }
        return MonitoringWindow(
            count: rows,
            numeric: numeric.finish(),
            categorical: categorical,
            segments: segments,
            predictions: predictions,
            labels: labels,
            scores: scores
        )
    }

    /// Labelled predictions of `model` after `since` per A/B arm, and how many were right:
    /// the `variant` says which arm (`champion`/`challenger`); without one, the
    /// prediction's version does.
    static func armCounts(
        _ db: Database,
        model: String,
        champion: String,
        challenger: String,
        since: Int64
    ) throws -> (champion: (n: Int, correct: Int), challenger: (n: Int, correct: Int)) {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT CASE WHEN variant = 'challenger' OR (variant IS NULL AND version = ?) THEN 'challenger'
                            WHEN variant = 'champion' OR (variant IS NULL AND version = ?) THEN 'champion' END AS arm,
                       COUNT(*) AS n, SUM(prediction = label) AS correct
                FROM predictions WHERE model = ? AND seq > ? AND seq < ? AND label IS NOT NULL GROUP BY arm
                """,
            arguments: [challenger, champion, model, since, try bound(db, model: model)]
        )
        var counts = (champion: (n: 0, correct: 0), challenger: (n: 0, correct: 0))
        for row in rows {
            let arm = (n: row["n"] as Int, correct: row["correct"] as Int? ?? 0)
            switch row["arm"] as String? {
            case "champion": counts.champion = arm
            case "challenger": counts.challenger = arm
            default: break
            }
        }
        return counts
    }

    /// The logged `probabilities` (JSON object text, nil when absent) of the same rows as
    /// ``window(_:model:version:spec:size:)``, in its order: read only for a multiclass model
    /// whose version has reference outputs (output drift and the estimate per class).
    static func windowProbabilities(_ db: Database, model: String, version: String, size: Int) throws -> [String?] {
        try String?.fetchAll(
            db,
            sql: """
                SELECT probabilities FROM predictions
                WHERE model = ? AND seq < ? AND version = ? ORDER BY seq DESC LIMIT ?
                """,
            arguments: [model, try bound(db, model: model), version, size]
        )
    }
}
