import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

/// Online backup and restore (issue 21, item 2) through the real daemon and the real
/// `mlopsd --restore`: a backup taken while jobs stream in restores to a store that passes
/// `integrity_check` and holds every job finished before the backup began, whose production
/// model is served again; a backup that does not match its manifest, or was cut short by
/// kill -9, is never taken for one.
@Suite(.serialized) struct BackupDaemonTests {
    /// A daemon writing backups under `root/backups`, with model `xray` registered and
    /// version 1.0.0 (a real artifact) in production.
    static func daemon(name: String = #function) throws -> DaemonHarness {
        let h = try DaemonHarness(name: name)
        try h.writeConfig("backup_dir: \(h.root)/backups")
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("weights of 1.0.0".utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        try writeFile(dir + "/reference.csv", Data(MonitoringData.reference(rows: 300).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        #expect(try h.waitForResult("cv").status == .succeeded)
        try h.drop("pv.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("pv").status == .succeeded)
        return h
    }

    /// Runs the real `mlopsd --config config --restore dir` (plus `extra` arguments).
    static func restore(
        _ dir: String,
        config: String,
        in root: String,
        _ extra: [String] = []
    ) throws -> (
        exitCode: Int32, stdout: String, stderr: String
    ) {
        let prefix = root + "/restore.\(UInt32.random(in: 0...UInt32.max))"
        let p = try ChildProcess(
            DaemonHarness.binDirectory + "/mlopsd",
            ["--config", config, "--restore", dir] + extra,
            environment: ConfigCheckTests.cleanEnvironment,
            logPrefix: prefix
        )
        let status = try p.waitForExit(timeout: 120)
        return (
            (status >> 8) & 0xff, (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? "", p.stderrText
        )
    }

    static func inline(_ prefix: String, _ n: Int) -> String {
        "kind: log-predictions\nmodel: xray\nparams:\n  records:\n"
            + "    - {id: \(prefix)-\(n), prediction: normal, age: \(30 + n % 40), scanner_kv: 110.5, "
            + "scanner_model: AcmeRad, age_band: \"40-64\"}\n"
    }

    @Test func aBackupTakenDuringAStreamOfJobsRestoresEveryJobFinishedBeforeIt() throws {
        let h = try Self.daemon()
        defer { h.cleanUp() }
        for n in 0..<40 { try h.drop("a\(n).yaml", Self.inline("a", n)) }
        try waitUntil(timeout: 60, "some of the first jobs finished") { h.result("a10") != nil }
        // Finished before the backup was dropped: these must all be in the backup.
        let before = Set(h.names(in: "results").map { String($0.dropLast(5)) })
        try h.drop("backup.yaml", "kind: backup\nparams:\n  directory: \(h.root)/backups/first\n")
        for n in 0..<40 { try h.drop("b\(n).yaml", Self.inline("b", n)) }
        let backup = try h.waitForResult("backup", timeout: 120)
        #expect(backup.status == .succeeded, "\(backup.error?.message ?? "")")
        let dir = h.root + "/backups/first"
        #expect(backup.result?["directory"] == .string(dir))
        #expect(FileManager.default.fileExists(atPath: dir + "/MANIFEST.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/mlopsd.sqlite"))
        #expect(backup.result?["artifacts"] == .int(1))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: h.root + "/backups").filter {
            $0.hasPrefix(".")
        }
        #expect(hidden.isEmpty, "no partial backup left: \(hidden)")
        for n in 0..<40 { _ = try h.waitForResult("b\(n)") }
        #expect(try h.stop() == 0)

        // Restore into a second daemon's (empty) state, then serve from it.
        let r = try DaemonHarness(name: "restored")
        defer { r.cleanUp() }
        let run = try Self.restore(dir, config: r.configPath, in: r.root)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("verified ("), "\(run.stdout)")
        #expect(run.stdout.contains("integrity_check: ok"), "\(run.stdout)")
        let (integrity, jobs, predictions) = try r.readStore { db in
            (
                try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                Set(try String.fetchAll(db, sql: "SELECT id FROM jobs")),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions") ?? -1
            )
        }
        #expect(integrity == ["ok"])
        let missing = before.subtracting(jobs)
        #expect(missing.isEmpty, "jobs finished before the backup but not in it: \(missing.sorted())")
        #expect(!jobs.contains("backup"), "the backup's own job finished after its snapshot")
        #expect(predictions >= before.filter { $0.hasPrefix("a") }.count)
        try r.start()
        try r.drop("prod.yaml", "kind: get-production-model\nmodel: xray\n")
        let prod = try r.waitForResult("prod")
        #expect(prod.status == .succeeded, "\(prod.error?.message ?? "")")
        #expect(prod.result?["version"] == .string("1.0.0"), "\(prod)")
        try r.drop("more.yaml", Self.inline("c", 1))
        #expect(try r.waitForResult("more").status == .succeeded)
    }

    @Test func aBackupThatDoesNotMatchItsManifestOrAnExistingStoreIsRefused() throws {
        let h = try Self.daemon()
        defer { h.cleanUp() }
        try h.drop("backup.yaml", "kind: backup\nparams:\n  directory: \(h.root)/backups/b1\n")
        #expect(try h.waitForResult("backup", timeout: 120).status == .succeeded)
        // Outside backup_dir, and over an existing one: rejected, pointing at `directory:`.
        try h.drop("out.yaml", "kind: backup\nparams:\n  directory: \(h.root)/data/b2\n")
        let outside = try h.waitForResult("out")
        #expect(outside.status == .rejected)
        #expect(outside.error?.message.contains("is not inside backup_dir") == true, "\(outside)")
        #expect(outside.error?.line == 3)
        try h.drop("again.yaml", "kind: backup\nparams:\n  directory: \(h.root)/backups/b1\n")
        let again = try h.waitForResult("again")
        #expect(again.status == .rejected)
        #expect(again.error?.message.contains("exists already") == true, "\(again)")
        #expect(try h.stop() == 0)

        let good = h.root + "/backups/b1"
        // One changed byte in a copy: refused before anything is touched.
        let bad = h.root + "/backups/bad"
        try FileManager.default.copyItem(atPath: good, toPath: bad)
        let artifact = try #require(
            FileManager.default.subpaths(atPath: bad + "/artifacts")?.first { $0.hasSuffix("model.bin") }
        )
        try writeFile(bad + "/artifacts/" + artifact, Data("weights of 9.9.9".utf8))
        let r = try DaemonHarness(name: "refused")
        defer { r.cleanUp() }
        let tampered = try Self.restore(bad, config: r.configPath, in: r.root)
        #expect(tampered.exitCode == 1)
        #expect(tampered.stderr.contains("does not match its manifest"), "\(tampered.stderr)")
        #expect(
            tampered.stderr.contains("model.bin does not have the SHA-256 the manifest lists"),
            "\(tampered.stderr)"
        )
        #expect(!FileManager.default.fileExists(atPath: r.state + "/mlopsd.sqlite"), "nothing was restored")
        // No manifest: not a backup.
        try FileManager.default.removeItem(atPath: bad + "/MANIFEST.json")
        let cut = try Self.restore(bad, config: r.configPath, in: r.root)
        #expect(cut.exitCode == 1)
        #expect(cut.stderr.contains("is not a backup"), "\(cut.stderr)")

        // Over the daemon's own store: refused without --force; with it, the old one is kept aside.
        let over = try Self.restore(good, config: h.configPath, in: h.root)
        #expect(over.exitCode == 1)
        #expect(over.stderr.contains("holds a store already; pass --force"), "\(over.stderr)")
        let forced = try Self.restore(good, config: h.configPath, in: h.root, ["--force"])
        #expect(forced.exitCode == 0, "\(forced)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: h.state).filter { $0.hasPrefix("replaced-") }
        #expect(aside.count == 1)
        #expect(FileManager.default.fileExists(atPath: h.state + "/" + (aside.first ?? "") + "/mlopsd.sqlite"))
    }

    @Test func killedDuringABackupLeavesNothingThatLooksLikeOneAndTheNextStartClearsIt() throws {
        let h = try Self.daemon()
        defer { h.cleanUp() }
        // A store of some megabytes, so the backup takes long enough to be killed in.
        var csv = "id,age,scanner_kv,scanner_model,age_band,prediction\n"
        for n in 0..<60_000 { csv += "p\(n),\(30 + n % 50),110.5,AcmeRad,40-64,normal\n" }
        try writeFile(h.root + "/data/p.csv", Data(csv.utf8))
        try h.drop("p.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/p.csv\n")
        #expect(try h.waitForResult("p", timeout: 300).status == .succeeded)
        try h.drop("backup.yaml", "kind: backup\nparams:\n  directory: \(h.root)/backups/cut\n")
        var partial: String?
        try waitUntil(timeout: 60, every: 0.001, "the partial backup directory") {
            partial = ((try? FileManager.default.contentsOfDirectory(atPath: h.root + "/backups")) ?? []).first {
                $0.hasPrefix(".cut.partial-")
            }
            return partial != nil
        }
        try h.kill9()
        let names = try FileManager.default.contentsOfDirectory(atPath: h.root + "/backups")
        #expect(!names.contains("cut"), "a backup killed before its manifest never has its name")
        if let partial {
            let run = try Self.restore(h.root + "/backups/" + partial, config: h.configPath, in: h.root, ["--force"])
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("is not a backup"), "\(run.stderr)")
        }
        try h.start()
        // The start removed the old partial backup (the job, run again, may have begun its own).
        let left = try FileManager.default.contentsOfDirectory(atPath: h.root + "/backups")
        #expect(partial.map { !left.contains($0) } ?? false, "the next start removed \(partial ?? "?"): \(left)")
        let backup = try h.waitForResult("backup", timeout: 120)
        #expect(backup.status == .succeeded, "the job ran again: \(backup.error?.message ?? "")")
        #expect(FileManager.default.fileExists(atPath: h.root + "/backups/cut/MANIFEST.json"))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: h.root + "/backups").filter {
            $0.hasPrefix(".")
        }
        #expect(hidden.isEmpty, "\(hidden)")
    }
}
