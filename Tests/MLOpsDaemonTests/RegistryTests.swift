import Foundation
import GRDB
import MLOpsCore
import Testing

@testable import MLOpsDaemon

@Suite(.serialized) struct CreateVersionTests {
    @Test func versionsAreDerivedRetrainMinorMetadataPatchSchemaMajor() throws {
        let f = try RegistryFixture()
        try f.register()
        let first = try f.createVersion(artifact: try f.artifact("a1", weights: "w1"))
        #expect(first.status == .succeeded, "\(first.error?.message ?? "")")
        #expect(first.result?["version"]?.stringValue == "1.0.0")
        #expect(first.result?["change"]?.stringValue == "initial")
        let retrain = try f.createVersion(artifact: try f.artifact("a2", weights: "w2"))
        #expect(retrain.result?["version"]?.stringValue == "1.1.0")
        #expect(retrain.result?["change"]?.stringValue == "retrain")
        let metadata = try f.createVersion(artifact: try f.artifact("a3", weights: "w2", accuracy: 0.95))
        #expect(metadata.result?["version"]?.stringValue == "1.1.1")
        #expect(metadata.result?["change"]?.stringValue == "metadata")
        // A schema change: the model is re-registered with one more feature.
        try f.register(extraFeature: true)
        let schema = try f.createVersion(artifact: try f.artifact("a4", weights: "w3", bmi: true))
        #expect(schema.result?["version"]?.stringValue == "2.0.0", "\(schema.error?.message ?? "")")
        #expect(schema.result?["change"]?.stringValue == "schema")
        let explicit = try f.createVersion(
            artifact: try f.artifact("a5", weights: "w4", bmi: true),
            version: "2.0.1-rc.1"
        )
        #expect(explicit.result?["version"]?.stringValue == "2.0.1-rc.1")
        #expect(explicit.result?["change"]?.stringValue == "explicit")
        #expect(try f.versionCount() == 5)
    }

    @Test func anArtifactIsStoredOnceAndLineageIsRecorded() throws {
        let f = try RegistryFixture()
        try f.register()
        let dir = try f.artifact("a1")
        try writeFile(f.root + "/data/train.csv", Data("x\n1\n".utf8))
        let one = try f.createVersion(
            artifact: dir,
            extra: "  training_data: \(f.root)/data/train.csv\n  run_id: run-7\n  parameters: {lr: 0.1}\n"
        )
        let two = try f.createVersion(artifact: dir)
        #expect(one.status == .succeeded && two.status == .succeeded)
        #expect(f.storedArtifacts().count == 1)
        #expect(two.result?["artifact_reused"]?.boolValue == true)
        let lineage = one.result?["lineage"]
        #expect(lineage?["run_id"]?.stringValue == "run-7")
        var digest = SHA256()
        digest.update(Array("x\n1\n".utf8))
        #expect(lineage?["training_data_sha256"]?.stringValue == digest.hexDigest())
        #expect(one.result?["parameters"]?["lr"]?.doubleValue == 0.1)
        #expect(one.submittedBy == two.submittedBy)
        let audit = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE model = 'xray' ORDER BY seq")
        }
        #expect(audit == ["model.registered", "version.created", "version.created"])
    }

    /// What docs/registry.md says about submitting the same artifact again: stored once,
    /// `artifact_reused: true`, and the version derived by comparing with the *highest*
    /// version only; `change` is reported, never a parameter.
    @Test func theSameArtifactAgainIsTheNextPatchOfTheHighestVersionOrTheNextMinorWhenAnotherIsHighest() throws {
        let f = try RegistryFixture()
        try f.register()
        let a = try f.artifact("a", weights: "wa")
        let first = try f.createVersion(artifact: a)
        #expect(first.result?["version"]?.stringValue == "1.0.0")
        #expect(first.result?["artifact_reused"]?.boolValue == false)
        // Identical to the highest version (1.0.0): a patch, same stored artifact.
        let again = try f.createVersion(artifact: a)
        #expect(again.status == .succeeded, "\(again.error?.message ?? "")")
        #expect(again.result?["version"]?.stringValue == "1.0.1")
        #expect(again.result?["change"]?.stringValue == "metadata")
        #expect(again.result?["artifact_reused"]?.boolValue == true)
        #expect(again.result?["artifact"]?["sha256"] == first.result?["artifact"]?["sha256"])
        // Other model files: a minor bump (1.1.0). The first artifact once more now differs
        // from the highest version's model files: a minor bump too, though it is reused.
        let b = try f.createVersion(artifact: try f.artifact("b", weights: "wb"))
        #expect(b.result?["version"]?.stringValue == "1.1.0")
        let older = try f.createVersion(artifact: a)
        #expect(older.result?["version"]?.stringValue == "1.2.0")
        #expect(older.result?["change"]?.stringValue == "retrain")
        #expect(older.result?["artifact_reused"]?.boolValue == true)
        #expect(f.storedArtifacts().count == 2)
        // The bump cannot be chosen: `change:` is not a parameter (give `version:` instead).
        let chosen = try f.createVersion(artifact: a, extra: "  change: metadata\n")
        #expect(chosen.status == .rejected)
        #expect(chosen.error?.code == "unknown_key")
    }

    /// Every bad input is rejected with a message that says what to fix, and nothing changes.
    @Test func badInputIsRejectedAndChangesNothing() throws {
        let f = try RegistryFixture()
        try f.register()
        #expect(try f.createVersion(artifact: try f.artifact("ok")).status == .succeeded)
        let before = (try f.versionCount(), f.storedArtifacts())
        try FileManager.default.createDirectory(atPath: f.root + "/outside", withIntermediateDirectories: true)
        try writeFile(f.root + "/outside/metrics.json", Data("{}".utf8))
        symlink(f.root + "/outside", f.root + "/data/sneaky")

        let cases: [(String, ResultDocument, JobErrorCode, String)] = [
            ("outside", try f.createVersion(artifact: f.root + "/outside"), .badArtifact, "not under"),
            ("symlink out", try f.createVersion(artifact: f.root + "/data/sneaky"), .badArtifact, "not under"),
            (
                "no metrics", try f.createVersion(artifact: try f.artifact("nometrics", weights: "x", accuracy: nil)),
                .badArtifact, "no metrics.json"
            ),
            (
                "metric missing",
                try f.createVersion(artifact: try f.artifact("f1only", weights: "y", metrics: #"{"f1": 0.3}"#)),
                .badArtifact, "no number for `accuracy`"
            ),
            (
                "schema",
                try f.createVersion(artifact: try f.artifact("schema", weights: "z", reference: "age,label\n1,0\n")),
                .badArtifact, "lacks the columns"
            ),
            (
                "exists", try f.createVersion(artifact: try f.artifact("again", weights: "q"), version: "1.0.0"),
                .conflict, "already exists"
            ),
            (
                "unknown model", try f.createVersion("nosuch", artifact: try f.artifact("u", weights: "u")),
                .unknownModel, "not registered"
            ),
            (
                "unknown parent",
                try f.createVersion(artifact: try f.artifact("p", weights: "p"), extra: "  parent: 9.9.9\n"),
                .unknownVersion, "no version 9.9.9"
            ),
        ]
        for (name, result, code, text) in cases {
            #expect(result.status == .rejected, "\(name)")
            #expect(result.error?.code == code.rawValue, "\(name): \(result.error?.code ?? "")")
            #expect(result.error?.message.contains(text) == true, "\(name): \(result.error?.message ?? "")")
            #expect(result.error?.line != nil, "\(name) has no line")
        }
        #expect(cases[0].1.error?.line == 4)
        #expect(cases[0].1.error?.column == 13)
        #expect(cases[0].1.error?.fix?.contains(f.root + "/data") == true)
        #expect(try f.versionCount() == before.0)
        #expect(f.storedArtifacts() == before.1)
    }

    @Test func aSchemaJSONThatDisagreesWithTheModelIsASchemaMismatch() throws {
        let f = try RegistryFixture()
        try f.register()
        let dir = try f.artifact("s")
        try writeFile(
            dir + "/schema.json",
            Data(
                #"{"features": [{"name": "age", "type": "categorical"}, {"name": "scanner_kv", "type": "numerical"}]}"#
                    .utf8
            )
        )
        let result = try f.createVersion(artifact: dir)
        #expect(result.status == .rejected)
        #expect(
            result.error?.message.contains("feature `age` is numerical in the model but categorical in the artifact")
                == true
        )
    }
}

@Suite(.serialized) struct PromotionTests {
    @Test func promotionSwitchesTheLinkAndRecordsHistory() throws {
        let f = try RegistryFixture()
        try f.register()
        _ = try f.createVersion(artifact: try f.artifact("a1", weights: "w1"))
        _ = try f.createVersion(artifact: try f.artifact("a2", weights: "w2"))
        let p1 = try f.promote("1.0.0")
        #expect(p1.status == .succeeded, "\(p1.error?.message ?? "")")
        #expect(f.servingTarget() == (try f.artifactPath("xray", "1.0.0")))
        #expect(f.deployedVersion() == "1.0.0")
        let p2 = try f.promote("1.1.0")
        #expect(p2.status == .succeeded)
        #expect(p2.result?["previous_version"]?.stringValue == "1.0.0")
        #expect(try f.production() == "1.1.0")
        #expect(try f.productionCount() == 1)
        #expect(f.servingTarget() == (try f.artifactPath("xray", "1.1.0")))
        let states = try f.store.read { db in try VersionStore.versions(db, model: "xray").map(\.state) }
        #expect(states == [.staging, .production])
        let history = try f.store.read { db in try VersionStore.history(db, model: "xray") }
        #expect(history.map(\.version) == ["1.0.0", "1.1.0"])
        #expect(history[0].until == history[1].from)
        let audit = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action LIKE 'version.%' ORDER BY seq")
        }
        #expect(
            audit == [
                "version.created", "version.created", "version.production", "version.staging", "version.production",
            ]
        )
    }

    @Test func gatesRefuseWithEveryVerdictAndForceOverridesWithAReason() throws {
        let f = try RegistryFixture()
        try f.register(policy: "promotion:\n  min_metric: 0.8\n  max_metric_drop: 0.01")
        _ = try f.createVersion(artifact: try f.artifact("good", weights: "g", accuracy: 0.9))
        _ = try f.createVersion(artifact: try f.artifact("bad", weights: "b", accuracy: 0.7))
        #expect(try f.promote("1.0.0").status == .succeeded)
        let refused = try f.promote("1.1.0")
        #expect(refused.status == .failed)
        #expect(refused.error?.code == "gate_refused")
        #expect(refused.error?.message.contains("min_metric: accuracy 0.7 misses the minimum 0.8") == true)
        #expect(refused.error?.message.contains("max_metric_drop") == true)
        #expect(refused.result?["gates"].map { if case .array(let a) = $0 { return a.count } else { return 0 } } == 2)
        #expect(try f.production() == "1.0.0")

        let noReason = try f.promote("1.1.0", force: true)
        #expect(noReason.status == .rejected)
        #expect(noReason.error?.fix?.contains("reason") == true)
        #expect(noReason.error?.line == 5)

        let forced = try f.promote("1.1.0", force: true, reason: "hotfix for the ward 3 scanner")
        #expect(forced.status == .succeeded)
        #expect(try f.production() == "1.1.0")
        let stint = try f.store.read { db in try VersionStore.currentStint(db, model: "xray") }
        #expect(stint?.forced == true)
        #expect(stint?.reason == "hotfix for the ward 3 scanner")
        let audit = try f.store.read { db in
            try String.fetchOne(
                db,
                sql: "SELECT details FROM audit_log WHERE action = 'version.production' ORDER BY seq DESC LIMIT 1"
            )
        }
        #expect(audit?.contains(#""forced":true"#) == true)
        #expect(audit?.contains("overridden_gates") == true)
    }

    @Test func unknownOrArchivedOrAlreadyProductionVersionsAreRejected() throws {
        let f = try RegistryFixture()
        try f.register()
        _ = try f.createVersion(artifact: try f.artifact("a1"))
        #expect(try f.promote("1.0.0").status == .succeeded)
        let unknown = try f.promote("1.0.1")
        #expect(unknown.status == .rejected)
        #expect(unknown.error?.code == "unknown_version")
        #expect(unknown.error?.fix == "did you mean 1.0.0?")
        let again = try f.promote("1.0.0")
        #expect(again.status == .rejected)
        #expect(again.error?.message.contains("already production") == true)
    }

    @Test func aFailingDeployHookSwitchesBackAndRaisesAnAlert() throws {
        let f = try RegistryFixture()
        let hook = try f.script(
            "hook.sh",
            """
            echo "$MLOPSD_ACTION $MLOPSD_VERSION" >> \(f.root)/hook.log
            if [ "$MLOPSD_VERSION" = "1.1.0" ] && [ "$MLOPSD_ACTION" = "promote" ]; then echo "model server refused" >&2; exit 3; fi
            exit 0
            """
        )
        f.config.deployHook = [hook]
        try f.register()
        _ = try f.createVersion(artifact: try f.artifact("a1", weights: "w1"))
        _ = try f.createVersion(artifact: try f.artifact("a2", weights: "w2"))
        #expect(try f.promote("1.0.0").status == .succeeded)
        let failed = try f.promote("1.1.0")
        #expect(failed.status == .failed)
        #expect(failed.error?.code == "deploy_failed")
        #expect(failed.error?.message.contains("exited with status 3") == true)
        #expect(failed.result?["hook"]?["output"]?.stringValue?.contains("model server refused") == true)
        #expect(try f.production() == "1.0.0")
        #expect(f.servingTarget() == (try f.artifactPath("xray", "1.0.0")))
        #expect(f.deployedVersion() == "1.0.0")
        let log = try String(contentsOfFile: f.root + "/hook.log", encoding: .utf8)
        #expect(log == "promote 1.0.0\npromote 1.1.0\nrevert 1.0.0\n")
        let alerts = try FileManager.default.contentsOfDirectory(atPath: f.root + "/spool/alerts").filter {
            $0.hasSuffix(".json")
        }
        #expect(alerts.count == 1)
        let alert = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: f.root + "/spool/alerts/" + alerts[0]))
        )
        #expect(alert["type"]?.stringValue == "deploy_failed")
        #expect(alert["severity"]?.stringValue == "critical")
        #expect(alert["resolved_at"] == .null)
        let audit = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action = 'deploy.failed'")
        }
        #expect(audit.count == 1)
        // A later good deployment resolves the alert.
        _ = try f.createVersion(artifact: try f.artifact("a3", weights: "w3"))
        #expect(try f.promote("1.2.0").status == .succeeded)
        let resolved = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: f.root + "/spool/alerts/" + alerts[0]))
        )
        #expect(resolved["resolved_at"]?.stringValue != nil)
    }

    @Test func aHookThatHangsIsKilledAtItsTimeoutAndTheSwitchUndone() throws {
        let f = try RegistryFixture(config: "deploy_hook_timeout: 1\n")
        let hook = try f.script("hook.sh", "[ \"$MLOPSD_ACTION\" = promote ] && sleep 30\nexit 0")
        f.config.deployHook = [hook]
        try f.register()
        _ = try f.createVersion(artifact: try f.artifact("a1"))
        let result = try f.promote("1.0.0")
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("did not finish within") == true)
        #expect(try f.production() == nil)
        #expect(f.servingTarget() == nil)
    }

    /// Two daemons' worth of writers promoting at once: the store keeps one production version.
    @Test func twoPromotionsRacingLeaveOneProductionVersion() throws {
        let f = try RegistryFixture()
        try f.register()
        for i in 1...2 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        let second = try Store(path: f.root + "/state/mlopsd.sqlite")
        let stores = [f.store, second]
        let versions = ["1.0.0", "1.1.0"]
        let config = f.config
        let registry = f.registry
        #expect(try f.promote("1.0.0").status == .succeeded)
        // A third connection reads all the while: it must never see zero or two.
        let reader = try Store(path: f.root + "/state/mlopsd.sqlite")
        let stop = ManagedAtomicFlag()
        let seen = ManagedCounts()
        let readerThread = Thread {
            while !stop.isSet {
                let count =
                    (try? reader.read { db in
                        try Int.fetchOne(
                            db,
                            sql: "SELECT COUNT(*) FROM versions WHERE model = 'xray' AND state = 'production'"
                        )
                    }) ?? nil
                seen.add(count ?? -1)
            }
        }
        readerThread.start()
        defer { stop.set() }
        for round in 0..<20 {
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let job = Job<Kinds.PromoteVersion>(
                    id: "race-\(round)-\(i)",
                    model: "xray",
                    parameters: .init(version: versions[(i + round) % 2])
                )
                let context = JobContext(
                    submittedBy: "t",
                    submitterUID: 0,
                    now: Date(),
                    config: config,
                    logger: .init(label: "t"),
                    registry: registry
                )
                _ = try? stores[i].write { db in try Kinds.PromoteVersion.execute(job, context: context, db: db) }
            }
            #expect(try f.productionCount() == 1)
            let open = try f.store.read { db in
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM production_history WHERE model = 'xray' AND until_at IS NULL"
                )
            }
            #expect(open == 1)
        }
        stop.set()
        try waitUntil(timeout: 10, "the reader stops") { readerThread.isFinished }
        #expect(seen.values.count > 0)
        #expect(seen.values.allSatisfy { $0 == 1 }, "a reader saw \(Set(seen.values)) production versions")
        let production = try #require(try f.production())
        #expect(f.deployedVersion() == production)
    }
}

@Suite(.serialized) struct RollbackAndArchiveTests {
    @Test func rollbackReturnsToThePreviousVersionInOneStepAndOpensAnAlert() throws {
        let f = try RegistryFixture()
        try f.register()
        for i in 1...3 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        let lonely = try f.run("kind: rollback\nmodel: xray\n")
        #expect(lonely.status == .rejected)
        #expect(lonely.error?.message.contains("no production version") == true)
        #expect(try f.promote("1.0.0").status == .succeeded)
        let single = try f.run("kind: rollback\nmodel: xray\n")
        #expect(single.status == .rejected)
        #expect(single.error?.message.contains("nothing to roll back to") == true)
        #expect(try f.promote("1.1.0").status == .succeeded)
        #expect(try f.promote("1.2.0").status == .succeeded)
        let back = try f.run("kind: rollback\nmodel: xray\nreason: accuracy fell in ward 3\n")
        #expect(back.status == .succeeded, "\(back.error?.message ?? "")")
        #expect(back.result?["version"]?.stringValue == "1.1.0")
        #expect(try f.production() == "1.1.0")
        #expect(f.deployedVersion() == "1.1.0")
        let named = try f.run("kind: rollback\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(named.status == .succeeded)
        #expect(try f.production() == "1.0.0")
        let never = try f.run("kind: rollback\nmodel: xray\nparams: {version: 1.0.0}\n")
        #expect(never.status == .rejected)
        let alerts = try f.store.read { db in try AlertBook.open(db, model: "xray") }
        #expect(alerts.map(\.type) == ["rollback"])
        #expect(alerts.first?.occurrences == 2)
        let history = try f.store.read { db in try VersionStore.history(db, model: "xray") }
        #expect(history.map(\.action) == ["promote", "promote", "promote", "rollback", "rollback"])
    }

    @Test func archiveKeepsTheNewestAndNeverProductionOrTheRollbackTarget() throws {
        let f = try RegistryFixture()
        try f.register(policy: "keep_versions: 2\narchived_artifacts: delete")
        for i in 1...6 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        #expect(try f.promote("1.0.0").status == .succeeded)
        #expect(try f.promote("1.1.0").status == .succeeded)
        // Production 1.1.0, rollback target 1.0.0, newest two 1.5.0 and 1.4.0.
        let dry = try f.run("kind: archive-versions\nmodel: xray\nparams: {dry_run: true}\n")
        #expect(dry.result?["archived"] == ["1.3.0", "1.2.0"])
        #expect(
            try f.store.read { db in try VersionStore.versions(db, model: "xray").filter { $0.state == .archived }.count
            } == 0
        )
        let removedPath = try #require(try f.artifactPath("xray", "1.2.0"))
        let result = try f.run("kind: archive-versions\nmodel: xray\n")
        #expect(result.status == .succeeded)
        #expect(result.result?["archived"] == ["1.3.0", "1.2.0"])
        let states = try f.store.read { db in
            try VersionStore.versions(db, model: "xray").map { "\($0.version)=\($0.state.rawValue)" }
        }
        #expect(
            states == [
                "1.0.0=staging", "1.1.0=production", "1.2.0=archived", "1.3.0=archived", "1.4.0=registered",
                "1.5.0=registered",
            ]
        )
        #expect(!FileManager.default.fileExists(atPath: removedPath))
        #expect(FileManager.default.fileExists(atPath: try #require(try f.artifactPath("xray", "1.4.0"))))
        let promoteArchived = try f.promote("1.2.0")
        #expect(promoteArchived.status == .rejected)
        #expect(promoteArchived.error?.message.contains("archived") == true)
    }

    @Test func promoteAndArchiveIsOneStep() throws {
        let f = try RegistryFixture()
        try f.register(policy: "keep_versions: 1")
        for i in 1...4 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        #expect(try f.promote("1.0.0").status == .succeeded)
        let result = try f.promote("1.3.0", extra: "  archive: true\n")
        #expect(result.status == .succeeded)
        #expect(result.result?["archive"]?["archived"] == ["1.2.0", "1.1.0"])
        let archivedAt = try f.store.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT DISTINCT job_id FROM version_events WHERE to_state IN ('archived','production') AND version != '1.0.0'"
            )
        }
        #expect(archivedAt.count == 1)
    }

    @Test func productionAtAPastTimeComesFromTheHistory() throws {
        let f = try RegistryFixture()
        try f.register()
        for i in 1...2 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        let before = Timestamp.string(Date().addingTimeInterval(-1))
        #expect(try f.promote("1.0.0").status == .succeeded)
        // A moment inside the first stint: its own start, once the clock has moved past it
        // (the next stint must begin at a later millisecond).
        let between = try #require(try f.store.read { db in try VersionStore.currentStint(db, model: "xray") }).from
        try waitUntil(timeout: 5, "the clock passes the first stint's start") { Timestamp.string(Date()) > between }
        #expect(try f.promote("1.1.0").status == .succeeded)
        let now = try f.run("kind: get-production-model\nmodel: xray\n")
        #expect(now.result?["version"]?.stringValue == "1.1.0")
        #expect(now.result?["serving"]?["agrees_with_store"] == true)
        let then = try f.run("kind: get-production-model\nmodel: xray\nparams: {at: \"\(between)\"}\n")
        #expect(then.result?["version"]?.stringValue == "1.0.0")
        #expect(then.result?["stint"]?["until"]?.stringValue != nil)
        let earlier = try f.run("kind: get-production-model\nmodel: xray\nparams: {at: \"\(before)\"}\n")
        #expect(earlier.status == .succeeded)
        #expect(earlier.result?["version"] == .null)
        let list = try f.run("kind: list-versions\nmodel: xray\n")
        #expect(list.result?["production"]?.stringValue == "1.1.0")
        #expect(list.result?["rollback_target"]?.stringValue == "1.0.0")
        guard case .array(let versions)? = list.result?["versions"] else {
            Issue.record("no versions")
            return
        }
        #expect(versions.map { $0["version"]?.stringValue } == ["1.1.0", "1.0.0"])
        guard case .array(let events)? = versions[1]["events"] else {
            Issue.record("no events")
            return
        }
        #expect(events.map { $0["to"]?.stringValue } == ["registered", "production", "staging"])
    }
}

@Suite(.serialized) struct ReconcileTests {
    @Test func reconcileRepairsALinkThatDisagreesWithTheStore() throws {
        let f = try RegistryFixture()
        try f.register()
        for i in 1...2 { _ = try f.createVersion(artifact: try f.artifact("a\(i)", weights: "w\(i)")) }
        #expect(try f.promote("1.0.0").status == .succeeded)
        // As if the daemon died after switching the link for 1.1.0 and before the commit.
        let other = try #require(try f.artifactPath("xray", "1.1.0"))
        try f.registry.serving.switchTo(model: "xray", artifactPath: other, deployment: ["version": "1.1.0"])
        // And a serving directory for a model the store never put into production.
        try f.registry.serving.switchTo(model: "ghost", artifactPath: other, deployment: ["version": "9.0.0"])
        let repaired = f.registry.reconcile(store: f.store, config: f.config, logger: .init(label: "t"))
        #expect(Set(repaired) == ["xray", "ghost"])
        #expect(f.servingTarget() == (try f.artifactPath("xray", "1.0.0")))
        #expect(f.deployedVersion() == "1.0.0")
        #expect(f.servingTarget("ghost") == nil)
        #expect(f.registry.reconcile(store: f.store, config: f.config, logger: .init(label: "t")).isEmpty)
    }
}

/// A flag one thread sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
    // @unchecked Sendable: the Bool is only touched under `lock`.
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

/// Values one thread records and another reads afterwards.
final class ManagedCounts: @unchecked Sendable {
    // @unchecked Sendable: the array is only touched under `lock`.
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ value: Int) { lock.withLock { items.append(value) } }
    var values: [Int] { lock.withLock { items } }
}
