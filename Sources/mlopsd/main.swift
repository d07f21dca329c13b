import ArgumentParser
import Foundation
import MLOpsDaemon

/// `mlopsd`: the daemon. Thin: everything lives in MLOpsDaemon.
struct MLOpsD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlopsd",
        abstract: "Keeps machine-learning models healthy: turns job files dropped into a spool into results.",
        version: MLOpsDaemonInfo.version
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String = "/etc/mlopsd/mlopsd.yaml"

    @Flag(help: "Check the configuration, print it resolved, and exit (0 when valid, 78 when not).")
    var checkConfig = false

    func run() throws {
        if checkConfig {
            do {
                let resolved = try Daemon.loadConfig(path: config)
                print("\(config): valid")
                for line in resolved.listing { print(line) }
            } catch {
                FileHandle.standardError.write(Data("mlopsd: \(error)\n".utf8))
                throw ExitCode(error.exitCode)
            }
            return
        }
        Daemon.main(configPath: config)
    }
}

MLOpsD.main()
