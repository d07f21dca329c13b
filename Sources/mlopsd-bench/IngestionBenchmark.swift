import Foundation
import GRDB
import MLOpsCore

/// `log-predictions` of one large CSV file (7 numerical features, 2 segment columns, a
/// prediction and a score per row) through the real daemon, beside SQLite's own bulk
/// insert rate on this machine, measured in the same run: the same table, indexes and rows,
/// one prepared statement in one transaction, `synchronous=FULL` and WAL as the daemon runs
/// (issue 22's ingestion case).
struct IngestionBenchmark {
    /// What the run measured.
    struct Figures: Codable, Sendable {
        var rows: Int
        var fileBytes: Int
        /// Drop to result file.
        var wallSeconds: Double
        /// The job's own `started_at` to `finished_at` (read, check, store, commit).
        var daemonSeconds: Double
        var rowsPerSecond: Double
        /// SQLite alone: the same rows inserted by one prepared statement, one transaction.
        var sqliteSeconds: Double
        var sqliteRowsPerSecond: Double
    }

    static let features = 7
    let executable: String
    let root: String

    func run(rows: Int, progress: (String) -> Void) throws(BenchError) -> Figures {
        let layout = DaemonProcess.Layout(root: root + "/ingest")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        progress("ingestion: writing a CSV file of \(Report.grouped(rows)) predictions (7 features, 2 segments)")
        let file = layout.data + "/predictions.csv"
        let bytes = Self.csv(rows: rows)
        try FileSystem.writeFile(file, bytes)

        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 60)
        let watcher = try ResultWatcher(directory: layout.results)
        let dropper = JobDropper(layout: layout)
        try dropper.drop("reg", Array(Self.registerModel().utf8))
        try watcher.wait(timeout: 60, stall: 60, "the model's registration") { watcher.arrival(of: "reg.json") != nil }
        _ = try layout.succeededResult("reg")

        progress("ingestion: log-predictions of the file through the daemon")
        let start = MonotonicClock.now()
        try dropper.drop("ingest", Array("kind: log-predictions\nmodel: ingest\nparams:\n  file: \(file)\n".utf8))
        try watcher.wait(timeout: 900, stall: 900, "the ingestion's result") {
            watcher.arrival(of: "ingest.json") != nil
        }
        let wall = MonotonicClock.seconds(from: start, to: watcher.arrival(of: "ingest.json") ?? start)
        let result = try layout.succeededResult("ingest")
        guard result.result?["ingested"]?.intValue == rows else {
            throw .daemon("ingest stored \(result.result?["ingested"]?.intValue ?? -1) of \(rows) rows")
        }
        var daemonSeconds = wall
        if let started = result.startedAt.flatMap(Timestamp.parse),
            let finished = result.finishedAt.flatMap(Timestamp.parse)
        {
            daemonSeconds = finished.timeIntervalSince(started)
        }
        try daemon.stop(timeout: 60)
        progress("  \(Report.grouped(Double(rows) / max(daemonSeconds, 1e-9))) rows/s")

        progress("ingestion: SQLite's own bulk insert of the same rows")
        let sqliteSeconds = try Self.sqliteInsert(rows: rows, path: layout.root + "/raw.sqlite")
        progress("  \(Report.grouped(Double(rows) / max(sqliteSeconds, 1e-9))) rows/s")
        return Figures(
            rows: rows,
            fileBytes: bytes.count,
            wallSeconds: wall,
            daemonSeconds: daemonSeconds,
            rowsPerSecond: Double(rows) / max(daemonSeconds, 1e-9),
            sqliteSeconds: sqliteSeconds,
            sqliteRowsPerSecond: Double(rows) / max(sqliteSeconds, 1e-9)
        )
    }

    /// The rows `make bench` prints.
    static func lines(_ f: Figures) -> [String] {
        let ratio = f.rowsPerSecond / max(f.sqliteRowsPerSecond, 1e-9)
        return [
            Report.row(
                "log-predictions \(Report.grouped(f.rows)) rows (7 + 2 cols)",
                "\(Report.grouped(f.rowsPerSecond)) rows/s",
                "\(String(format: "%.2f", ratio)) of SQLite's bulk insert, \(Report.grouped(f.sqliteRowsPerSecond)) rows/s; "
                    + "\(String(format: "%.1f", f.daemonSeconds)) s in the daemon, \(String(format: "%.1f", f.wallSeconds)) s drop→result"
            )
        ]
    }

    static func registerModel() -> String {
        var text = "kind: register-model\nmodel: ingest\nparams:\n  task: binary_classification\n  features:\n"
        for f in 0..<features { text += "    - {name: f\(f), type: numerical}\n" }
        text += "  target: label\n  classes: [normal, pneumonia]\n  segments:\n"
        text += "    equipment: [scanner]\n    population: [band]\n"
        return text
    }

    /// `rows` rows: id, 7 features with 6 decimals, scanner, band, prediction, score.
    static func csv(rows: Int) -> [UInt8] {
        var rng = DriftBenchmark.Random(state: 20_261_206)
        var out: [UInt8] = []
        out.reserveCapacity(rows * 90)
        out += Array(
            ("id," + (0..<features).map { "f\($0)" }.joined(separator: ",") + ",scanner,band,prediction,score\n").utf8
        )
        let scanners = ["S0", "S1", "S2"].map { Array($0.utf8) }
        let bands = ["b0", "b1", "b2", "b3"].map { Array($0.utf8) }
        for r in 0..<rows {
            out += Array("p\(r),".utf8)
            for _ in 0..<features {
                DriftBenchmark.appendFixed(&out, 50 + 10 * rng.normal(), decimals: 6)
                out.append(UInt8(ascii: ","))
            }
            out += scanners[Int(rng.next() % 3)]
            out.append(UInt8(ascii: ","))
            out += bands[Int(rng.next() % 4)]
            out += Array((rng.next() % 2 == 0 ? ",normal," : ",pneumonia,").utf8)
            DriftBenchmark.appendFixed(&out, Double(rng.next() % 1000) / 1000, decimals: 3)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// Seconds SQLite takes to insert `rows` rows shaped as the daemon stores them into a
    /// fresh table with the daemon's indexes: one prepared statement, one transaction, WAL,
    /// `synchronous=FULL` (the arguments are built before the clock starts).
    static func sqliteInsert(rows: Int, path: String) throws(BenchError) -> Double {
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE predictions (
                            seq INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, id TEXT NOT NULL,
                            version TEXT, variant TEXT, at TEXT NOT NULL, logged_at TEXT NOT NULL,
                            numeric BLOB NOT NULL, categorical TEXT NOT NULL, segments TEXT NOT NULL,
                            prediction TEXT NOT NULL, score REAL, probabilities TEXT, label TEXT,
                            labelled_at TEXT, job_id TEXT, UNIQUE (model, id));
                        CREATE INDEX predictions_window ON predictions(model, seq);
                        CREATE INDEX predictions_labelled ON predictions(model, seq) WHERE label IS NOT NULL;
                        """
                )
            }
            var rng = DriftBenchmark.Random(state: 7)
            let now = "2026-12-06T12:00:00.000Z"
            let arguments: [StatementArguments] = (0..<rows).map { r in
                var blob: [UInt8] = []
                for _ in 0..<features {
                    withUnsafeBytes(of: (50 + 10 * rng.normal()).bitPattern.littleEndian) { blob += $0 }
                }
                return [
                    "ingest", "p\(r)", nil, nil, now, now, Data(blob), "", "S\(r % 3)\u{1F}b\(r % 4)",
                    r % 2 == 0 ? "normal" : "pneumonia", Double(r % 1000) / 1000, nil, nil, nil, "ingest",
                ]
            }
            let start = MonotonicClock.now()
            try queue.write { db in
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO predictions (model, id, version, variant, at, logged_at, numeric, categorical, segments,
                            prediction, score, probabilities, label, labelled_at, job_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (model, id) DO NOTHING
                        """
                )
                for argument in arguments { try statement.execute(arguments: argument) }
            }
            let seconds = MonotonicClock.seconds(from: start, to: MonotonicClock.now())
            try queue.close()
            return seconds
        } catch {
            throw .system("SQLite bulk insert: \(error)")
        }
    }
}
