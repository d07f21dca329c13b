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

    func run() throws {
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
