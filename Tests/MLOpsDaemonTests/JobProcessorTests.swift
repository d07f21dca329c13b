import Foundation
import GRDB
import Glibc
import Logging
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The batch processor in-process, on a real spool directory and a real SQLite file:
/// exactly-once across a crash, and the engine's checks before a handler runs.
@Suite struct JobProcessorTests {
    /// A throwaway kind handler for a kind that needs a registered model.
    enum EchoVersionsHandler: JobHandling {
        static let kind = JobKind.listVersions
        static let modelRule = ModelRequirement.registered
        static let summary = "test"
        static let schema = ObjectSchema([Field("limit", .int(min: 1), default: 10)])
        struct Parameters: Codable, Sendable { var limit: Int }
        struct Result: Codable, Sendable {
            var model: String
            var limit: Int
        }
        static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
            try AuditLog.record(
                db,
                action: "test.echo",
                actor: context.submittedBy,
                actorUID: context.submitterUID,
                job: job.id,
                model: job.model,
                reason: nil,
                at: context.now
            )
            return .succeeded(Result(model: job.model ?? "", limit: job.parameters.limit))
        }
    }

    /// A handler that does its work and then throws: its effects must not survive.
    enum FailingHandler: JobHandling {
        static let kind = JobKind.archiveVersions
        static let modelRule = ModelRequirement.registered
        static let summary = "test"
        static let schema = ObjectSchema([])
        typealias Parameters = NoParameters
        typealias Result = JSONValue
        static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
            try AuditLog.record(
                db,
                action: "test.half-done",
                actor: "x",
                actorUID: nil,
                job: job.id,
                model: job.model,
                reason: nil,
                at: context.now
            )
            throw JobError(.internalError, "disk on fire")
        }
    }

    final class Fixture {
        let root: String
        let spool: Spool
        let store: Store
        let processor: JobProcessor
        let config: DaemonConfig

        init() throws {
            root = "/tmp/mlopsd-tests/processor-\(UInt32.random(in: 0...UInt32.max))"
            spool = try Spool(root: root + "/spool")
            try DirectoryHandle.makeDirectories(root + "/state")
            store = try Store(path: root + "/state/mlopsd.sqlite")
            config = try DaemonConfig.parse(text: "", sourceName: "test", environment: [:], workingDirectory: root)
            processor = JobProcessor(
                spool: spool,
                store: store,
                handlers: HandlerRegistry([Kinds.RegisterModel.self, EchoVersionsHandler.self, FailingHandler.self]),
                logger: Logger(label: "test")
            )
        }

        /// Puts a job file into active/ as a claim would.
        func claim(_ name: String, _ text: String) throws {
            try writeClaimedJob(root + "/spool/active/" + name, Data(text.utf8))
        }

        func result(_ name: String) throws -> ResultDocument {
            let data = try #require(FileManager.default.contents(atPath: "\(root)/spool/results/\(name).json"))
            return try ResultDocument.decode(data)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func aJobFinishedBeforeACrashGetsItsResultRewrittenNotRunAgain() throws {
        let f = try Fixture()
        try f.claim("r1.yaml", Jobs.registerModel("m"))
        let first = try f.processor.process(["r1.yaml"], config: f.config)
        #expect(first.map(\.status) == [.succeeded])
        let original = try #require(FileManager.default.contents(atPath: "\(f.root)/spool/results/r1.json"))
        // The crash: the store had committed, but the result file and the move were lost.
        #expect(rename("\(f.root)/spool/done/r1.yaml", "\(f.root)/spool/active/r1.yaml") == 0)
        #expect(unlink("\(f.root)/spool/results/r1.json") == 0)
        let second = try f.processor.process(["r1.yaml"], config: f.config)
        #expect(second.first?.replayed == true)
        #expect(FileManager.default.contents(atPath: "\(f.root)/spool/results/r1.json") == original)
        let audits = try f.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE job_id = 'r1'")
        }
        #expect(audits == 1)
        #expect(FileManager.default.fileExists(atPath: "\(f.root)/spool/done/r1.yaml"))
    }

    @Test func aKindThatNeedsAModelIsRejectedForAnUnknownModelAtTheModelLine() throws {
        let f = try Fixture()
        try f.claim("reg.yaml", Jobs.registerModel("chest-xray"))
        try f.claim("ask.yaml", "kind: list-versions\nmodel: chest-xrya\n")
        let finished = try f.processor.process(["reg.yaml", "ask.yaml"], config: f.config)
        #expect(finished.map(\.status) == [.succeeded, .rejected])
        let ask = try f.result("ask")
        #expect(ask.error?.code == "unknown_model")
        #expect(ask.error?.line == 2 && ask.error?.column == 8)
        #expect(ask.error?.fix == "did you mean `chest-xray`?")
    }

    @Test func aFailingJobRollsBackItsEffectsButNotItsNeighbours() throws {
        let f = try Fixture()
        try f.claim("reg.yaml", Jobs.registerModel("m"))
        try f.claim("bad.yaml", "kind: archive-versions\nmodel: m\n")
        try f.claim("ok.yaml", "kind: list-versions\nmodel: m\nparams:\n  limit: 3\n")
        let finished = try f.processor.process(["reg.yaml", "bad.yaml", "ok.yaml"], config: f.config)
        #expect(finished.map(\.status) == [.succeeded, .failed, .succeeded])
        #expect(try f.result("bad").error?.message == "disk on fire")
        #expect(try f.result("ok").result?["limit"] == 3)
        let actions = try f.store.read { db in try String.fetchAll(db, sql: "SELECT action FROM audit_log ORDER BY seq")
        }
        #expect(actions == ["model.registered", "test.echo"])
        #expect(FileManager.default.fileExists(atPath: "\(f.root)/spool/failed/bad.yaml"))
        let state = try f.store.read { db in try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = 'bad'") }
        #expect(state == "failed")
    }

    @Test func twoFilesWithTheSameIDInOneBatchRunOnceAndTheSecondIsRejected() throws {
        let f = try Fixture()
        try f.claim("a.yaml", Jobs.registerModel("m1", id: "same"))
        try f.claim("b.yaml", Jobs.registerModel("m2", id: "same"))
        let finished = try f.processor.process(["a.yaml", "b.yaml"], config: f.config)
        #expect(finished.map(\.status) == [.succeeded, .rejected])
        #expect(finished.last?.error?.code == .duplicateID)
        #expect(finished.last?.resultName.hasPrefix("same+") == true)
        #expect(try f.result("same").model == "m1")
        let models = try f.store.read { db in try String.fetchAll(db, sql: "SELECT name FROM models") }
        #expect(models == ["m1"])
    }

    @Test func aFileWhoseNameIsNoValidIDAndHasNoIDIsFiledUnderASanitizedName() throws {
        let f = try Fixture()
        try f.claim("my job!.yaml", "kind: register-model\nmodel: m\n")
        let finished = try f.processor.process(["my job!.yaml"], config: f.config)
        #expect(finished.first?.status == .rejected)
        #expect(finished.first?.error?.code == .invalidID)
        let name = try #require(finished.first?.resultName)
        #expect(name.hasPrefix("my_job_+") && name.hasSuffix(".json"))
    }

    @Test func sanitizedNamesKeepOnlyTheIDAlphabet() {
        #expect(JobProcessor.sanitized("a b/c.yaml") == "a_b_c")
        #expect(JobProcessor.sanitized("..hidden.yml") == "hidden")
        #expect(JobProcessor.sanitized("é.yaml") == "_")
        #expect(JobProcessor.sanitized(".yaml") == "job")
    }
}
