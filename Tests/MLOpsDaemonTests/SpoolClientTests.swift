import Dispatch
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `SpoolClient` in process: atomic submission and waiting for results, on a private spool
/// with no daemon (except where a test says so).
@Suite(.serialized) struct SpoolClientTests {
    /// A fresh spool with its subdirectories, and a client for it.
    final class Fixture: Sendable {
        let root: String
        let spool: String
        let client: SpoolClient

        init(name: String = #function) throws {
            let clean = String(name.filter { $0.isLetter || $0.isNumber }.prefix(32))
            root = "/tmp/mlopsd-tests/client-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
            spool = root + "/spool"
            _ = try Spool(root: spool)
            client = SpoolClient(root: spool)
        }

        func names(_ sub: String) -> [String] { allNames(in: "\(spool)/\(sub)") }

        func contents(_ sub: String, _ name: String) -> String? {
            FileManager.default.contents(atPath: "\(spool)/\(sub)/\(name)").map { String(decoding: $0, as: UTF8.self) }
        }

        /// Writes a result document into results/ as the daemon does (temp file, rename).
        func publish(_ document: ResultDocument, as name: String? = nil) throws {
            let results = try DirectoryHandle(path: spool + "/results")
            try results.writeAtomically(name ?? "\(document.job).json", data: try document.encoded())
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: root) }
    }

    static func document(_ id: String, _ status: ResultDocument.Status) -> ResultDocument {
        ResultDocument(
            job: id,
            kind: "register-model",
            model: "m",
            status: status,
            submittedBy: "tester",
            submittedAt: "2026-01-01T00:00:00.000Z",
            startedAt: "2026-01-01T00:00:00.100Z",
            finishedAt: status.isFinal ? "2026-01-01T00:00:00.200Z" : nil,
            file: "\(id).yaml",
            result: status == .succeeded ? Optional(JSONValue.object(["change": .string("created")])) : Optional.none,
            error: status == .rejected
                ? ResultDocument.ErrorInfo(JobError(.yamlSyntax, "bad", at: SourceMark(line: 1, column: 2))) : nil
        )
    }

    // MARK: - submit

    @Test func submitRenamesTheJobIntoIncomingUnderItsIDAndLeavesNoTempFile() throws {
        let f = try Fixture()
        let text = Jobs.registerModel("m")
        let id = try f.client.submit(text: text, fileName: "/some/where/reg-7.yaml")
        #expect(id == "reg-7")
        #expect(f.names("incoming") == ["reg-7.yaml"])
        #expect(f.contents("incoming", "reg-7.yaml") == text)
        #expect(f.names("tmp").isEmpty)
        #expect(f.names("results").isEmpty)
        f.cleanUp()
    }

    @Test func submitUsesTheIDInTheFileOverTheFileName() throws {
        let f = try Fixture()
        let id = try f.client.submit(text: Jobs.registerModel("m", id: "explicit"), fileName: "name-ignored.yml")
        #expect(id == "explicit")
        #expect(f.names("incoming") == ["explicit.yaml"])
        f.cleanUp()
    }

    @Test func submitWithoutAFileNameOrIDGeneratesAValidUniqueID() throws {
        let f = try Fixture()
        let first = try f.client.submit(text: Jobs.registerModel("m"), fileName: nil)
        let second = try f.client.submit(text: Jobs.registerModel("m"), fileName: nil)
        #expect(JobValidator.isValidID(first))
        #expect(first.hasPrefix("job-"))
        #expect(first != second)
        #expect(f.names("incoming") == ["\(first).yaml", "\(second).yaml"].sorted())
        f.cleanUp()
    }

    @Test func aSecondSubmitOfAnIDStillWaitingInIncomingFailsWithWaitingAlreadyAndReplacesNothing() throws {
        let f = try Fixture()
        let original = Jobs.registerModel("first", id: "same")
        #expect(try f.client.submit(text: original, fileName: "a.yaml") == "same")
        #expect(throws: SpoolClient.ClientError.waitingAlready("same")) {
            try f.client.submit(text: Jobs.registerModel("second", id: "same"), fileName: "b.yaml")
        }
        #expect(f.names("incoming") == ["same.yaml"])
        #expect(f.contents("incoming", "same.yaml") == original)
        #expect(f.names("tmp").isEmpty)
        #expect(
            SpoolClient.ClientError.waitingAlready("same").description.contains("incoming/same.yaml is already waiting")
        )
        f.cleanUp()
    }

    @Test func submitOfAnInvalidJobThrowsEveryErrorAndWritesNothing() throws {
        let f = try Fixture()
        let text = "kind: register-model\nparms:\n  task: regression\n"
        do {
            try f.client.submit(text: text, fileName: "bad.yaml")
            Issue.record("an invalid job was submitted")
        } catch {
            guard case .invalid(let errors, let fileName) = error else {
                Issue.record("expected .invalid, got \(error)")
                return
            }
            #expect(fileName == "bad.yaml")
            #expect(errors.map(\.code) == [.missingField, .unknownKey])
            #expect(error.description.split(separator: "\n").count == 2)
            #expect(error.description.contains("bad.yaml:2:1: unknown_key: unknown key `parms`"))
        }
        do {
            try f.client.submit(text: text, fileName: nil)
        } catch {
            guard case .invalid(_, let fileName) = error else {
                Issue.record("expected .invalid, got \(error)")
                return
            }
            #expect(fileName == "<stdin>")
        }
        for sub in ["incoming", "tmp", "results"] { #expect(f.names(sub).isEmpty, "\(sub)") }
        f.cleanUp()
    }

    @Test func submitOfAnIDWithAFinalOrRunningResultFailsWithIDInUseButARejectedOneMayBeReused() throws {
        let f = try Fixture()
        try f.publish(Self.document("done-ok", .succeeded))
        try f.publish(Self.document("done-failed", .failed))
        try f.publish(Self.document("still-running", .running))
        try f.publish(Self.document("was-rejected", .rejected))
        for id in ["done-ok", "done-failed", "still-running"] {
            #expect(throws: SpoolClient.ClientError.idInUse(id)) {
                try f.client.submit(text: Jobs.registerModel("m", id: id), fileName: nil)
            }
        }
        #expect(f.names("incoming").isEmpty)
        #expect(try f.client.submit(text: Jobs.registerModel("m", id: "was-rejected"), fileName: nil) == "was-rejected")
        #expect(f.names("incoming") == ["was-rejected.yaml"])
        #expect(f.names("tmp").isEmpty)
        f.cleanUp()
    }

    @Test func submitIntoAMissingSpoolFailsWithASystemErrorNamingThePath() throws {
        let client = SpoolClient(root: "/tmp/mlopsd-tests/no-such-spool-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try client.submit(text: Jobs.registerModel("m"), fileName: "x.yaml")
            Issue.record("submitted into a missing spool")
        } catch {
            guard case .system(let text) = error else {
                Issue.record("expected .system, got \(error)")
                return
            }
            #expect(text.contains(client.root))
        }
    }

    // MARK: - wait

    @Test func waitReturnsAsSoonAsAFinalResultIsRenamedIntoResults() throws {
        let f = try Fixture()
        let expected = Self.document("arrives", .succeeded)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            try? f.publish(expected)
        }
        let started = Date()
        let document = try f.client.wait(for: "arrives", timeout: 20)
        let elapsed = Date().timeIntervalSince(started)
        #expect(document == expected)
        #expect(elapsed >= 0.25, "returned before the result existed")
        #expect(elapsed < 5, "took \(elapsed) s: the wait did not notice the rename")
        f.cleanUp()
    }

    @Test func waitSkipsRunningDocumentsAndReturnsTheFinalOne() throws {
        let f = try Fixture()
        let running = Self.document("long", .running)
        let final = Self.document("long", .rejected)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
            try? f.publish(running)
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { try? f.publish(final) }
        }
        let document = try f.client.wait(for: "long", timeout: 20)
        #expect(document == final)
        #expect(document.error?.code == "yaml_syntax")
        f.cleanUp()
    }

    @Test func waitIgnoresResultsOfOtherJobs() throws {
        let f = try Fixture()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
            try? f.publish(Self.document("other", .succeeded))
            try? f.publish(Self.document("mine-too", .succeeded))
        }
        #expect(throws: SpoolClient.ClientError.timedOut("mine", seconds: 1)) {
            try f.client.wait(for: "mine", timeout: 1)
        }
        f.cleanUp()
    }

    @Test func waitReturnsAtOnceWhenTheFinalResultIsAlreadyThere() throws {
        let f = try Fixture()
        try f.publish(Self.document("there", .succeeded))
        let started = Date()
        #expect(try f.client.wait(for: "there", timeout: 0) == Self.document("there", .succeeded))
        #expect(try f.client.wait(for: "there", timeout: nil).status == .succeeded)
        #expect(Date().timeIntervalSince(started) < 2)
        f.cleanUp()
    }

    @Test func waitTimesOutWithTimedOutAfterItsTimeout() throws {
        let f = try Fixture()
        let started = Date()
        #expect(throws: SpoolClient.ClientError.timedOut("absent", seconds: 0.5)) {
            try f.client.wait(for: "absent", timeout: 0.5)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.45)
        #expect(elapsed < 5)
        f.cleanUp()
    }

    @Test func waitTimesOutWhenOnlyARunningDocumentExists() throws {
        let f = try Fixture()
        try f.publish(Self.document("stuck", .running))
        #expect(throws: SpoolClient.ClientError.timedOut("stuck", seconds: 0.3)) {
            try f.client.wait(for: "stuck", timeout: 0.3)
        }
        #expect(f.client.readResult("stuck")?.status == .running)
        f.cleanUp()
    }

    @Test func waitOnASpoolWithoutResultsDirectoryFailsWithASystemError() throws {
        let client = SpoolClient(root: "/tmp/mlopsd-tests/no-such-spool-\(UInt32.random(in: 0...UInt32.max))")
        do {
            _ = try client.wait(for: "x", timeout: 1)
            Issue.record("waited on a missing spool")
        } catch {
            guard case .system(let text) = error else {
                Issue.record("expected .system, got \(error)")
                return
            }
            #expect(text.contains("cannot watch"))
        }
    }

    @Test func readStatusIsNilWithoutStatusJSONAndDecodesItWhenPresent() throws {
        let f = try Fixture()
        #expect(f.client.readStatus() == nil)
        try writeFile(f.spool + "/status.json", Data(#"{"pid": 1, "state": "ready", "models": []}"#.utf8))
        #expect(f.client.readStatus()?["state"] == "ready")
        f.cleanUp()
    }

    // MARK: - With the daemon

    @Test func submitAndWaitAgainstTheRealDaemonReturnTheJobsResult() throws {
        let d = try DaemonHarness()
        try d.start()
        let client = SpoolClient(root: d.spool)
        let id = try client.submit(text: Jobs.registerModel("client-model"), fileName: "client-job.yaml")
        let document = try client.wait(for: id, timeout: 30)
        #expect(document.status == .succeeded)
        #expect(document.model == "client-model")
        #expect(document == d.result(id))
        #expect(allNames(in: d.spool + "/tmp").isEmpty)
        d.cleanUp()
    }
}
