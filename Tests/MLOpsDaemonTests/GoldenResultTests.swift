import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Golden result documents: the real daemon (real spool, real SQLite, real stage children)
/// runs the demo's job sequence (scripts/demo.sh) and at least one job of every kind, plus
/// rejected and failed jobs, and each result file is compared with
/// `Golden/<nn>-<job-id>.json` beside this file.
///
/// What is compared: the result file's bytes, parsed into ``GoldenJSON`` (numbers kept as
/// written), with the values that legitimately differ per run replaced by placeholders
/// (``GoldenNormaliser``), printed back the way the daemon prints (sorted keys, pretty, no
/// escaped slashes). Before normalising, the test checks that printing the parsed file
/// gives back its exact bytes, so a golden file is the daemon's output, byte for byte,
/// apart from the placeholders. (Result files end without a newline; golden files with one.)
///
/// Recording: `MLOPSD_GOLDEN_RECORD=1 swift test --filter GoldenResultTests` writes the
/// golden files (and removes stale ones) and then fails on purpose, saying so; run it
/// again without the variable to compare.
@Suite(.serialized) struct GoldenResultTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden"
    ).path
    static var recording: Bool { ProcessInfo.processInfo.environment["MLOPSD_GOLDEN_RECORD"] == "1" }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A pipeline whose train stage (a shell the test chose) waits until it is cancelled.
    /// The golden inputs live in this file, so changes to other tests' fixtures leave them be.
    static let hangingPipeline = """
        parameters:
          data: {type: path, required: true}
        stages:
          collect_data: {copy: data, holdout_share: 0.2}
          train:
            argv: [/bin/sh, -c, "sleep 1000 & wait"]
            timeout: 600

        """

    /// `count` predictions from the demo data's rows (from `offset`), `exposure_kvp` shifted
    /// by `shift`, written to data/<prefix>.csv; the path.
    static func predictions(_ h: DaemonHarness, prefix: String, offset: Int, count: Int, shift: Double) throws -> String
    {
        let text = try String(contentsOfFile: h.root + "/data/train.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init) else { throw TestFailure("empty data") }
        let columns = ["patient_age", "exposure_kvp", "view_position", "scanner_model", "site", "age_band", "sex"]
        let index = columns.compactMap { header.firstIndex(of: $0) }
        guard index.count == columns.count, let finding = header.firstIndex(of: "finding") else {
            throw TestFailure("columns")
        }
        var csv = "id," + columns.joined(separator: ",") + ",prediction\n"
        for n in 0..<count {
            let cells = lines[1 + (offset + n) % (lines.count - 1)].split(
                separator: ",",
                omittingEmptySubsequences: false
            ).map(String.init)
            var row = index.map { cells[$0] }
            if let value = Double(row[1]) { row[1] = String(format: "%.1f", value + shift) }
            csv += "\(prefix)-\(n)," + row.joined(separator: ",") + "," + cells[finding] + "\n"
        }
        let path = h.root + "/data/\(prefix).csv"
        try writeFile(path, Data(csv.utf8))
        return path
    }

    @Test func resultDocumentsOfEveryKindMatchTheGoldenFiles() throws {
        let started = Date()
        let h = try DaemonHarness(name: "golden")
        defer { h.cleanUp() }
        let repository = Self.repository
        let data = h.root + "/data"
        let pipelines = h.root + "/pipelines"
        for dir in [data, pipelines] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(
            atPath: repository + "/etc/pipelines/default.yaml",
            toPath: pipelines + "/default.yaml"
        )
        try writeFile(pipelines + "/hang.yaml", Data(Self.hangingPipeline.utf8))
        // As demo.sh: the example artifacts and the demo training data under a data root.
        for build in ["chest-xray-build-41", "chest-xray-build-42"] {
            try FileManager.default.copyItem(
                atPath: repository + "/examples/artifacts/" + build,
                toPath: data + "/" + build
            )
        }
        try FileManager.default.copyItem(
            atPath: repository + "/examples/demo-data/chest-xray-train.csv",
            toPath: data + "/train.csv"
        )
        // A third build whose roc_auc (0.80) fails the policy's min_metric (0.85).
        try FileManager.default.copyItem(atPath: data + "/chest-xray-build-41", toPath: data + "/chest-xray-build-43")
        try FileManager.default.removeItem(atPath: data + "/chest-xray-build-43/metrics.json")
        try writeFile(data + "/chest-xray-build-43/metrics.json", Data(#"{"roc_auc": 0.80, "accuracy": 0.79}"#.utf8))
        try writeFile(data + "/chest-xray-build-43/model.bin", Data("chest-xray build 43: a weaker model\n".utf8))
        // A fourth build (roc_auc 0.92), so that archiving keeps 1.3.0 and archives 1.2.0.
        try FileManager.default.copyItem(atPath: data + "/chest-xray-build-42", toPath: data + "/chest-xray-build-44")
        try FileManager.default.removeItem(atPath: data + "/chest-xray-build-44/metrics.json")
        try writeFile(data + "/chest-xray-build-44/metrics.json", Data(#"{"roc_auc": 0.92, "accuracy": 0.88}"#.utf8))
        try writeFile(data + "/chest-xray-build-44/model.bin", Data("chest-xray build 44\n".utf8))
        try h.writeConfig("pipelines_dir: \(pipelines)\nstop_grace: 2\nbackup_dir: \(h.root)/backups")
        try h.start()

        let run = GoldenRun(h)
        let register = try String(contentsOfFile: repository + "/examples/register-chest-xray.yaml", encoding: .utf8)
        let site = "chest-xray-site2"

        // --- The demo (scripts/demo.sh), step by step, as mlopsctl would write the jobs. ---
        // 1. Register the example model (the file's own id).
        try run.submit("register-chest-xray", register, expect: .succeeded)
        // (2. `mlopsctl submit` refuses the misspelt example offline: nothing reaches the daemon.)
        // 3. The misspelt example (`parms:`) dropped straight into the spool.
        try run.submit(
            "typo",
            try String(contentsOfFile: repository + "/examples/misspelt.yaml", encoding: .utf8),
            expect: .rejected
        )
        // 4. Two versions from the example artifacts.
        for build in ["41", "42"] {
            try run.submit(
                "create-v\(build)",
                """
                kind: create-version
                model: chest-xray
                params:
                  artifact: \(data)/chest-xray-build-\(build)
                  run_id: build-\(build)

                """,
                expect: .succeeded
            )
        }
        // 5. Promote 1.0.0, then 1.1.0, then roll back; `mlopsctl versions`.
        try run.submit(
            "promote-1.0.0",
            promote("chest-xray", "1.0.0", reason: "demo: first deployment"),
            expect: .succeeded
        )
        try run.submit(
            "promote-1.1.0",
            promote("chest-xray", "1.1.0", reason: "demo: build 42 is better"),
            expect: .succeeded
        )
        try run.submit(
            "rollback",
            "kind: rollback\nmodel: chest-xray\nreason: \"demo: practising the way back\"\n",
            expect: .succeeded
        )
        try run.submit(
            "versions",
            "kind: list-versions\nmodel: chest-xray\nparams:\n  include_archived: true\n  history: true\n",
            expect: .succeeded
        )
        // 6. A second site's model, trained by the default pipeline (mlops-train) and deployed.
        try run.submit(
            "register-site2",
            register.replacingOccurrences(of: "model: chest-xray\n", with: "model: \(site)\n")
                .replacingOccurrences(of: "id: register-chest-xray", with: "id: register-site2"),
            expect: .succeeded
        )
        try run.submit(
            "pipeline-site2",
            pipeline(site, data: data + "/train.csv", reason: "demo: train on this site's data"),
            expect: .succeeded,
            timeout: 240
        )
        // 7. The same for chest-xray: its production version is better, validate_model refuses.
        try run.submit(
            "pipeline-chest-xray",
            pipeline("chest-xray", data: data + "/train.csv"),
            expect: .failed,
            timeout: 240
        )
        // 8. `mlopsctl production` and `mlopsctl health` of the second site's model.
        try run.submit("production-site2", "kind: get-production-model\nmodel: \(site)\n", expect: .succeeded)
        try run.submit("health-site2", "kind: monitor-model\nmodel: \(site)\n", expect: .succeeded)

        // --- The registry beyond the demo. ---
        try run.submit(
            "create-v43",
            """
            kind: create-version
            model: chest-xray
            reason: a weaker build, to see the gates refuse it
            params:
              artifact: \(data)/chest-xray-build-43
              run_id: build-43
              description: roc_auc below the policy's min_metric
              parameters: {l2: 0.5, max_iterations: 10}

            """,
            expect: .succeeded
        )
        try run.submit("promote-gate-refused", promote("chest-xray", "1.2.0", reason: nil), expect: .failed)
        try run.submit("promote-unknown-version", promote("chest-xray", "9.9.9", reason: nil), expect: .rejected)
        try run.submit(
            "create-v44",
            """
            kind: create-version
            model: chest-xray
            params:
              artifact: \(data)/chest-xray-build-44
              run_id: build-44
              stage: true

            """,
            expect: .succeeded
        )
        try run.submit(
            "archive-dry-run",
            "kind: archive-versions\nmodel: chest-xray\nparams:\n  keep_versions: 1\n  dry_run: true\n",
            expect: .succeeded
        )
        try run.submit(
            "archive",
            "kind: archive-versions\nmodel: chest-xray\nparams:\n  keep_versions: 1\n",
            expect: .succeeded
        )
        try run.submit("production-chest-xray", "kind: get-production-model\nmodel: chest-xray\n", expect: .succeeded)
        try run.submit(
            "production-in-2001",
            "kind: get-production-model\nmodel: chest-xray\nparams:\n  at: 2001-01-01T00:00:00Z\n",
            expect: .succeeded
        )
        try run.submit(
            "versions-after-archive",
            "kind: list-versions\nmodel: chest-xray\nparams:\n  include_archived: false\n  history: false\n",
            expect: .succeeded
        )

        // --- Monitoring: drifted traffic (exposure_kvp + 25) on chest-xray's production version. ---
        let predictions = try Self.predictions(h, prefix: "shifted", offset: 0, count: 400, shift: 25)
        try run.submit(
            "log-predictions",
            "kind: log-predictions\nmodel: chest-xray\nparams:\n  file: \(predictions)\n",
            expect: .succeeded
        )
        try run.submit(
            "log-predictions-inline",
            """
            kind: log-predictions
            model: chest-xray
            params:
              records:
                - {id: inline-1, patient_age: 61, exposure_kvp: 140.5, view_position: PA, scanner_model: AcmeRad X1, site: ward-3, age_band: 40-64, sex: f, prediction: pneumonia, score: 0.81}
                - {id: inline-2, patient_age: 34, exposure_kvp: 138.0, view_position: AP, scanner_model: AcmeRad X1, site: ward-7, age_band: 18-39, sex: m, prediction: normal, score: 0.12}
                - {id: shifted-0, patient_age: 50, exposure_kvp: 130.0, view_position: PA, scanner_model: AcmeRad X1, site: ward-3, age_band: 40-64, sex: m, prediction: normal}

            """,
            expect: .succeeded
        )
        try run.submit(
            "log-ground-truth",
            """
            kind: log-ground-truth
            model: chest-xray
            params:
              labels:
                - {id: shifted-1, label: normal}
                - {id: shifted-2, label: pneumonia}
                - {id: inline-1, label: pneumonia}
                - {id: nobody, label: normal}

            """,
            expect: .succeeded
        )
        try run.submit(
            "log-ground-truth-bad-label",
            "kind: log-ground-truth\nmodel: chest-xray\nparams:\n  labels:\n    - {id: shifted-3, label: maybe}\n",
            expect: .rejected
        )
        try run.submit("monitor-chest-xray", "kind: monitor-model\nmodel: chest-xray\n", expect: .succeeded)
        try run.submit("monitor-all", "kind: monitor-all\n", expect: .succeeded)
        try run.submit("alerts", "kind: list-alerts\nmodel: chest-xray\n", expect: .succeeded)
        let drift = try #require(
            run.lastResult?["alerts"].flatMap { alerts -> String? in
                guard case .array(let list) = alerts else { return nil }
                return list.first { $0["type"] == "data_drift" }?["id"]?.stringValue
            },
            "a data_drift alert in list-alerts"
        )
        try run.submit(
            "acknowledge-drift",
            "kind: acknowledge-alert\nreason: looking into the scanners\nparams:\n  alert: \(drift)\n",
            expect: .succeeded
        )
        try run.submit("acknowledge-again", "kind: acknowledge-alert\nparams:\n  alert: \(drift)\n", expect: .succeeded)
        try run.submit(
            "acknowledge-unknown",
            "kind: acknowledge-alert\nparams:\n  alert: chest-xray.data_drift.999\n",
            expect: .rejected
        )
        try run.submit("get-alert", "kind: get-alert\nparams:\n  alert: \(drift)\n", expect: .succeeded)
        try run.submit(
            "monitoring-history",
            "kind: monitoring-history\nmodel: chest-xray\nparams:\n  last: 3\n",
            expect: .succeeded
        )
        try run.submit("alerts-all", "kind: list-alerts\nparams:\n  include_resolved: true\n", expect: .succeeded)

        // --- Pipelines: cancel with nothing to cancel, then a run cancelled in its train stage. ---
        try run.submit("cancel-nothing", "kind: cancel-pipeline\nmodel: chest-xray\n", expect: .rejected)
        try run.drop("pipeline-hang", pipeline("chest-xray", data: data + "/train.csv", pipelineName: "hang"))
        try waitUntil(timeout: 60, "pipeline-hang in its train stage") {
            guard let doc = h.result("pipeline-hang"), doc.status == .running else { return false }
            return doc.result?["stage"]?.stringValue == "train"
        }
        try run.submit(
            "cancel-pipeline",
            "kind: cancel-pipeline\nmodel: chest-xray\nreason: not this one\n",
            expect: .succeeded
        )
        try run.finish("pipeline-hang", expect: .failed)
        try run.submit("pipeline-history", "kind: pipeline-history\nmodel: chest-xray\n", expect: .succeeded)
        try run.submit("pipeline-history-all", "kind: pipeline-history\n", expect: .succeeded)

        // --- Retraining of the second site's model. ---
        try run.submit(
            "retraining-start-refused",
            "kind: retraining-start\nmodel: \(site)\nparams:\n  params: {data: /etc/passwd}\n",
            expect: .rejected
        )
        try run.submit(
            "retraining-start",
            "kind: retraining-start\nmodel: \(site)\nreason: new site\nparams:\n  params: {data: \(data)/train.csv}\n",
            expect: .succeeded
        )
        try run.submit("check-retrain", "kind: check-retrain\nmodel: \(site)\n", expect: .succeeded)
        try run.submit(
            "retraining-trigger",
            "kind: retraining-trigger\nmodel: \(site)\nreason: new labels\n",
            expect: .succeeded,
            timeout: 240
        )
        try run.submit("check-retrain-after", "kind: check-retrain\nmodel: \(site)\n", expect: .succeeded)
        try run.submit("retraining-history", "kind: retraining-history\nmodel: \(site)\n", expect: .succeeded)
        try run.submit("retraining-stats", "kind: retraining-stats\n", expect: .succeeded)
        try run.submit("retraining-stop", "kind: retraining-stop\nmodel: \(site)\nreason: freeze\n", expect: .succeeded)

        // A forced promotion with `archive: true` (the policy keeps 5 versions: nothing more to archive).
        try run.submit(
            "promote-forced",
            promote("chest-xray", "1.3.0", reason: "demo: forced, archiving", force: true, archive: true),
            expect: .succeeded
        )

        // --- Refused before anything runs. ---
        try run.submit(
            "misspelt-kind",
            "kind: promote-verison\nmodel: chest-xray\nparams:\n  version: 1.1.0\n",
            expect: .rejected
        )
        // A second job with the id `versions`: its result goes to results/versions+<inode>.json.
        try run.drop("duplicate-id", "kind: list-versions\nmodel: chest-xray\nid: versions\n")
        try run.finish("duplicate-id", expect: .rejected) {
            h.names(in: "results").first { $0.hasPrefix("versions+") && $0.hasSuffix(".json") }.map {
                String($0.dropLast(5))
            }
        }
        try run.submit("unknown-model", "kind: list-versions\nmodel: chest-xray-site9\n", expect: .rejected)
        try run.submit("report", "kind: report\nmodel: chest-xray\nparams:\n  last: 3\n", expect: .succeeded)
        try run.submit("backup", "kind: backup\nparams:\n  directory: \(h.root)/backups/golden\n", expect: .succeeded)

        // Every kind has at least one job.
        let kinds = Set(run.documents.compactMap(\.kind))
        let missing = JobKind.allCases.map(\.rawValue).filter { !kinds.contains($0) }
        #expect(missing.isEmpty, "kinds without a golden result: \(missing)")

        try GoldenFiles(directory: Self.goldenDirectory, recording: Self.recording, root: h.root, since: started).check(
            run
        )
        print(
            "GoldenResultTests: \(run.documents.count) results in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
    }

    func promote(
        _ model: String,
        _ version: String,
        reason: String?,
        force: Bool = false,
        archive: Bool = false
    ) -> String {
        var text = "kind: promote-version\nmodel: \(model)\n"
        if let reason { text += "reason: \"\(reason)\"\n" }
        return text + "params:\n  version: \"\(version)\"\n  force: \(force)\n  archive: \(archive)\n"
    }

    func pipeline(_ model: String, data: String, pipelineName: String? = nil, reason: String? = nil) -> String {
        var text = "kind: run-pipeline\nmodel: \(model)\n"
        if let reason { text += "reason: \"\(reason)\"\n" }
        text += "params:\n"
        if let pipelineName { text += "  pipeline: \(pipelineName)\n" }
        return text + "  data: \(data)\n"
    }
}

/// The jobs of one golden run, in submission order, and their final result files.
final class GoldenRun {
    struct Document {
        var number: Int
        var job: String
        var kind: String?
        var bytes: Data
    }

    let h: DaemonHarness
    private(set) var documents: [Document] = []
    private var numbers: [String: Int] = [:]
    private(set) var lastResult: JSONValue?
    /// Jobs that ended otherwise than the test expects (recording refuses to run then).
    private(set) var problems: [String] = []

    init(_ h: DaemonHarness) { self.h = h }

    /// Drops `<job>.yaml` (the job id is the file name unless the text says `id:`).
    func drop(_ job: String, _ text: String) throws {
        numbers[job] = numbers.count + 1
        try h.drop(job + ".yaml", text)
    }

    /// Waits for the final result of a dropped job (in `results/<name>.json`, `name` the job
    /// id unless `resultName` finds another), checks its status (nil: any) and keeps its bytes.
    func finish(
        _ job: String,
        expect status: ResultDocument.Status?,
        timeout: Double = 30,
        resultName: () -> String? = { nil }
    ) throws {
        var name = job
        if resultName() == nil {
            try waitUntil(timeout: timeout, "the result file of \(job)") { resultName() != nil || h.result(job) != nil }
        }
        if let other = resultName() { name = other }
        let doc = try h.waitForResult(name, timeout: timeout)
        if let status, doc.status != status {
            let problem =
                "\(job): expected \(status.rawValue), got \(doc.status.rawValue) \(doc.error?.code ?? "") \(doc.error?.message ?? "")"
            problems.append(problem)
            Issue.record(Comment(rawValue: problem))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(h.spool)/results/\(name).json"))
        // The file read is the final one (a long job's final document replaces its running ones).
        let again = try ResultDocument.decode(bytes)
        guard again.status.isFinal else { throw TestFailure("\(job): the result file went back to running") }
        documents.append(Document(number: numbers[job] ?? 0, job: job, kind: again.kind, bytes: bytes))
        lastResult = again.result
    }

    func submit(_ job: String, _ text: String, expect status: ResultDocument.Status?, timeout: Double = 30) throws {
        try drop(job, text)
        try finish(job, expect: status, timeout: timeout)
    }
}

/// Compares (or records) the normalised documents with the golden files.
struct GoldenFiles {
    let directory: String
    let recording: Bool
    /// The test's temp directory, replaced by `<root>`.
    let root: String
    /// When the test started: timestamps from then on are replaced.
    let since: Date

    static func fileName(_ d: GoldenRun.Document) -> String {
        String(format: "%02d", d.number) + "-" + d.job + ".json"
    }

    func check(_ run: GoldenRun) throws {
        let documents = run.documents
        var problems = run.problems
        var normaliser = GoldenNormaliser(root: root, since: since)
        var produced: [String: String] = [:]
        for d in documents {
            let name = Self.fileName(d)
            let raw = String(decoding: d.bytes, as: UTF8.self)
            let tree = try GoldenJSON.parse(d.bytes)
            // The printer reproduces the daemon's bytes exactly (no newline at the end), so
            // a golden file is the daemon's output apart from the placeholders.
            let reprinted = tree.printed()
            if reprinted != raw {
                let diff = GoldenDiff.describe(
                    expected: reprinted,
                    actual: raw,
                    expectedLabel: "canonical",
                    actualLabel: "as written"
                )
                let problem =
                    "\(name): the result file is not in the canonical form (sorted keys, pretty-printed, slashes unescaped, no final newline) the daemon writes:\n\(diff)"
                problems.append(problem)
                Issue.record(Comment(rawValue: problem))
            }
            produced[name] = normaliser.normalise(tree).printed() + "\n"
        }
        let existing = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }
        )
        if recording, !problems.isEmpty {
            Issue.record("MLOPSD_GOLDEN_RECORD=1: not recording, \(problems.count) problem(s) above")
            return
        }
        if recording {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for stale in existing where produced[stale] == nil {
                try FileManager.default.removeItem(atPath: directory + "/" + stale)
            }
            for (name, text) in produced {
                try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            }
            Issue.record(
                "MLOPSD_GOLDEN_RECORD=1: recorded \(produced.count) golden files in \(directory) (this run fails on purpose; run again without the variable to compare)"
            )
            return
        }
        for name in existing.subtracting(produced.keys).sorted() {
            Issue.record(
                "golden file \(name) has no job in this test any more (record again with MLOPSD_GOLDEN_RECORD=1)"
            )
        }
        for d in documents {
            let name = Self.fileName(d)
            let path = directory + "/" + name
            guard let golden = try? String(contentsOfFile: path, encoding: .utf8) else {
                Issue.record("no golden file \(path) for job \(d.job) (record with MLOPSD_GOLDEN_RECORD=1)")
                continue
            }
            let actual = produced[name] ?? ""
            if golden != actual {
                let diff = GoldenDiff.describe(
                    expected: golden,
                    actual: actual,
                    expectedLabel: "Golden/\(name)",
                    actualLabel: "this run"
                )
                Issue.record("result of job \(d.job) differs from Golden/\(name):\n\(diff)")
            }
        }
    }
}

// MARK: - JSON that keeps numbers as written

/// A parsed JSON document whose numbers stay the text the daemon wrote (`1` and `1.0` are
/// different documents) and whose objects keep their keys in file order.
indirect enum GoldenJSON {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([GoldenJSON])
    case object([(key: String, value: GoldenJSON)])

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ data: Data) throws -> GoldenJSON {
        var parser = Parser(bytes: Array(data))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.at == parser.bytes.count else { throw ParseError(description: "trailing bytes at \(parser.at)") }
        return value
    }

    /// Printed as the daemon's encoder prints (`JSONEncoder.mlopsPretty`): two-space
    /// indent, `"key" : value`, keys sorted by their UTF-8 bytes, `/` not escaped.
    func printed() -> String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    private func write(to out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out += "[\n"
            let inner = indent + "  "
            for (i, item) in items.enumerated() {
                if i > 0 { out += ",\n" }
                out += inner
                item.write(to: &out, indent: inner)
            }
            out += "\n" + indent + "]"
        case .object(let fields):
            out += "{\n"
            let inner = indent + "  "
            for (i, field) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if i > 0 { out += ",\n" }
                out += inner
                Self.writeString(field.key, to: &out)
                out += " : "
                field.value.write(to: &out, indent: inner)
            }
            out += "\n" + indent + "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    subscript(key: String) -> GoldenJSON? {
        if case .object(let fields) = self { return fields.first { $0.key == key }?.value }
        return nil
    }

    private struct Parser {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
        }

        func fail(_ what: String) -> ParseError { ParseError(description: "\(what) at byte \(at)") }

        mutating func literal(_ text: String, _ value: GoldenJSON) throws -> GoldenJSON {
            let b = Array(text.utf8)
            guard at + b.count <= bytes.count, Array(bytes[at..<(at + b.count)]) == b else {
                throw fail("expected \(text)")
            }
            at += b.count
            return value
        }

        mutating func value() throws -> GoldenJSON {
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var fields: [(key: String, value: GoldenJSON)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                    at += 1
                    return .object(fields)
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected :") }
                    at += 1
                    fields.append((key, try value()))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unexpected end in object") }
                    if bytes[at] == UInt8(ascii: ",") {
                        at += 1
                        continue
                    }
                    guard bytes[at] == UInt8(ascii: "}") else { throw fail("expected , or }") }
                    at += 1
                    return .object(fields)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [GoldenJSON] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                    at += 1
                    return .array(items)
                }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard at < bytes.count else { throw fail("unexpected end in array") }
                    if bytes[at] == UInt8(ascii: ",") {
                        at += 1
                        continue
                    }
                    guard bytes[at] == UInt8(ascii: "]") else { throw fail("expected , or ]") }
                    at += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                let start = at
                while at < bytes.count, "-+.eE0123456789".utf8.contains(bytes[at]) { at += 1 }
                guard at > start else { throw fail("unexpected byte \(bytes[at])") }
                return .number(String(decoding: bytes[start..<at], as: UTF8.self))
            }
        }

        mutating func string() throws -> String {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            at += 1
            var out: [UInt8] = []
            while true {
                guard at < bytes.count else { throw fail("unterminated string") }
                let b = bytes[at]
                at += 1
                if b == UInt8(ascii: "\"") { break }
                guard b == UInt8(ascii: "\\") else {
                    out.append(b)
                    continue
                }
                guard at < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                        bytes[at + 1] == UInt8(ascii: "u")
                    {
                        at += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
                default: throw fail("bad escape")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func hex4() throws -> UInt32 {
            guard at + 4 <= bytes.count,
                let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
            else {
                throw fail("bad \\u escape")
            }
            at += 4
            return v
        }
    }
}

// MARK: - The normaliser

/// Replaces the values of a result document that legitimately differ from run to run with
/// stable placeholders. It never removes a key or changes the shape: an object keeps all
/// its keys, an array its length, a null stays null (a placeholder is only ever put where a
/// number or a string was); every other number and string stays exactly as written. What
/// it replaces:
///
/// - in every string: the test's temp root (`/tmp/mlopsd-tests/golden-<random>`) → `<root>`;
///   the directory of the built executables (`.build/<triple>/debug`, in a stage's argv) →
///   `<bin>`; RFC 3339 timestamps from the test's start on (`2026-11-29T13:16:04.123Z`,
///   also future ones such as a cooldown's end) → `<time>` (earlier ones are inputs the
///   test wrote, e.g. `at: 2001-01-01`, and stay); pipeline run ids
///   (`20261129T190102-3fa9c1`: a time and 24 random bits) → `<run-1>`, `<run-2>`, …
///   numbered by first appearance over the whole test, so a run keeps its name across
///   documents; the submitter's name in a sentence (`… by <user> at …`);
///   the figure of `is N days old` → `is <age-days> days old`;
/// - under keys naming who did something (`submitted_by`, `acknowledged_by`, `created_by`,
///   `updated_by`, `by`, …): the test's user name → `<user>` (the daemon's own `mlopsd`
///   stays); numbers under `uid`, `submitter_uid`, `actor_uid` → `"<uid>"`;
/// - `file_inode` → `"<inode>"`; `pid` → `"<pid>"`;
/// - measured durations: numbers under a key ending in `_seconds` or named `seconds`
///   (`duration_seconds`, `children_seconds`, `detection_to_deployment_seconds`, …) →
///   `"<seconds>"`; measured speeds: keys ending in `_us`, `_ms` or `_per_second` (the
///   latency block of `test_model`) → `"<measured>"`; `age_days` (time since a version was
///   created) → `"<age-days>"`;
/// - `bytes` of a stage's captured `stdout`/`stderr`: the trainer prints the temp path and
///   its own run time there, so the size varies with both → `"<bytes>"`; so does a report
///   page's (`bytes` in a result: the page holds the times), and a backup's
///   (`bytes`, `database_bytes`: the store holds the times);
/// - a report's file name holds its time without separators (`20261206T131201.523Z`) → `<time>`.
struct GoldenNormaliser {
    let root: String
    /// Where the built executables are (`mlops-train` appears in a train stage's argv).
    let bin: String
    let user: String
    /// Timestamps from here on were made by this run.
    let since: Date
    private var runs: [String: String] = [:]

    init(root: String, bin: String = DaemonHarness.binDirectory, since: Date) {
        self.root = root
        self.bin = bin
        self.since = since.addingTimeInterval(-3600)
        var name = String(getuid())
        if let pw = getpwuid(getuid()), let pwName = pw.pointee.pw_name { name = String(cString: pwName) }
        user = name
    }

    let timestamp = /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})/
    let runID = /[0-9]{8}T[0-9]{6}-[0-9a-f]{6}/
    let compactTime = /[0-9]{8}T[0-9]{6}\.[0-9]{3}Z/
    let ageSentence = /is [0-9.]+ days old/
    static let actorKeys: Set<String> = [
        "submitted_by", "acknowledged_by", "created_by", "updated_by", "by", "actor", "user",
        "promoted_by", "requested_by", "cancelled_by",
    ]

    mutating func normalise(_ value: GoldenJSON, key: String? = nil, parent: String? = nil) -> GoldenJSON {
        switch value {
        case .null, .bool: return value
        case .number:
            guard let key else { return value }
            switch key {
            case "file_inode": return .string("<inode>")
            case "pid": return .string("<pid>")
            case "uid", "submitter_uid", "actor_uid": return .string("<uid>")
            case "age_days": return .string("<age-days>")
            case "bytes" where parent == "stdout" || parent == "stderr" || parent == "result":
                return .string("<bytes>")
            case "database_bytes": return .string("<bytes>")
            case "seconds": return .string("<seconds>")
            default:
                if key.hasSuffix("_seconds") { return .string("<seconds>") }
                if key.hasSuffix("_us") || key.hasSuffix("_ms") || key.hasSuffix("_per_second") {
                    return .string("<measured>")
                }
                return value
            }
        case .string(let s):
            if let key, Self.actorKeys.contains(key), s == user { return .string("<user>") }
            return .string(normalise(string: s))
        case .array(let items):
            return .array(items.map { normalise($0, key: nil, parent: key) })
        case .object(let fields):
            // Sorted first, so run ids are numbered in the order the printed document shows them.
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return .object(sorted.map { (key: $0.key, value: normalise($0.value, key: $0.key, parent: key)) })
        }
    }

    mutating func normalise(string: String) -> String {
        var s = string
        if !root.isEmpty { s = s.replacingOccurrences(of: root, with: "<root>") }
        if !bin.isEmpty { s = s.replacingOccurrences(of: bin + "/", with: "<bin>/") }
        let since = since
        s = s.replacing(timestamp) { match in
            let text = String(match.output.0)
            guard let date = Timestamp.parse(text), date < since else { return "<time>" }
            return text
        }
        for match in s.matches(of: runID) {
            let id = String(match.output)
            if runs[id] == nil { runs[id] = "<run-\(runs.count + 1)>" }
        }
        s = s.replacing(runID) { runs[String($0.output)] ?? "<run>" }
        s = s.replacing(ageSentence, with: "is <age-days> days old")
        s = s.replacing(compactTime, with: "<time>")
        s = s.replacingOccurrences(of: " by \(user) ", with: " by <user> ")
        return s
    }
}

// MARK: - Diffs

/// A unified-style diff of two texts, by lines, limited to the first differences.
enum GoldenDiff {
    static func describe(
        expected: String,
        actual: String,
        expectedLabel: String,
        actualLabel: String,
        maxLines: Int = 60
    ) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Longest common subsequence table (documents are at most a few thousand lines).
        let n = a.count
        let m = b.count
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        // Edit script: (" ", "-", "+", line, line number in expected).
        var script: [(tag: Character, text: String, line: Int)] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                script.append((" ", a[i], i + 1))
                i += 1
                j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                script.append(("-", a[i], i + 1))
                i += 1
            } else {
                script.append(("+", b[j], i + 1))
                j += 1
            }
        }
        var out = "--- \(expectedLabel)\n+++ \(actualLabel)\n"
        var shown = 0
        var lastPrinted = -1
        for (index, entry) in script.enumerated() where entry.tag != " " && index > lastPrinted {
            let from = max(index - 3, lastPrinted + 1)
            if from > lastPrinted + 1 || lastPrinted < 0 {
                out += "@@ line \(script[from].line) of \(expectedLabel) @@\n"
            }
            for k in from...min(index + 3, script.count - 1) {
                out += "\(script[k].tag)\(script[k].text)\n"
                lastPrinted = k
                shown += 1
            }
            if shown >= maxLines {
                out += "… (more differences follow)\n"
                break
            }
        }
        return out
    }
}
