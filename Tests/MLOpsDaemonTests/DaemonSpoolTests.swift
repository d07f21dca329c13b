import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The real `mlopsd` binary on a private spool: jobs in, exactly one result out.
@Suite(.serialized) struct DaemonSpoolTests {
    @Test func readyArrivesAndARegisterModelJobSucceedsWithTheModelInTheStore() throws {
        let d = try DaemonHarness()
        try d.start()
        let ready = try d.notify.waitFor("READY=1", timeout: 5)
        #expect(ready.contains("STATUS="))
        try d.drop("reg-1.yaml", Jobs.registerModel("chest-xray"))
        let result = try d.waitForResult("reg-1")
        #expect(result.status == .succeeded)
        #expect(result.kind == "register-model")
        #expect(result.model == "chest-xray")
        #expect(result.submittedBy == (getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? ""))
        #expect(result.result?["change"] == "created")
        let (task, audits) = try d.readStore { db in
            (
                try String.fetchOne(db, sql: "SELECT task FROM models WHERE name = 'chest-xray'"),
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM audit_log WHERE model = 'chest-xray' AND action = 'model.registered' AND job_id = 'reg-1'"
                )
            )
        }
        #expect(task == "binary_classification")
        #expect(audits == 1)
        try waitUntil(timeout: 10, "reg-1.yaml in done/") { d.names(in: "done") == ["reg-1.yaml"] }
        #expect(d.names(in: "active").isEmpty)
        d.cleanUp()
    }

    @Test func malformedYAMLIsRejectedWithLineAndColumn() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("bad.yaml", "kind: register-model\nmodel: m\nparams: [unclosed\n")
        let result = try d.waitForResult("bad")
        #expect(result.status == .rejected)
        #expect(result.error?.code == "yaml_syntax")
        #expect(result.error?.line != nil && result.error?.column != nil)
        try waitUntil(timeout: 10, "bad.yaml in failed/") { d.names(in: "failed") == ["bad.yaml"] }
        d.cleanUp()
    }

    @Test func aMisspeltKeyIsRejectedWithTheClosestValidKey() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("typo.yaml", "kind: register-model\nmodel: m\nparms:\n  task: regression\n")
        let result = try d.waitForResult("typo")
        #expect(result.status == .rejected)
        #expect(result.error?.code == "unknown_key")
        #expect(result.error?.line == 3)
        #expect(result.error?.column == 1)
        #expect(result.error?.fix?.contains("params") == true)
        d.cleanUp()
    }

    @Test func aRetrainingKindForAnUnknownModelIsRejectedAtTheModel() throws {
        // The kind is valid; the daemon then rejects the job at the model it does not know.
        let d = try DaemonHarness()
        try d.start()
        try d.drop("mon.yaml", "kind: check-retrain\nmodel: m\n")
        let result = try d.waitForResult("mon")
        #expect(result.status == .rejected)
        #expect(result.error?.code == "unknown_model")
        #expect(result.error?.line == 2)
        d.cleanUp()
    }

    @Test func hostileFilesAreRejectedAndTheDaemonKeepsServing() throws {
        let d = try DaemonHarness(config: "max_job_bytes: 4096")
        try d.start()
        let incoming = d.spool + "/incoming"
        // A symlink to a readable job elsewhere.
        try writeFile(d.root + "/elsewhere.yaml", Data(Jobs.registerModel("target").utf8))
        #expect(symlink(d.root + "/elsewhere.yaml", incoming + "/link.yaml") == 0)
        // A FIFO: opening it must not block the daemon.
        #expect(mkfifo(incoming + "/fifo.yaml", 0o644) == 0)
        // A hard link to someone's file.
        try writeFile(d.root + "/original.yaml", Data(Jobs.registerModel("linked").utf8))
        #expect(link(d.root + "/original.yaml", incoming + "/hardlink.yaml") == 0)
        // Too large.
        try d.drop("big.yaml", "kind: register-model\nmodel: m\nreason: \"\(String(repeating: "x", count: 5000))\"\n")
        // Not UTF-8.
        try writeFile(d.spool + "/tmp/.bin", Data([0x6B, 0x69, 0x6E, 0x64, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]))
        #expect(rename(d.spool + "/tmp/.bin", incoming + "/binary.yaml") == 0)
        // A device node, where we may create one.
        let madeDevice = mknod(incoming + "/device.yaml", S_IFCHR | 0o600, dev_t((1 << 8) | 3)) == 0

        let link = try d.waitForResult("link")
        #expect(link.status == .rejected && link.error?.code == "not_regular_file")
        #expect(link.error?.message.contains("symbolic link") == true)
        let fifo = try d.waitForResult("fifo")
        #expect(fifo.status == .rejected && fifo.error?.code == "not_regular_file")
        let hard = try d.waitForResult("hardlink")
        #expect(hard.status == .rejected && hard.error?.code == "hard_link")
        let big = try d.waitForResult("big")
        #expect(big.status == .rejected && big.error?.code == "too_large")
        #expect(big.error?.message.contains("4096") == true)
        let binary = try d.waitForResult("binary")
        #expect(binary.status == .rejected && binary.error?.code == "not_utf8")
        #expect(binary.error?.line == 1 && binary.error?.column == 7)
        if madeDevice {
            #expect(try d.waitForResult("device").error?.code == "not_regular_file")
        }
        // Still serving, and the original of the hard link is untouched.
        try d.drop("after.yaml", Jobs.registerModel("after"))
        #expect(try d.waitForResult("after").status == .succeeded)
        #expect(FileManager.default.fileExists(atPath: d.root + "/original.yaml"))
        #expect(kill(d.process?.pid ?? 0, 0) == 0)
        d.cleanUp()
    }

    @Test func aHalfWrittenFileStillOpenIsNeverTaken() throws {
        let d = try DaemonHarness()
        try FileManager.default.createDirectory(atPath: d.spool + "/incoming", withIntermediateDirectories: true)
        let path = d.spool + "/incoming/slow.yaml"
        let text = Jobs.registerModel("slow")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let half = Array(text.utf8.prefix(text.utf8.count / 2))
        #expect(write(fd, half, half.count) == half.count)
        try d.start()
        // A later job is processed while the half-written one waits.
        try d.drop("other.yaml", Jobs.registerModel("other"))
        #expect(try d.waitForResult("other").status == .succeeded)
        #expect(d.result("slow") == nil)
        #expect(FileManager.default.fileExists(atPath: path))
        let rest = Array(text.utf8.dropFirst(half.count))
        #expect(write(fd, rest, rest.count) == rest.count)
        close(fd)
        #expect(try d.waitForResult("slow").status == .succeeded)
        d.cleanUp()
    }

    @Test func aSecondJobWithAnIDAlreadySeenIsRejectedAndTheFirstResultIsKept() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("first.yaml", Jobs.registerModel("m1", id: "same-id"))
        #expect(try d.waitForResult("same-id").status == .succeeded)
        try d.drop("second.yaml", Jobs.registerModel("m2", id: "same-id"))
        var duplicate: ResultDocument?
        try waitUntil(timeout: 30, "the duplicate's result") {
            duplicate = d.names(in: "results").filter { $0.hasPrefix("same-id+") }.first
                .flatMap { d.result(String($0.dropLast(5))) }
            return duplicate != nil
        }
        #expect(duplicate?.status == .rejected)
        #expect(duplicate?.error?.code == "duplicate_id")
        #expect(d.result("same-id")?.model == "m1")
        let models = try d.readStore { db in try String.fetchAll(db, sql: "SELECT name FROM models ORDER BY name") }
        #expect(models == ["m1"])
        d.cleanUp()
    }

    @Test func aRejectedIDCanBeResubmittedOnceFixed() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("fixme.yaml", "kind: register-model\nmodel: m\n")
        #expect(try d.waitForResult("fixme").status == .rejected)
        try d.drop("fixme.yaml", Jobs.registerModel("m"))
        try waitUntil(timeout: 30, "the fixed job's success") { d.result("fixme")?.status == .succeeded }
        d.cleanUp()
    }

    @Test func aThousandJobsDroppedWhileStoppedAreAllProcessedAfterStart() throws {
        let d = try DaemonHarness()
        for i in 0..<1000 {
            try d.drop("job-\(i).yaml", Jobs.registerModel("model-\(i)"))
        }
        try d.start()
        try waitUntil(timeout: 120, "1000 results") {
            d.names(in: "results").filter { $0.hasPrefix("job-") }.count == 1000
        }
        for i in Swift.stride(from: 0, to: 1000, by: 97) {
            #expect(d.result("job-\(i)")?.status == .succeeded)
        }
        let count = try d.readStore { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM models") }
        #expect(count == 1000)
        try waitUntil(timeout: 30, "incoming/ and active/ empty") {
            d.names(in: "incoming").isEmpty && d.names(in: "active").isEmpty
        }
        d.cleanUp()
    }

    @Test func killMinus9InTheMiddleOfAThousandJobsLosesAndRepeatsNothing() throws {
        let d = try DaemonHarness(config: "batch_size: 16")
        try d.start()
        for i in 0..<1000 {
            try d.drop("k-\(i).yaml", Jobs.registerModel("km-\(i)"))
        }
        try waitUntil(timeout: 60, "some results before the kill") { d.names(in: "results").count >= 150 }
        try d.kill9()
        let before = d.names(in: "results").count
        #expect(before < 1000)
        try d.start()
        try waitUntil(timeout: 120, "1000 results after restart") {
            d.names(in: "results").filter { $0.hasPrefix("k-") }.count >= 1000
        }
        try waitUntil(timeout: 30, "incoming/ and active/ empty") {
            d.names(in: "incoming").isEmpty && d.names(in: "active").isEmpty
        }
        let results = d.names(in: "results").filter { $0.hasPrefix("k-") }
        #expect(results.count == 1000)
        #expect(!results.contains { $0.contains("+") })
        for name in results {
            let doc = d.result(String(name.dropLast(5)))
            #expect(doc?.status == .succeeded, "\(name): \(String(describing: doc?.error))")
        }
        let (models, registrations, jobs) = try d.readStore { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM models"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action = 'model.registered'"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs WHERE state = 'succeeded'")
            )
        }
        #expect(models == 1000)
        #expect(registrations == 1000)
        #expect(jobs == 1000)
        #expect(d.names(in: "done").count == 1000)
        d.cleanUp()
    }

    @Test func aPoisonJobIsFailedAfterMaxAttemptsInsteadOfLooping() throws {
        let d = try DaemonHarness(config: "max_attempts: 2")
        // Leave a job in active/ as a crash would, with two attempts already counted.
        try d.start()
        try d.drop("warm.yaml", Jobs.registerModel("warm"))
        _ = try d.waitForResult("warm")
        _ = try d.stop()
        try d.plantInterruptedJob("poison.yaml", Jobs.registerModel("poison"), attempts: 2)
        try d.start()
        let result = try d.waitForResult("poison")
        #expect(result.status == .failed)
        #expect(result.error?.code == "poison")
        let registered = try d.readStore { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM models WHERE name = 'poison'")
        }
        #expect(registered == 0)
        try waitUntil(timeout: 10, "poison.yaml in failed/") { d.names(in: "failed").contains("poison.yaml") }
        d.cleanUp()
    }
}
