import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// A real one-node Slurm cluster (munged, slurmctld, slurmd) in a scratch directory,
/// started and stopped by `scripts/slurm/cluster.sh` (docs/slurm.md (Tests)).
///
/// When Slurm is not installed the tests that need it are skipped with a message, unless
/// `MLOPSD_REQUIRE_SLURM=1` (set by `.ci/run`, which installs Slurm), where that fails.
final class SlurmCluster: Sendable {
    /// The cluster's directory.
    let directory: String
    /// Its `slurm.conf` (what `SLURM_CONF` must name).
    let conf: String

    static let script = PipelineDaemonTests.repository + "/scripts/slurm/cluster.sh"

    /// Whether the tests must fail, not skip, without Slurm.
    static var required: Bool { ProcessInfo.processInfo.environment["MLOPSD_REQUIRE_SLURM"] == "1" }

    /// Whether `sbatch` and friends are installed.
    static var installed: Bool {
        let programs: [String] = ["/usr/bin/sbatch", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged"]
        return programs.allSatisfy { access($0, X_OK) == 0 }
    }

    /// Starts a cluster; nil (with a printed reason) when Slurm is not installed and not
    /// required. `minJobAge`: seconds slurmctld keeps an ended job (`MinJobAge`, default 600).
    static func start(minJobAge: Int? = nil) throws -> SlurmCluster? {
        if !installed {
            if required {
                throw TestFailure(
                    "Slurm is not installed but MLOPSD_REQUIRE_SLURM=1 (run scripts/install-deps.sh test)"
                )
            }
            print(
                "SKIPPED: Slurm is not installed (apt-get install slurmctld slurmd slurm-client munge); the Slurm tests did not run"
            )
            return nil
        }
        let directory = "/tmp/mlopsd-slurm-\(UInt32.random(in: 0...UInt32.max))"
        let (status, out) = try run(
            [script, "start", directory],
            environment: minJobAge.map { ["SLURM_TEST_MIN_JOB_AGE": String($0)] } ?? [:]
        )
        guard status == 0, let line = out.split(separator: "\n").last, line.hasPrefix("SLURM_CONF=") else {
            _ = try? run([script, "stop", directory])
            if status == 77 && !required {
                print("SKIPPED: \(out)")
                return nil
            }
            throw TestFailure("cannot start the Slurm cluster (exit \(status)): \(out.suffix(3000))")
        }
        return SlurmCluster(directory: directory, conf: String(line.dropFirst("SLURM_CONF=".count)))
    }

    private init(directory: String, conf: String) {
        self.directory = directory
        self.conf = conf
    }

    /// Stops the cluster and removes its directory.
    func stop() {
        _ = try? Self.run([Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Restarts slurmctld (jobs keep running).
    func restartController() throws {
        let (status, out) = try Self.run([Self.script, "restart-ctld", directory])
        guard status == 0 else { throw TestFailure("restart-ctld failed: \(out)") }
    }

    /// Stops slurmctld (slurmd and munged keep running), as a controller outage.
    func stopController() throws {
        guard let text = try? String(contentsOfFile: directory + "/run/slurmctld.pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw TestFailure("no slurmctld pid file in \(directory)/run") }
        kill(pid, SIGKILL)
        try waitUntil(timeout: 10, "slurmctld \(pid) to exit") {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            return stat.contains(") Z ")
        }
    }

    /// Runs a Slurm command (`scontrol`, `squeue`, ...) against this cluster; its stdout.
    func command(_ arguments: [String]) throws -> String {
        try Self.run(["/usr/bin/" + arguments[0]] + arguments.dropFirst(), environment: ["SLURM_CONF": conf]).1
    }

    /// `scontrol -o show job ID`'s fields (parsed by the daemon's own ``SlurmJobStatus``).
    func job(_ id: String) throws -> [String: String] {
        SlurmJobStatus.scontrolFields(try command(["scontrol", "-o", "show", "job", id]))
    }

    /// The ids of the jobs named `name` that scontrol knows.
    func jobs(named name: String) throws -> [String] {
        try command(["scontrol", "-o", "show", "jobs"]).split(separator: "\n").compactMap { line -> String? in
            let fields = SlurmJobStatus.scontrolFields(String(line))
            return fields["JobName"] == name ? fields["JobId"] : nil
        }
    }

    /// Runs `argv` to completion (deadline 120 s); exit status and stdout+stderr. The output
    /// goes through a file, not a pipe: the daemons `start` leaves running inherit it and
    /// would hold a pipe open forever.
    @discardableResult
    static func run(_ argv: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let path = NSTemporaryDirectory() + "slurm-cmd-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { unlink(path) }
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                argv[0],
                arguments: Array(argv.dropFirst()),
                environment: env.map { "\($0.key)=\($0.value)" },
                stdout: path
            )
        } catch {
            throw TestFailure("cannot start \(argv[0]): \(error)")
        }
        var raw: Int32 = 0
        try waitUntil(timeout: 120, every: 0.05, "\(argv.prefix(3).joined(separator: " ")) to exit") {
            waitpid(pid, &raw, WNOHANG) == pid
        }
        let output = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return (WaitStatus(raw: raw).exitCode ?? -1, output)
    }
}
