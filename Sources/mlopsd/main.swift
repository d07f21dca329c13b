import ArgumentParser
import Foundation
import MLOpsDaemon

/// `mlopsd`: the daemon. Thin: everything lives in MLOpsDaemon.
struct MLOpsD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlopsd",
        abstract: "Keeps machine-learning models healthy: turns job files dropped into a spool into results.",
        discussion: "See mlopsd(8), mlopsd.yaml(5) and mlopsd-jobs(5).",
        version: MLOpsDaemonInfo.version
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String = "/etc/mlopsd/mlopsd.yaml"

    @Flag(
        help: """
            Check the configuration and every pipeline definition in pipelines_dir, print them resolved, \
            and exit (0 when valid, 78 when not).
            """
    )
    var checkConfig = false

    @Option(
        name: .customLong("restore"),
        help: ArgumentHelp(
            "Restore the backup in DIR into the state directory of a stopped daemon, and exit.",
            discussion: "The backup is verified against its manifest first; see mlopsd(8).",
            valueName: "DIR"
        )
    )
    var restore: String?

    @Flag(help: "With --restore, replace an existing store (it is moved to state/replaced-<time>/).")
    var force = false

    func validate() throws {
        if force && restore == nil { throw ValidationError("--force goes with --restore") }
        if checkConfig && restore != nil { throw ValidationError("--check-config and --restore do not go together") }
    }

    func run() throws {
        if let restore {
            do {
                let summary = try BackupRestorer.restore(restore, configPath: config, force: force)
                for line in summary.lines { print(line) }
            } catch {
                FileHandle.standardError.write(Data("mlopsd: \(error)\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        if checkConfig {
            let report = ConfigCheck.run(configPath: config)
            for line in report.lines { print(line) }
            for problem in report.problems { FileHandle.standardError.write(Data("mlopsd: \(problem)\n".utf8)) }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
            return
        }
        Daemon.main(configPath: config)
    }
}

MLOpsD.main()
