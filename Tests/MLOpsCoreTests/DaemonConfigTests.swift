import Foundation
import Testing

@testable import MLOpsCore

private func parse(
    _ text: String,
    env: [String: String] = [:],
    cwd: String = "/srv/mlops"
) throws(ConfigError) -> DaemonConfig {
    try DaemonConfig.parse(text: text, sourceName: "etc/mlopsd.yaml", environment: env, workingDirectory: cwd)
}

private func configError(_ text: String, env: [String: String] = [:]) -> ConfigError? {
    do {
        _ = try parse(text, env: env)
        return nil
    } catch {
        return error
    }
}

/// The repository root, found from this file's path (Tests/MLOpsCoreTests/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct DaemonConfigTests {
    @Test func emptyFileGivesTheDefaultsWithResolvedPaths() throws {
        let config = try parse("# nothing\n")
        var expected = DaemonConfig.defaults
        expected.spoolDir = "/srv/mlops/spool"
        expected.stateDir = "/srv/mlops/state"
        expected.dataRoots = ["/srv/mlops/data"]
        expected.backupDir = "/srv/mlops/backups"
        expected.metricsFile = "/srv/mlops/state/mlopsd.prom"
        expected.pipelinesDir = "/srv/mlops/etc/pipelines"
        #expect(config == expected)
        #expect(config.maxJobBytes == 1_048_576)
        #expect(config.maxAttempts == 3)
        #expect(config.monitoringCheckInterval == 3600)
        #expect(config.dataDriftThreshold == 0.1)
        #expect(config.modelDecayThreshold == 0.05)
        #expect(config.retrainScheduleDays == 30)
        #expect(config.logLevel == .info)
        #expect(config.submittersGroup == "mlopsd-submit")
        #expect(config.yamlLimits.maxDepth == 32)
    }

    @Test func fileValuesReplaceDefaults() throws {
        let config = try parse("max_attempts: 5\nlog_level: debug\nrescan_interval: 2.5\n")
        #expect(config.maxAttempts == 5)
        #expect(config.logLevel == .debug)
        #expect(config.rescanInterval == 2.5)
    }

    @Test func environmentOverridesWinOverTheFile() throws {
        let config = try parse(
            "monitoring_check_interval: 600\nspool_dir: /var/spool/mlopsd\n",
            env: [
                "MLOPSD_MONITORING_CHECK_INTERVAL": "60", "MLOPSD_SPOOL_DIR": "./mine/",
                "MLOPSD_DATA_ROOTS": "/a:b/../c",
                "MLOPSD_LOG_LEVEL": "warning", "PATH": "/usr/bin", "MLOPSD_DATA_DRIFT_THRESHOLD": "0.2",
            ]
        )
        #expect(config.monitoringCheckInterval == 60)
        #expect(config.spoolDir == "/srv/mlops/mine")
        #expect(config.dataRoots == ["/a", "/srv/mlops/c"])
        #expect(config.logLevel == .warning)
        #expect(config.dataDriftThreshold == 0.2)
    }

    @Test func invalidEnvironmentValueNamesTheVariableAndTheForm() throws {
        let error = try #require(
            configError("", env: ["MLOPSD_MAX_ATTEMPTS": "lots", "MLOPSD_DATA_DRIFT_THRESHOLD": "1"])
        )
        #expect(error.problems.count == 2)
        let text = error.description
        #expect(
            text.contains(
                "environment variable MLOPSD_MAX_ATTEMPTS: MLOPSD_MAX_ATTEMPTS must be a whole number, not 'lots'"
            )
        )
        #expect(
            text.contains(
                "environment variable MLOPSD_DATA_DRIFT_THRESHOLD: MLOPSD_DATA_DRIFT_THRESHOLD must be less than 1"
            )
        )
        #expect(text.contains("expected a number"))
    }

    @Test func emptyPathInDataRootsIsRefused() throws {
        let error = try #require(configError("", env: ["MLOPSD_DATA_ROOTS": "/a::/b"]))
        #expect(error.description.contains("MLOPSD_DATA_ROOTS[1]"))
    }

    @Test func unknownKeyGetsASuggestionWithLineAndColumn() throws {
        let error = try #require(configError("max_attempts: 3\n\nspol_dir: /tmp/x\n"))
        #expect(error.description == "etc/mlopsd.yaml:3:1: unknown key 'spol_dir'; did you mean 'spool_dir'?")
    }

    @Test func everyProblemIsListedOnItsOwnLine() throws {
        let error = try #require(configError("batch_size: 0\nlog_level: verbose\nmax_job_bytes: '10'\n"))
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("etc/mlopsd.yaml:1:13: batch_size must be at least 1"))
        #expect(lines[1].hasPrefix("etc/mlopsd.yaml:2:12: log_level must be one of trace, debug"))
        #expect(lines[2].hasPrefix("etc/mlopsd.yaml:3:16: max_job_bytes must be a whole number"))
        #expect(lines[2].hasSuffix("remove the quotes"))
    }

    @Test func exclusiveBoundsAreEnforced() throws {
        let error = try #require(configError("monitoring_check_interval: 0\n"))
        #expect(error.description == "etc/mlopsd.yaml:1:28: monitoring_check_interval must be greater than 0, not 0")
    }

    @Test func yamlErrorsAreConfigErrorsWithPosition() throws {
        let error = try #require(configError("spool_dir: &x /tmp\n"))
        #expect(error.description.hasPrefix("etc/mlopsd.yaml:1:12: YAML anchors"))
    }

    @Test func relativePathsAreResolvedAgainstTheWorkingDirectory() throws {
        let config = try parse(
            "spool_dir: ./spool/\nstate_dir: ../state//db/.\ndata_roots: [data, /abs/path/, ./x/../y]\n",
            cwd: "/home/me/mlopsd/"
        )
        #expect(config.spoolDir == "/home/me/mlopsd/spool")
        #expect(config.stateDir == "/home/me/state/db")
        #expect(config.dataRoots == ["/home/me/mlopsd/data", "/abs/path", "/home/me/mlopsd/y"])
        #expect(DaemonConfig.resolve("/../a", against: "/w") == "/a")
        #expect(DaemonConfig.resolve(".", against: "/") == "/")
    }

    @Test func minSamplesAboveWindowSizeIsRefused() throws {
        let error = try #require(configError("window_size: 100\nmin_samples: 150\n"))
        #expect(
            error.description
                == "etc/mlopsd.yaml:2:14: min_samples (150) must be at most window_size (100); lower min_samples or raise window_size"
        )
        let fromEnv = try #require(configError("", env: ["MLOPSD_MIN_SAMPLES": "5000"]))
        #expect(
            fromEnv.description.hasPrefix(
                "environment variable MLOPSD_MIN_SAMPLES: min_samples (5000) must be at most window_size (1000)"
            )
        )
    }

    @Test func shippedLocalConfigParsesWithLocalPaths() throws {
        let url = repositoryRoot.appendingPathComponent("etc/mlopsd.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let config = try DaemonConfig.parse(
            text: text,
            sourceName: "etc/mlopsd.yaml",
            environment: [:],
            workingDirectory: "/work/repo"
        )
        var expected = DaemonConfig.defaults
        expected.spoolDir = "/work/repo/spool"
        expected.stateDir = "/work/repo/state"
        expected.dataRoots = ["/work/repo/data"]
        expected.backupDir = "/work/repo/backups"
        expected.metricsFile = "/work/repo/state/mlopsd.prom"
        expected.pipelinesDir = "/work/repo/etc/pipelines"
        #expect(config == expected)
        // Every key is present in the shipped file (so it documents all of them).
        let root = try #require(try YAMLComposer.compose(text))
        for field in DaemonConfig.schema.fields {
            #expect(root[field.name] != nil, "etc/mlopsd.yaml lacks \(field.name)")
        }
    }

    @Test func shippedSystemConfigParsesWithInstalledPaths() throws {
        let url = repositoryRoot.appendingPathComponent("etc/mlopsd.system.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let config = try DaemonConfig.parse(
            text: text,
            sourceName: "mlopsd.system.yaml",
            environment: [:],
            workingDirectory: "/"
        )
        #expect(config.spoolDir == "/var/spool/mlopsd")
        #expect(config.stateDir == "/var/lib/mlopsd")
        #expect(config.dataRoots == ["/var/lib/mlopsd/data"])
        #expect(config.pipelinesDir == "/etc/mlopsd/pipelines")
        #expect(config.maxJobBytes == DaemonConfig.defaults.maxJobBytes)
        #expect(config.logLevel == .info)
    }

    @Test func metricsFileDefaultsToTheStateDirectoryAndIsResolved() throws {
        #expect(try parse("").metricsFile == "/srv/mlops/state/mlopsd.prom")
        #expect(try parse("metrics_file: m/../x.prom\n").metricsFile == "/srv/mlops/x.prom")
        #expect(
            try parse("", env: ["MLOPSD_METRICS_FILE": "/var/lib/node/mlopsd.prom"]).metricsFile
                == "/var/lib/node/mlopsd.prom"
        )
    }

    @Test func anEmptyMetricsFileTurnsMetricsOff() throws {
        #expect(try parse("metrics_file: \"\"\n").metricsFile == "")
        let error = try #require(configError("metrics_file: \"a\\u0001b\"\n"))
        #expect(error.description.contains("metrics_file must be a path, or \"\" for no metrics file"))
    }

    @Test func shippedConfigsWriteMetricsIntoTheirStateDirectory() throws {
        for (file, expected) in [
            ("etc/mlopsd.yaml", "/work/repo/state/mlopsd.prom"),
            ("etc/mlopsd.system.yaml", "/var/lib/mlopsd/mlopsd.prom"),
        ] {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
            let config = try DaemonConfig.parse(
                text: text,
                sourceName: file,
                environment: [:],
                workingDirectory: "/work/repo"
            )
            #expect(config.metricsFile == expected, "\(file)")
        }
    }
}

@Suite struct ConfigKeyTableTests {
    @Test func everyKeysTypeTakesEveryValueItsSchemaAllows() {
        #expect(DaemonConfig.allKeys.count == 43)
        for key in DaemonConfig.allKeys {
            #expect(key.typeFitsSchema, "\(key.name): its declared type does not fit its schema")
            #expect(key.environmentName == "MLOPSD_" + key.name.uppercased(), "\(key.name)")
        }
    }

    @Test func keyNamesAreUnique() {
        let names = DaemonConfig.allKeys.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func everyKeyHasARowInTheDocsTable() throws {
        let url = repositoryRoot.appendingPathComponent("docs/configuration.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        for key in DaemonConfig.allKeys {
            #expect(
                text.contains("| `\(key.name)` | `\(key.environmentName)`"),
                "docs/configuration.md lacks \(key.name)"
            )
        }
    }

    @Test func theListingHasEveryKeyInOrderWithItsResolvedValue() throws {
        let config = try parse("data_roots: [a, /b]\nslurm_on_shutdown: cancel\nlog_level: debug\n")
        let listing = config.listing
        #expect(listing.count == DaemonConfig.allKeys.count)
        #expect(
            Array(listing.prefix(3)) == [
                "spool_dir: /srv/mlops/spool", "state_dir: /srv/mlops/state",
                "data_roots: /srv/mlops/a, /b",
            ]
        )
        #expect(listing.contains("data_drift_threshold: 0.1"))
        #expect(listing.contains("rescan_interval: 60"))
        #expect(listing.contains("log_level: debug"))
        #expect(listing.contains("slurm_on_shutdown: cancel"))
        #expect(listing.contains("deploy_hook: "))
    }

    @Test func closedSetsAreEnums() throws {
        #expect(DaemonConfig.defaults.logLevel == .info)
        #expect(DaemonConfig.defaults.slurmOnShutdown == .detach)
        #expect(try parse("slurm_on_shutdown: cancel\n").slurmOnShutdown == .cancel)
        #expect(try parse("", env: ["MLOPSD_LOG_LEVEL": "critical"]).logLevel == .critical)
        let error = try #require(configError("slurm_on_shutdown: kill\n"))
        #expect(error.description.hasPrefix("etc/mlopsd.yaml:1:20: slurm_on_shutdown must be one of detach, cancel"))
    }

    @Test func wholeAndFractionalNumbersOfADoubleKeyCompareEqual() throws {
        #expect(try parse("rescan_interval: 60\n") == parse("rescan_interval: 60.0\n"))
        #expect(try parse("rescan_interval: 60\n") == parse(""))
    }
}

@Suite struct DeployHookConfigTests {
    @Test func theHookIsArgvWithATimeout() throws {
        let config = try parse("deploy_hook: [/usr/local/bin/reload, --model, \"a b\"]\ndeploy_hook_timeout: 12\n")
        #expect(config.deployHook == ["/usr/local/bin/reload", "--model", "a b"])
        #expect(config.deployHookTimeout == 12)
        #expect(DaemonConfig.defaults.deployHook.isEmpty)
        #expect(DaemonConfig.defaults.deployHookTimeout == 30)
    }

    @Test func aRelativeProgramIsRefusedAtItsLine() throws {
        let error = try #require(configError("log_level: info\ndeploy_hook: [reload, now]\n"))
        let problem = try #require(error.problems.first)
        #expect(problem.line == 2)
        #expect(problem.message.contains("absolute program path"))
        #expect(problem.fix?.contains("/usr/local/bin") == true)
    }

    @Test func theEnvironmentSplitsArgvOnColons() throws {
        let config = try parse("", env: ["MLOPSD_DEPLOY_HOOK": "/bin/true:--x"])
        #expect(config.deployHook == ["/bin/true", "--x"])
        let error = try #require(configError("", env: ["MLOPSD_DEPLOY_HOOK": "true"]))
        #expect(error.problems.first?.source == "environment variable MLOPSD_DEPLOY_HOOK")
    }

    @Test func aTimeoutOutOfRangeIsRefused() {
        #expect(configError("deploy_hook_timeout: 0\n") != nil)
        #expect(configError("deploy_hook_timeout: 601\n") != nil)
    }
}

/// Environment overrides are `MLOPSD_<KEY>`; the seed system's four names are aliases; no
/// other unprefixed name is read (issue 21: a shell exporting `LOG_LEVEL` for another tool
/// must not change mlopsd).
@Suite struct EnvironmentNameTests {
    @Test func genericUnprefixedNamesChangeNothing() throws {
        let generic = [
            "LOG_LEVEL": "debug", "BATCH_SIZE": "1", "STATE_DIR": "/elsewhere", "SPOOL_DIR": "/elsewhere",
            "WINDOW_SIZE": "10", "MIN_SAMPLES": "10", "MAX_ATTEMPTS": "9", "DATA_ROOTS": "/x", "METRICS_FILE": "",
        ]
        #expect(try parse("", env: generic) == parse(""))
        #expect(try parse("", env: ["LOG_LEVEL": "debug"]).logLevel == .info)
        #expect(try parse("", env: ["MLOPSD_LOG_LEVEL": "debug"]).logLevel == .debug)
    }

    @Test func theSeedSystemsFourNamesStillWorkAndThePrefixedNameWins() throws {
        let seed = try parse(
            "",
            env: [
                "MONITORING_CHECK_INTERVAL": "60", "DATA_DRIFT_THRESHOLD": "0.2", "MODEL_DECAY_THRESHOLD": "0.1",
                "RETRAIN_SCHEDULE_DAYS": "7",
            ]
        )
        #expect(seed.monitoringCheckInterval == 60)
        #expect(seed.dataDriftThreshold == 0.2)
        #expect(seed.modelDecayThreshold == 0.1)
        #expect(seed.retrainScheduleDays == 7)
        let both = try parse(
            "",
            env: ["MONITORING_CHECK_INTERVAL": "60", "MLOPSD_MONITORING_CHECK_INTERVAL": "120"]
        )
        #expect(both.monitoringCheckInterval == 120)
        // An empty prefixed variable counts as unset: the alias is read.
        #expect(
            try parse("", env: ["RETRAIN_SCHEDULE_DAYS": "7", "MLOPSD_RETRAIN_SCHEDULE_DAYS": ""]).retrainScheduleDays
                == 7
        )
        // A bad alias value is reported under the alias's name.
        let error = try #require(configError("", env: ["DATA_DRIFT_THRESHOLD": "2"]))
        #expect(error.problems.first?.source == "environment variable DATA_DRIFT_THRESHOLD")
    }

    @Test func onlyTheSeedSystemsFourKeysHaveAliases() {
        let aliases = DaemonConfig.allKeys.compactMap(\.environmentAlias).sorted()
        #expect(
            aliases == [
                "DATA_DRIFT_THRESHOLD", "MODEL_DECAY_THRESHOLD", "MONITORING_CHECK_INTERVAL", "RETRAIN_SCHEDULE_DAYS",
            ]
        )
        for key in DaemonConfig.allKeys where key.environmentAlias != nil {
            #expect(key.environmentAlias == key.name.uppercased())
        }
    }
}

/// `retrain_schedule`: a systemd calendar expression, checked with its position and kept
/// normalized.
@Suite struct RetrainScheduleConfigTests {
    @Test func anEmptyScheduleMeansEveryRetrainScheduleDays() throws {
        #expect(DaemonConfig.defaults.retrainSchedule == "")
        #expect(DaemonConfig.defaults.retrainCalendar == nil)
        #expect(try parse("retrain_schedule:\n").retrainCalendar == nil)
    }

    @Test func anExpressionIsKeptInItsNormalizedForm() throws {
        let config = try parse("retrain_schedule: Sun 02:00\n")
        #expect(config.retrainSchedule == "Sun *-*-* 02:00:00")
        #expect(config.retrainCalendar?.normalized == "Sun *-*-* 02:00:00")
        #expect(config.listing.contains("retrain_schedule: Sun *-*-* 02:00:00"))
        #expect(try parse("retrain_schedule: \"*-*-01 00:00:00\"\n").retrainSchedule == "*-*-01 00:00:00")
        #expect(try parse("", env: ["MLOPSD_RETRAIN_SCHEDULE": "weekly"]).retrainSchedule == "Mon *-*-* 00:00:00")
    }

    @Test func anUnquotedLeadingStarGetsTheFixToQuoteIt() throws {
        let error = try #require(configError("log_level: info\nretrain_schedule: *-*-01 03:00\n"))
        let problem = try #require(error.problems.first)
        #expect(problem.line == 2)
        #expect(
            problem.fix
                == "quote the value: YAML reads a leading `*` as an alias (e.g. retrain_schedule: \"*-*-01 03:00\")"
        )
    }

    @Test func aBadExpressionIsRefusedAtItsLineWithTheReason() throws {
        let error = try #require(configError("log_level: info\nretrain_schedule: Sun 25:00\n"))
        let problem = try #require(error.problems.first)
        #expect(problem.line == 2)
        #expect(problem.column == 19)
        #expect(
            problem.message == "retrain_schedule `Sun 25:00` is not a calendar expression: hour 25 is out of range 0…23"
        )
        #expect(problem.fix?.contains("systemd-analyze calendar") == true)
        let fromEnv = try #require(configError("", env: ["MLOPSD_RETRAIN_SCHEDULE": "Fri..Mon"]))
        #expect(fromEnv.problems.first?.source == "environment variable MLOPSD_RETRAIN_SCHEDULE")
    }
}
