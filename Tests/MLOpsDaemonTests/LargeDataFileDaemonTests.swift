import Foundation
import Glibc
import MLOpsCore
import Testing

/// A data file larger than `max_data_file_bytes`, through the real daemon (issue 23): before,
/// a 512 MB file was read whole and parsed while every other job waited; now its size is
/// taken with `fstat` when it is opened and it is refused before any byte is read.
@Suite(.serialized) struct LargeDataFileDaemonTests {
    /// A file of `size` bytes that holds `header` and takes no disk (ftruncate, never written).
    /// A daemon reading data files of at most 1 MiB, with model `xray` registered.
    static func daemonWithModel() throws -> DaemonHarness {
        let h = try DaemonHarness(config: "max_data_file_bytes: 1048576")
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        return h
    }

    /// `data/v1` with a model file and metrics; the test adds the reference.
    static func artifact(in h: DaemonHarness) throws -> String {
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("w".utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        return dir
    }

    func sparseCSV(_ path: String, header: String, size: Int) throws {
        try writeFile(path, Data((header + "\n").utf8))
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(ftruncate(fd, off_t(size)) == 0)
    }

    @Test func aSparseFileAboveTheLimitIsRefusedAtOnceAndTheNextJobIsAnswered() throws {
        let h = try Self.daemonWithModel()
        defer { h.cleanUp() }
        try FileManager.default.createDirectory(atPath: h.root + "/data", withIntermediateDirectories: true)
        let path = h.root + "/data/big.csv"
        try sparseCSV(path, header: "id,age,scanner_kv,scanner_model,age_band,prediction,score", size: 5 << 20)
        try h.drop("big.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(path)\n")
        try h.drop("alerts.yaml", "kind: list-alerts\n")
        let big = try h.waitForResult("big", timeout: 30)
        #expect(big.status == .rejected)
        #expect(big.error?.code == "too_large")
        let message = big.error?.message ?? ""
        #expect(message.contains("big.csv is 5242880 bytes (5.0 MiB)"), "\(message)")
        #expect(message.contains("at most 1048576 bytes (1.0 MiB)"), "\(message)")
        #expect(message.contains("max_data_file_bytes"), "\(message)")
        let fix = big.error?.fix ?? ""
        #expect(fix.contains("split the file"), "\(fix)")
        #expect(fix.contains("raise max_data_file_bytes"), "\(fix)")
        #expect(try h.waitForResult("alerts", timeout: 30).status == .succeeded)
        let logged = try h.readStore { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions") ?? -1 }
        #expect(logged == 0, "nothing ingested")

        // Labels are measured the same way.
        try h.drop("labels.yaml", "kind: log-ground-truth\nmodel: xray\nparams:\n  file: \(path)\n")
        let labels = try h.waitForResult("labels", timeout: 30)
        #expect(labels.status == .rejected)
        #expect(labels.error?.message.contains("big.csv is 5242880 bytes") == true, "\(labels.error?.message ?? "")")
    }

    @Test func aFileJustUnderTheLimitIsRead() throws {
        let h = try Self.daemonWithModel()
        defer { h.cleanUp() }
        let dir = try Self.artifact(in: h)
        try writeFile(dir + "/reference.csv", Data(MonitoringData.reference(rows: 1000).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        #expect(try h.waitForResult("cv").status == .succeeded)
        try h.drop("p.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(try h.waitForResult("p").status == .succeeded)
        // Whole rows while they fit in 1 MiB.
        let all = MonitoringData.predictions(prefix: "x", rows: 40_000, seed: 3)
        var text = ""
        var rows = -1
        for line in all.split(separator: "\n") {
            guard text.utf8.count + line.utf8.count + 1 <= 1 << 20 else { break }
            text += line + "\n"
            rows += 1
        }
        #expect(text.utf8.count > (1 << 20) - 200, "just under the limit")
        try writeFile(h.root + "/data/fits.csv", Data(text.utf8))
        try h.drop("fits.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/fits.csv\n")
        let fits = try h.waitForResult("fits", timeout: 60)
        #expect(fits.status == .succeeded, "\(fits.error?.message ?? "")")
        #expect(fits.result?["ingested"] == .int(rows))
    }

    @Test func aReferenceFileAboveTheLimitRefusesTheVersion() throws {
        let h = try Self.daemonWithModel()
        defer { h.cleanUp() }
        let dir = try Self.artifact(in: h)
        try sparseCSV(dir + "/reference.csv", header: "age,scanner_kv,scanner_model,age_band", size: 2 << 20)
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        let cv = try h.waitForResult("cv", timeout: 30)
        #expect(cv.status == .rejected)
        #expect(cv.error?.code == "too_large")
        #expect(cv.error?.message.contains("reference.csv is 2097152 bytes") == true, "\(cv.error?.message ?? "")")
    }

    @Test func aHugeReferenceIsRefusedBeforeTheArtifactIsCopiedAndTheNextJobIsAnswered() throws {
        let h = try Self.daemonWithModel()
        defer { h.cleanUp() }
        let dir = try Self.artifact(in: h)
        // 64 GiB, sparse: copying it into the store first would read 64 GiB of zeros.
        try sparseCSV(dir + "/reference.csv", header: "age,scanner_kv,scanner_model,age_band", size: 64 << 30)
        try h.drop(
            "cv.yaml",
            "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n  reference: reference.csv\n"
        )
        try h.drop("la.yaml", "kind: list-alerts\n")
        let cv = try h.waitForResult("cv", timeout: 20)
        #expect(cv.status == .rejected)
        #expect(cv.error?.code == "too_large")
        #expect(cv.error?.line == 5, "the error points at `reference:`: \(cv)")
        #expect(try h.waitForResult("la", timeout: 5).status == .succeeded)
    }
}
