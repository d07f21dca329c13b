import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Kill -9 torture (docs/reliability.md): the real mlopsd under a seeded mixed
/// stream of jobs, SIGKILLed at seeded moments and restarted, with the exactly-once and
/// consistency invariants checked after every cycle.
///
/// Short form: `swift test --filter TortureTests` (50 cycles). Long form:
/// `MLOPSD_TORTURE_CYCLES=1000 swift test --skip-build --filter TortureTests` (`make torture`).
/// `MLOPSD_TORTURE_SEED` replays a stream.
@Suite(.serialized) struct TortureTests {
    static let model = "chest-xray"

    /// Seeded generator (SplitMix64): the same seed drops the same jobs and waits the same times.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    }

    /// What the test submitted, to compare the store's effects against.
    struct Submitted {
        var kind: String
        /// log-predictions: the number of records (all with fresh ids).
        var records = 0
    }

    final class Torture: @unchecked Sendable {
        // @unchecked Sendable: used from the one test task only.
        let h: DaemonHarness
        var rng: Rng
        var jobs: [String: Submitted] = [:]
        var order: [String] = []
        var predictionIDs: [String] = []
        var serial = 0
        var pipelineKills = 0
        let referenceCSV: String
        let dataCSV: String
        /// What each spool JSON file held when last read, keyed by `sub/name` and valid while
        /// its inode, size and mtime are unchanged: every cycle re-checks every file, but only
        /// new or rewritten ones are read again (1,000 cycles would otherwise re-read
        /// thousands of files per poll). A rewritten file is read afresh, so a result
        /// overwritten by a replay is still seen.
        var parsed: [String: ParsedFile] = [:]

        struct ParsedFile {
            var identity: [Int]
            var isJSON: Bool
            var status: String?
        }

        init(seed: UInt64) throws {
            // Every prediction file is staged (read beside the engine), so kills land in its
            // chunks, its commit and the jobs held behind it too.
            h = try DaemonHarness(config: "inline_data_file_bytes: 0", name: "torture")
            rng = Rng(state: seed)
            let repo = PipelineDaemonTests.repository
            let demo = try String(contentsOfFile: repo + "/examples/demo-data/chest-xray-train.csv", encoding: .utf8)
            let lines = demo.split(separator: "\n", omittingEmptySubsequences: true)
            referenceCSV = lines.prefix(201).joined(separator: "\n") + "\n"
            dataCSV = lines.prefix(401).joined(separator: "\n") + "\n"
        }

        var data: String { h.root + "/data" }

        func setUp() throws {
            let fm = FileManager.default
            try fm.createDirectory(atPath: data, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: h.root + "/pipelines", withIntermediateDirectories: true)
            try writeFile(data + "/train.csv", Data(dataCSV.utf8))
            // The trainer's prepared artifact: the pipeline copies it, adds the run id (so
            // every run's artifact is distinct) and sleeps, so kills land inside the stage.
            let art = try artifact("pipeline-artifact", weights: "pipeline")
            let script =
                "cp -R \(art)/. \"$MLOPSD_OUTPUT\"/ && echo \"$MLOPSD_RUN_ID\" > \"$MLOPSD_OUTPUT/run.txt\" && sleep 0.4"
            try writeFile(
                h.root + "/pipelines/tiny.yaml",
                Data(
                    """
                    parameters:
                      data: {type: path, required: true}
                    stages:
                      collect_data: {copy: data, holdout_share: 0.2}
                      validate_data: {min_rows: 10}
                      train:
                        argv: [/bin/sh, -c, \(PipelineDaemonTests.yamlString(script))]
                        timeout: 60

                    """.utf8
                )
            )
            // A deploy hook that takes a moment, so kills land inside promotions too.
            let hook = h.root + "/hook.sh"
            try writeFile(hook, Data("#!/bin/sh\nsleep 0.05\nexit 0\n".utf8))
            chmod(hook, 0o755)
            try h.writeConfig(
                """
                pipelines_dir: \(h.root)/pipelines
                stop_grace: 2
                deploy_hook: [\(hook)]
                """
            )
            try h.start()
            let register = try String(
                contentsOfFile: PipelineDaemonTests.repository + "/examples/register-chest-xray.yaml",
                encoding: .utf8
            )
            try submit(
                "reg",
                kind: "register-model",
                register.replacingOccurrences(of: "id: register-chest-xray", with: "id: reg")
            )
            try expectSucceeded("reg")
            try submit("cv-0", kind: "create-version", createVersion(try artifact("art-0", weights: "w0")))
            try expectSucceeded("cv-0")
            try submit(
                "pv-0",
                kind: "promote-version",
                "kind: promote-version\nmodel: \(Self.modelName)\nid: pv-0\nparams: {version: 1.0.0}\n"
            )
            try expectSucceeded("pv-0")
        }

        static var modelName: String { TortureTests.model }

        func expectSucceeded(_ id: String) throws {
            let doc = try h.waitForResult(id, timeout: 60)
            guard doc.status == .succeeded else {
                throw TestFailure("\(id): \(doc.status) \(doc.error?.code ?? "") \(doc.error?.message ?? "")")
            }
        }

        /// An artifact directory under data/: model file, metrics, reference rows.
        func artifact(_ name: String, weights: String) throws -> String {
            let dir = data + "/" + name
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try writeFile(dir + "/model.bin", Data(weights.utf8))
            try writeFile(dir + "/metrics.json", Data(#"{"roc_auc": 0.9}"#.utf8))
            try writeFile(dir + "/reference.csv", Data(referenceCSV.utf8))
            return dir
        }

        func createVersion(_ dir: String) -> String {
            "kind: create-version\nmodel: \(Self.modelName)\nparams:\n  artifact: \(dir)\n"
        }

        func submit(_ id: String, kind: String, _ text: String) throws {
            var body = text
            if !body.contains("\nid: ") && !body.hasPrefix("id: ") && kind != "malformed" { body += "id: \(id)\n" }
            jobs[id] = Submitted(kind: kind)
            order.append(id)
            try h.drop("\(id).yaml", body)
        }

        func record(_ id: String, rng: inout Rng) -> String {
            let ages = ["18-39", "40-64", "65+"]
            return
                "    - {id: \(id), prediction: \(rng.chance(0.5) ? "normal" : "pneumonia"), patient_age: \(rng.int(20...90)), "
                + "exposure_kvp: \(rng.int(100...130)).5, view_position: PA, scanner_model: AcmeRad X1, site: ward-\(rng.int(1...5)), "
                + "age_band: \"\(ages[rng.int(0...2)])\", sex: \(rng.chance(0.5) ? "f" : "m")}\n"
        }

        /// One job of a seeded kind.
        func dropRandomJob() throws {
            serial += 1
            let n = serial
            let m = Self.modelName
            switch rng.int(0...99) {
            case 0..<16:
                try submit("cv-\(n)", kind: "create-version", createVersion(try artifact("art-\(n)", weights: "w\(n)")))
            case 16..<28:
                let versions = try h.readStore { db in
                    try String.fetchAll(
                        db,
                        sql: "SELECT version FROM versions WHERE model = ? AND state != 'production'",
                        arguments: [m]
                    )
                }
                let version = versions.isEmpty ? "1.0.0" : versions[rng.int(0...(versions.count - 1))]
                try submit(
                    "pv-\(n)",
                    kind: "promote-version",
                    "kind: promote-version\nmodel: \(m)\nparams: {version: \(version)}\n"
                )
            case 28..<44:
                let count = rng.int(1...20)
                var text = "kind: log-predictions\nmodel: \(m)\nparams:\n  records:\n"
                for i in 0..<count {
                    let id = "p\(n)-\(i)"
                    predictionIDs.append(id)
                    text += record(id, rng: &rng)
                }
                try submit("lp-\(n)", kind: "log-predictions", text)
                jobs["lp-\(n)"]?.records = count
            case 44..<52:
                let count = rng.int(1...40)
                var csv = "id,prediction,patient_age,exposure_kvp,view_position,scanner_model,site,age_band,sex\n"
                for i in 0..<count {
                    let id = "c\(n)-\(i)"
                    predictionIDs.append(id)
                    csv += "\(id),normal,\(rng.int(20...90)),115.0,AP,AcmeRad X1,ward-2,40-64,m\n"
                }
                try writeFile(data + "/preds-\(n).csv", Data(csv.utf8))
                try submit(
                    "lc-\(n)",
                    kind: "log-predictions",
                    "kind: log-predictions\nmodel: \(m)\nparams:\n  file: \(data)/preds-\(n).csv\n"
                )
                jobs["lc-\(n)"]?.records = count
            case 52..<62:
                guard !predictionIDs.isEmpty else { return try dropRandomJob() }
                var text = "kind: log-ground-truth\nmodel: \(m)\nparams:\n  labels:\n"
                for _ in 0..<rng.int(1...5) {
                    text +=
                        "    - {id: \(predictionIDs[rng.int(0...(predictionIDs.count - 1))]), label: \(rng.chance(0.5) ? "normal" : "pneumonia")}\n"
                }
                try submit("gt-\(n)", kind: "log-ground-truth", text)
            case 62..<68:
                try submit("mm-\(n)", kind: "monitor-model", "kind: monitor-model\nmodel: \(m)\n")
            case 68..<80:
                try submit(
                    "rp-\(n)",
                    kind: "run-pipeline",
                    "kind: run-pipeline\nmodel: \(m)\nparams:\n  pipeline: tiny\n  data: \(data)/train.csv\n"
                )
            case 80..<85:
                try submit("bad-\(n)", kind: "malformed", "kind: [list-models\nmodel: {\n")
            case 85..<90:
                try submit(
                    "unk-\(n)",
                    kind: "malformed",
                    "kind: monitor-model\nmodel: \(m)\nid: unk-\(n)\nbogus_key: 1\n"
                )
            case 90..<94:
                let target = data + "/symtarget-\(n).yaml"
                try writeFile(target, Data("kind: list-models\n".utf8))
                jobs["sym-\(n)"] = Submitted(kind: "hostile")
                order.append("sym-\(n)")
                guard symlink(target, "\(h.spool)/incoming/sym-\(n).yaml") == 0 else {
                    throw TestFailure("symlink: \(errno)")
                }
            case 94..<97:
                jobs["fifo-\(n)"] = Submitted(kind: "hostile")
                order.append("fifo-\(n)")
                guard mkfifo("\(h.spool)/incoming/fifo-\(n).yaml", 0o644) == 0 else {
                    throw TestFailure("mkfifo: \(errno)")
                }
            default:
                let target = data + "/linked-\(n).yaml"
                try writeFile(target, Data("kind: list-models\n".utf8))
                jobs["hl-\(n)"] = Submitted(kind: "hostile")
                order.append("hl-\(n)")
                guard link(target, "\(h.spool)/incoming/hl-\(n).yaml") == 0 else { throw TestFailure("link: \(errno)") }
            }
        }

        /// Result files per job id: `<id>.json`, or `<id>+<inode>.json` for rejected names.
        func resultFiles() -> [String: [String]] {
            var map: [String: [String]] = [:]
            for name in h.names(in: "results") where name.hasSuffix(".json") {
                let stem = String(name.dropLast(5))
                let id = stem.split(separator: "+", maxSplits: 1).first.map(String.init) ?? stem
                map[id, default: []].append(name)
            }
            return map
        }

        /// `sub/name` in the spool as last read (re-read when inode, size or mtime changed).
        func parsedFile(_ sub: String, _ name: String) -> ParsedFile {
            let path = "\(h.spool)/\(sub)/\(name)"
            var st = stat()
            let identity =
                lstat(path, &st) == 0
                ? [Int(st.st_ino), Int(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec] : []
            if let cached = parsed["\(sub)/\(name)"], cached.identity == identity, !identity.isEmpty { return cached }
            let data = FileManager.default.contents(atPath: path)
            let isJSON = data.map { (try? JSONSerialization.jsonObject(with: $0)) != nil } ?? false
            let status = sub == "results" ? data.flatMap { try? ResultDocument.decode($0) }?.status.rawValue : nil
            let file = ParsedFile(identity: identity, isJSON: isJSON, status: status)
            parsed["\(sub)/\(name)"] = file
            return file
        }

        /// Waits until every submitted job has a final result (a deadline, not a sleep).
        func drain(timeout: Double = 90) throws {
            try waitUntil(
                timeout: timeout,
                "a final result for every job (daemon stderr: \(h.process?.stderrText.suffix(1500) ?? ""))"
            ) {
                let files = resultFiles()
                for id in order {
                    guard let names = files[id], names.count == 1 else { return false }
                    guard let status = parsedFile("results", names[0]).status,
                        ResultDocument.Status(rawValue: status)?.isFinal == true
                    else { return false }
                }
                return h.names(in: "active").isEmpty && h.names(in: "incoming").isEmpty
            }
        }

        /// MLOPSD_RUN_ID values of live (non-zombie) processes.
        static func liveRunIDs() -> [String: [Int32]] {
            var map: [String: [Int32]] = [:]
            let prefix = Array("MLOPSD_RUN_ID=".utf8)
            for pid in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init) {
                guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
                if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z"
                {
                    continue
                }
                for entry in environ.split(separator: 0) where Array(entry).starts(with: prefix) {
                    map[String(decoding: entry.dropFirst(prefix.count), as: UTF8.self), default: []].append(pid)
                }
            }
            return map
        }

        /// Every invariant; `final` once the daemon runs again and all jobs must have exactly
        /// one final result. Between a kill and the restart the serving link may be ahead of
        /// the store (a promotion's switch happens before its commit; the restart reconciles
        /// it before READY), so the links are checked only against a running daemon.
        func check(final: Bool) throws {
            // Results: at most one file per job, exactly one final one when drained.
            let files = resultFiles()
            for id in order {
                let names = files[id] ?? []
                if names.count > 1 { throw TestFailure("job \(id) has \(names.count) result files: \(names)") }
                if final && names.count != 1 { throw TestFailure("job \(id) has no result") }
            }
            // Every JSON document in results/ and alerts/ parses.
            for sub in ["results", "alerts"] {
                for name in h.names(in: sub) where name.hasSuffix(".json") {
                    guard parsedFile(sub, name).isJSON else { throw TestFailure("\(sub)/\(name) is not valid JSON") }
                }
            }
            let store = try h.readStore { db in
                (
                    integrity: try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                    jobStates: Dictionary(
                        try Row.fetchAll(db, sql: "SELECT id, state FROM jobs").map {
                            ($0["id"] as String, $0["state"] as String)
                        },
                        uniquingKeysWith: { a, _ in a }
                    ),
                    versionsPerJob: try Row.fetchAll(
                        db,
                        sql:
                            "SELECT job_id, COUNT(*) AS n FROM versions WHERE job_id IS NOT NULL GROUP BY job_id HAVING n > 1"
                    ),
                    promotionsPerJob: try Row.fetchAll(
                        db,
                        sql:
                            "SELECT job_id, COUNT(*) AS n FROM production_history WHERE job_id IS NOT NULL GROUP BY job_id HAVING n > 1"
                    ),
                    predictionsPerJob: Dictionary(
                        try Row.fetchAll(db, sql: "SELECT job_id, COUNT(*) AS n FROM predictions GROUP BY job_id").map {
                            ($0["job_id"] as String? ?? "", $0["n"] as Int)
                        },
                        uniquingKeysWith: +
                    ),
                    duplicatePredictions: try Int.fetchOne(
                        db,
                        sql: "SELECT COUNT(*) FROM (SELECT 1 FROM predictions GROUP BY model, id HAVING COUNT(*) > 1)"
                    ) ?? 0,
                    production: try Row.fetchAll(
                        db,
                        sql: "SELECT model, artifact_sha256 FROM versions WHERE state = 'production'"
                    ),
                    productionCount: try Row.fetchAll(
                        db,
                        sql:
                            "SELECT model, COUNT(*) AS n FROM production_history WHERE until_at IS NULL GROUP BY model HAVING n > 1"
                    ),
                    endedRuns: Set(
                        try String.fetchAll(
                            db,
                            sql:
                                "SELECT id FROM pipeline_runs WHERE state IN ('succeeded','failed','cancelled','interrupted')"
                        )
                    )
                )
            }
            if store.integrity != ["ok"] { throw TestFailure("integrity_check: \(store.integrity)") }
            if !store.versionsPerJob.isEmpty {
                throw TestFailure("one job created several versions: \(store.versionsPerJob)")
            }
            if !store.promotionsPerJob.isEmpty {
                throw TestFailure("one job promoted twice: \(store.promotionsPerJob)")
            }
            if !store.productionCount.isEmpty {
                throw TestFailure("two current production stints: \(store.productionCount)")
            }
            if store.duplicatePredictions != 0 {
                throw TestFailure("\(store.duplicatePredictions) prediction ids ingested twice")
            }
            for (id, submitted) in jobs where submitted.kind == "log-predictions" {
                let ingested = store.predictionsPerJob[id] ?? 0
                let state = store.jobStates[id]
                if state == "succeeded" && ingested != submitted.records {
                    throw TestFailure("\(id): \(ingested) predictions stored for \(submitted.records) records")
                }
                if state != "succeeded" && ingested != 0 {
                    throw TestFailure("\(id) (\(state ?? "unfinished")) left \(ingested) predictions")
                }
            }
            // The result file agrees with the store's record of the job.
            if final {
                for id in order {
                    guard let state = store.jobStates[id], let name = files[id]?.first,
                        let status = parsedFile("results", name).status
                    else { continue }
                    if status != state { throw TestFailure("\(id): result \(status), store \(state)") }
                }
            }
            // Serving links agree with the store's production versions.
            for row in store.production where final {
                let model: String = row["model"]
                let sha: String = row["artifact_sha256"]
                let link = try? FileManager.default.destinationOfSymbolicLink(
                    atPath: "\(h.state)/serving/\(model)/current"
                )
                guard let link, link.hasSuffix("artifacts/" + sha) else {
                    throw TestFailure("serving/\(model)/current → \(link ?? "nothing"), store says artifacts/\(sha)")
                }
            }
            // No child of an ended run is alive.
            for (run, pids) in Self.liveRunIDs() where store.endedRuns.contains(run) {
                throw TestFailure("run \(run) is over in the store but its processes \(pids) live on")
            }
        }
    }

    @Test func killNineTorture() throws {
        let env = ProcessInfo.processInfo.environment
        let cycles = env["MLOPSD_TORTURE_CYCLES"].flatMap(Int.init) ?? 50
        let seed = env["MLOPSD_TORTURE_SEED"].flatMap(UInt64.init) ?? 20_261_129
        let started = Date()
        let t = try Torture(seed: seed)
        try t.setUp()
        var kills = 0
        var maxCycle = 0.0
        for cycle in 1...cycles {
            let cycleStart = Date()
            for _ in 0..<t.rng.int(1...5) { try t.dropRandomJob() }
            // The moment of the kill: immediately (claims, attempts), within a store
            // transaction or result write (a few ms), or well into a pipeline stage.
            let wait: Int
            switch t.rng.int(0...9) {
            case 0: wait = 0
            case 1...5: wait = t.rng.int(1...40)
            case 6...7: wait = t.rng.int(40...200)
            default: wait = t.rng.int(200...900)
            }
            let deadline = Date().addingTimeInterval(Double(wait) / 1000)
            while Date() < deadline { usleep(1_000) }  // the kill's moment: a deadline, nothing waits on it
            try t.h.kill9()
            kills += 1
            do {
                try t.check(final: false)
                try t.h.start()
                try t.drain()
                try t.check(final: true)
            } catch {
                throw TestFailure("cycle \(cycle) (seed \(seed)): \(error)")
            }
            maxCycle = max(maxCycle, Date().timeIntervalSince(cycleStart))
        }
        try t.drain()
        try t.check(final: true)
        let (results, interrupted, runs, versions, predictions) = try t.h.readStore { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs WHERE state = 'interrupted'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions") ?? 0
            )
        }
        let resultFiles = t.resultFiles().values.reduce(0) { $0 + $1.count }
        let elapsed = Date().timeIntervalSince(started)
        print(
            String(
                format:
                    "torture: seed %llu, %d cycles (%d kill -9), %d jobs, %d result files, %d jobs in the store, %d pipeline runs (%d interrupted), %d versions, %d predictions, %.1f s (slowest cycle %.2f s)",
                seed,
                cycles,
                kills,
                t.order.count,
                resultFiles,
                results,
                runs,
                interrupted,
                versions,
                predictions,
                elapsed,
                maxCycle
            )
        )
        var outcomes: [String: Int] = [:]
        for (id, names) in t.resultFiles() {
            guard let data = FileManager.default.contents(atPath: "\(t.h.spool)/results/\(names[0])"),
                let doc = try? ResultDocument.decode(data)
            else { continue }
            outcomes["\(t.jobs[id]?.kind ?? "?") \(doc.status.rawValue) \(doc.error?.code ?? "")", default: 0] += 1
        }
        print(
            "torture outcomes: "
                + outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        )
        #expect(resultFiles == t.order.count)
        t.h.cleanUp()
    }
}
