import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `mlopsd --check-config` on the real binary: the config with its `MLOPSD_` overrides,
/// every pipeline definition in `pipelines_dir`, and the retraining schedule.
@Suite struct ConfigCheckTests {
    struct Run {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    /// The test's environment without any variable that overrides a config key.
    static var cleanEnvironment: [String: String] {
        let overrides = Set(DaemonConfig.environmentNames)
        return ProcessInfo.processInfo.environment.filter { !overrides.contains($0.key) }
    }

    /// A config under a fresh root whose pipelines_dir holds the shipped default pipeline
    /// plus `pipelines` (file name → text).
    static func setUp(
        _ config: String = "",
        pipelines: [String: String] = [:],
        name: String = #function
    ) throws
        -> DaemonHarness
    {
        let d = try DaemonHarness(name: name)
        let dir = d.root + "/pipelines"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: PipelineDaemonTests.repository + "/etc/pipelines/default.yaml",
            toPath: dir + "/default.yaml"
        )
        for (file, text) in pipelines { try writeFile(dir + "/" + file, Data(text.utf8)) }
        try d.writeConfig("pipelines_dir: \(dir)\n" + config)
        return d
    }

    /// Runs `mlopsd --check-config --config …` with `extra` variables.
    static func check(_ d: DaemonHarness, _ extra: [String: String] = [:]) throws -> Run {
        var env = cleanEnvironment
        for (k, v) in extra { env[k] = v }
        let prefix = d.root + "/check.\(UInt32.random(in: 0...UInt32.max))"
        let p = try ChildProcess(
            DaemonHarness.binDirectory + "/mlopsd",
            ["--check-config", "--config", d.configPath],
            environment: env,
            logPrefix: prefix
        )
        let status = try p.waitForExit(timeout: 60)
        return Run(
            exitCode: (status >> 8) & 0xff,
            stdout: (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? "",
            stderr: p.stderrText
        )
    }

    @Test func aValidConfigurationPrintsItsKeysItsPipelinesAndTheSchedule() throws {
        let d = try Self.setUp("retrain_schedule: Sun 02:00 UTC\n")
        defer { d.cleanUp() }
        let run = try Self.check(d)
        #expect(run.exitCode == 0, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(d.configPath): valid")
        #expect(lines.contains("retrain_schedule: Sun *-*-* 02:00:00 UTC"))
        #expect(lines.contains("pipelines: default (1 valid in \(d.root)/pipelines)"), "\(run.stdout)")
        let schedule = try #require(lines.first { $0.hasPrefix("scheduled retraining: ") })
        #expect(schedule.hasPrefix("scheduled retraining: `Sun *-*-* 02:00:00 UTC` in UTC; next "))
        #expect(schedule.components(separatedBy: "T02:00:00.000Z").count == 4, "three Sundays at 02:00: \(schedule)")
    }

    @Test func aBrokenPipelineDefinitionFailsTheCheckWithItsFileLineColumnAndFix() throws {
        let shipped = try String(
            contentsOfFile: PipelineDaemonTests.repository + "/etc/pipelines/default.yaml",
            encoding: .utf8
        )
        let missingProgram = shipped.replacingOccurrences(of: "argv: [mlops-train]", with: "argv: [no-such-trainer]")
        let typo = shipped.replacingOccurrences(of: "    timeout: 1800\n", with: "    timout: 1800\n")
        let d = try Self.setUp(pipelines: ["gpu.yaml": missingProgram, "nightly.yaml": typo])
        defer { d.cleanUp() }
        let run = try Self.check(d)
        #expect(run.exitCode == 78, "\(run)")
        #expect(run.stdout.isEmpty, "nothing is called valid: \(run.stdout)")
        func position(_ text: String, of needle: String) -> String {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard let row = lines.firstIndex(where: { $0.contains(needle) }),
                let column = lines[row].range(of: needle).map({
                    lines[row].distance(from: lines[row].startIndex, to: $0.lowerBound)
                })
            else { return "?" }
            return "\(row + 1):\(column + 1)"
        }
        let gpu = "\(d.root)/pipelines/gpu.yaml:\(position(missingProgram, of: "no-such-trainer")): "
        #expect(run.stderr.contains("mlopsd: pipeline definitions refused:"), "\(run.stderr)")
        #expect(
            run.stderr.contains(gpu + "stages.train.argv: the program `no-such-trainer` is not on the search path"),
            "\(run.stderr)"
        )
        #expect(run.stderr.contains("install it, or write its absolute path"))
        let nightly = "\(d.root)/pipelines/nightly.yaml:\(position(typo, of: "timout")): "
        #expect(run.stderr.contains(nightly), "\(run.stderr)")
        #expect(run.stderr.contains("did you mean 'timeout'?"), "\(run.stderr)")
    }

    @Test func onlyMLOPSDVariablesOverrideAndTheSeedNamesAreAliases() throws {
        let d = try Self.setUp()
        defer { d.cleanUp() }
        let generic = try Self.check(d, ["LOG_LEVEL": "debug", "BATCH_SIZE": "1", "SPOOL_DIR": "/elsewhere"])
        #expect(generic.exitCode == 0, "\(generic)")
        #expect(generic.stdout.contains("\nlog_level: info\n"))
        #expect(generic.stdout.contains("\nbatch_size: 64\n"))
        #expect(generic.stdout.contains("\nspool_dir: \(d.spool)\n"))
        let prefixed = try Self.check(d, ["MLOPSD_LOG_LEVEL": "debug", "MLOPSD_BATCH_SIZE": "1"])
        #expect(prefixed.stdout.contains("\nlog_level: debug\n"))
        #expect(prefixed.stdout.contains("\nbatch_size: 1\n"))
        let seed = try Self.check(
            d,
            ["MONITORING_CHECK_INTERVAL": "60", "DATA_DRIFT_THRESHOLD": "0.2", "MLOPSD_DATA_DRIFT_THRESHOLD": "0.3"]
        )
        #expect(seed.stdout.contains("\nmonitoring_check_interval: 60\n"))
        #expect(seed.stdout.contains("\ndata_drift_threshold: 0.3\n"), "the prefixed name wins")
    }

    @Test func aBadScheduleIsRefusedWithItsPositionAndTheReason() throws {
        let d = try Self.setUp("retrain_schedule: Fri..Mon 02:00\n")
        defer { d.cleanUp() }
        let run = try Self.check(d)
        #expect(run.exitCode == 78, "\(run)")
        // The harness's config has four lines before the extra ones; pipelines_dir is the 5th.
        #expect(run.stderr.contains("mlopsd.yaml:6:19: retrain_schedule 'Fri..Mon 02:00' is not a calendar expression"))
        #expect(run.stderr.contains("weekday range 'Fri..Mon' runs backwards"), "\(run.stderr)")
        #expect(run.stderr.contains("systemd-analyze calendar"), "the fix says how to try it: \(run.stderr)")
    }
}
