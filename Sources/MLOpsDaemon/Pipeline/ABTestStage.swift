import Foundation
import GRDB
import Logging
import MLOpsCore

/// The `ab_test` stage (docs/design.md §11): the trained candidate is created as a `staging`
/// version and served beside the champion (`serving/<model>/challenger`, the split in
/// `routing.json`); labelled predictions of each arm are counted from the store at every
/// look, and ``ABTest/decide(champion:challenger:settings:deadlinePassed:)`` decides:
/// promote (the `deploy` stage then promotes this version), keep the champion, or wait.
///
/// The test's state is a row of `ab_tests`, so a daemon that stops (or dies) during a test
/// resumes it at its next start instead of losing days of traffic: on shutdown the stage
/// ends `interrupted` but the run stays `running` and the challenger keeps serving.
enum ABTestStage {
    /// One A/B test as stored.
    struct Record: Sendable {
        var champion: String
        var challenger: String
        var share: Double
        var startedAt: String
        var deadline: Date
        var startSeq: Int64
    }

    static func run(_ context: inout PipelineRunner.Context, runner: PipelineRunner) async -> PipelineRunner.StageResult
    {
        guard context.definition.abTestEnabled else { return .skipped("the pipeline does not enable ab_test") }
        let service = runner.service
        let settings = ABTestSettings(validated: context.definition.abTest)
        let model = context.run.model
        let runID = runner.runID
        var record: Record
        do {
            if let existing = try service.store.read({ db in try load(db, run: runID) }) {
                record = existing
            } else {
                guard let started = try await start(&context, settings: settings, runner: runner) else {
                    return .skipped(
                        "\(model) has no production version: there is no champion to test against; deploy promotes the candidate directly"
                    )
                }
                record = started
            }
        } catch let failure as StageFailure {
            return failure.result
        } catch {
            return .failed("ab_test: \(error)")
        }
        context.version = record.challenger

        while true {
            let arms: (champion: ABArm, challenger: ABArm)
            do {
                arms = try service.store.read { db in try counts(db, model: model, record: record) }
            } catch {
                return .failed("ab_test: cannot count the arms' predictions: \(error)")
            }
            let verdict = ABTest.decide(
                champion: arms.champion,
                challenger: arms.challenger,
                settings: settings,
                deadlinePassed: Date() >= record.deadline
            )
            if verdict.decision != .undecided {
                return await finish(&context, record: record, verdict: verdict, runner: runner)
            }
            // The stage's report shows the test as it stands (pipeline-history, mlopsctl ab).
            var progress: [String: JSONValue] = [:]
            if case .object(let doc) = verdict.document { progress = doc }
            progress["champion_version"] = .string(record.champion)
            progress["challenger_version"] = .string(record.challenger)
            progress["started_at"] = .string(record.startedAt)
            progress["deadline"] = .string(Timestamp.string(record.deadline))
            progress["min_samples"] = .int(settings.minSamples)
            progress["looked_at"] = .string(Timestamp.string(Date()))
            service.store.writeOrLog(
                "record the A/B test's progress in run \(runID)",
                logger: service.logger,
                metadata: ["run": "\(runID)"]
            ) { db in
                try RunStore.setStageReport(db, id: runID, stage: .abTest, report: .object(progress))
            }
            do {
                try await Task.sleep(for: .seconds(max(0.05, settings.checkInterval)))
            } catch {
                let reason = service.scheduler.stopReason(runID) ?? .cancelled
                if reason == .interrupted {
                    // The test goes on across the restart: the challenger keeps serving.
                    return PipelineRunner.StageResult(
                        outcome: .interrupted,
                        report: [
                            "paused": true, "challenger": .string(record.challenger),
                            "champion": .string(record.champion),
                            "champion_arm": arm(arms.champion), "challenger_arm": arm(arms.challenger),
                        ]
                    )
                }
                let routing: JSONValue = [
                    "champion": ["version": .string(record.champion), "share": 1.0, "link": "current"],
                    "challenger": .null, "run_id": .string(runID), "decision": "cancelled",
                ]
                try? service.registry?.serving.endChallenger(model: model, routing: routing)
                service.store.writeOrLog(
                    "record the cancelled A/B test of run \(runID)",
                    logger: service.logger,
                    metadata: ["run": "\(runID)"]
                ) { db in
                    try db.execute(
                        sql: "UPDATE ab_tests SET decided_at = ?, decision = 'cancelled' WHERE run_id = ?",
                        arguments: [Timestamp.string(Date()), runID]
                    )
                }
                return PipelineRunner.StageResult(
                    outcome: .cancelled,
                    report: ["decision": "cancelled"],
                    error: JobError(.cancelled, "the A/B test was cancelled")
                )
            }
        }
    }

    /// A stage failure thrown out of the start.
    struct StageFailure: Error {
        var result: PipelineRunner.StageResult
    }

    /// Creates the challenger version, records the test, and starts serving it. Nil when
    /// the model has no production version (nothing to test against).
    static func start(
        _ context: inout PipelineRunner.Context,
        settings: ABTestSettings,
        runner: PipelineRunner
    ) async throws -> Record? {
        let service = runner.service
        let model = context.run.model
        guard let champion = try service.store.read({ db in try VersionStore.production(db, model: model) }) else {
            return nil
        }
        guard let artifact = context.artifactDir else {
            throw StageFailure(result: .failed("no trained model to test"))
        }
        var config = context.config
        config.dataRoots = [context.runDir]
        let run = context.run
        let trainingData = context.dataFile
        let deployConfig = config
        let (created, version) = try await service.onEngine { () throws -> (PipelineRunner.StageResult, String?) in
            try DeployStep.create(
                service: service,
                run: run,
                config: deployConfig,
                artifact: artifact,
                trainingData: trainingData,
                jobID: run.jobID ?? run.id,
                staging: true
            )
        }
        guard let version else { throw StageFailure(result: created) }
        let now = Date()
        let deadline = now.addingTimeInterval(settings.maxDurationHours * 3600)
        let runID = runner.runID
        let share = settings.challengerShare
        let record = Record(
            champion: champion.version,
            challenger: version,
            share: share,
            startedAt: Timestamp.string(now),
            deadline: deadline,
            startSeq: 0
        )
        let stored = try service.store.write { db -> Record in
            var r = record
            r.startSeq = try PredictionStore.lastSeq(db, model: model)
            try db.execute(
                sql: """
                    INSERT INTO ab_tests (run_id, model, champion, challenger, share, started_at, deadline, start_seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runID, model, r.champion, r.challenger, share, r.startedAt, Timestamp.string(deadline), r.startSeq,
                ]
            )
            return r
        }
        if let registry = service.registry,
            let challenger = try service.store.read({ db in
                try VersionStore.version(db, model: model, version: version)
            })
        {
            let routing: JSONValue = [
                "champion": ["version": .string(champion.version), "share": .double(1 - share), "link": "current"],
                "challenger": ["version": .string(version), "share": .double(share), "link": "challenger"],
                "run_id": .string(runID), "started_at": .string(record.startedAt),
                "deadline": .string(Timestamp.string(deadline)),
                "variants": "log each prediction with variant champion or challenger",
            ]
            try registry.serving.startChallenger(
                model: model,
                artifactPath: registry.artifacts.path(of: challenger.artifactSHA256),
                routing: routing
            )
        }
        service.logger.notice(
            "A/B test of \(model): challenger \(version) takes \(Int((share * 100).rounded()))% of traffic against champion \(champion.version) until \(Timestamp.string(deadline))",
            metadata: [
                "run": "\(runID)", "model": "\(model)", "version": "\(version)",
                "event": LogEvent.abTestStarted.metadataValue,
            ]
        )
        return stored
    }

    /// Records the decision, ends the split, and says what the deploy stage does next.
    ///
    /// `routing.json` then names the champion that `current` still serves; when the
    /// challenger won, the `deploy` stage's promotion switches `current` and with it the
    /// champion in `routing.json` (``ServingDirectory/switchTo(model:artifactPath:deployment:)``).
    static func finish(
        _ context: inout PipelineRunner.Context,
        record: Record,
        verdict: ABVerdict,
        runner: PipelineRunner
    ) async
        -> PipelineRunner.StageResult
    {
        let service = runner.service
        let model = context.run.model
        let runID = runner.runID
        let won = verdict.decision == .promote
        do {
            try service.store.write { db in
                try db.execute(
                    sql: "UPDATE ab_tests SET decided_at = ?, decision = ?, verdict = ? WHERE run_id = ?",
                    arguments: [Timestamp.string(Date()), verdict.decision.rawValue, verdict.document.storeText, runID]
                )
                try VersionStore.setABTestWon(db, model: model, version: record.challenger, won: won)
            }
        } catch {
            return .failed("ab_test: cannot record the decision: \(error)")
        }
        let routing: JSONValue = [
            "champion": ["version": .string(record.champion), "share": 1.0, "link": "current"], "challenger": .null,
            "run_id": .string(runID), "decision": .string(verdict.decision.rawValue),
            "decided_at": .string(Timestamp.string(Date())),
        ]
        try? service.registry?.serving.endChallenger(model: model, routing: routing)
        context.abDecision = verdict.decision
        service.logger.notice(
            "A/B test of \(model) decided: \(verdict.decision.rawValue) (\(verdict.reason))",
            metadata: [
                "run": "\(runID)", "model": "\(model)", "version": "\(record.challenger)",
                "decision": "\(verdict.decision.rawValue)",
                "event": LogEvent.abTestDecided.metadataValue,
            ]
        )
        var report: [String: JSONValue] = [:]
        if case .object(let doc) = verdict.document { report = doc }
        report["champion_version"] = .string(record.champion)
        report["challenger_version"] = .string(record.challenger)
        report["started_at"] = .string(record.startedAt)
        report["deadline"] = .string(Timestamp.string(record.deadline))
        return .succeeded(.object(report))
    }

    static func load(_ db: Database, run: String) throws -> Record? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT * FROM ab_tests WHERE run_id = ? AND decided_at IS NULL",
                arguments: [run]
            )
        else {
            return nil
        }
        return Record(
            champion: row["champion"],
            challenger: row["challenger"],
            share: row["share"],
            startedAt: row["started_at"],
            deadline: Timestamp.parse(row["deadline"]) ?? Date(),
            startSeq: row["start_seq"]
        )
    }

    /// Labelled predictions since the test began, per arm: the `variant` says which arm
    /// (`champion`/`challenger`); without one, the prediction's version does.
    static func counts(_ db: Database, model: String, record: Record) throws -> (champion: ABArm, challenger: ABArm) {
        let counts = try PredictionStore.armCounts(
            db,
            model: model,
            champion: record.champion,
            challenger: record.challenger,
            since: record.startSeq
        )
        return (
            ABArm(n: counts.champion.n, successes: counts.champion.correct),
            ABArm(n: counts.challenger.n, successes: counts.challenger.correct)
        )
    }

    static func arm(_ a: ABArm) -> JSONValue { ["n": .int(a.n), "successes": .int(a.successes)] }

    /// Runs left `running` in `ab_test` with an undecided test: resumed at start.
    static func resumable(_ db: Database) throws -> Set<String> {
        let undecided = Set(try String.fetchAll(db, sql: "SELECT run_id FROM ab_tests WHERE decided_at IS NULL"))
        return undecided.intersection(try RunStore.ids(db, state: .running, stage: .abTest))
    }
}
