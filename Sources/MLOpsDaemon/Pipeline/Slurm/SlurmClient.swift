import Foundation
import Glibc
import MLOpsCore
import Subprocess
import SystemPackage

/// Runs the Slurm commands (`sbatch`, `scontrol`, `sacct`, `scancel`) as child processes
/// with a deadline each, always with `SLURM_CONF` set and with nothing else from the
/// daemon's environment (docs/slurm.md).
///
/// Every command runs in a task of its own, so that a cancelled pipeline run still gets
/// its `scancel` and its last status query to the end.
struct SlurmClient: Sendable {
    /// `slurm_bin_dir`.
    var binDirectory: String
    /// `slurm_conf` (already checked non-empty).
    var conf: String
    /// `slurm_command_timeout`.
    var timeout: Double

    /// What a command printed and how it ended.
    struct Output: Sendable {
        var status: Int32?
        var stdout: String
        var stderr: String
    }

    /// The client for `config`, or why there is none.
    static func make(_ config: DaemonConfig) throws(SlurmError) -> SlurmClient {
        guard !config.slurmConf.isEmpty else { throw .notConfigured }
        guard FileManager.default.fileExists(atPath: config.slurmConf) else {
            throw .configMissing(path: config.slurmConf)
        }
        return SlurmClient(
            binDirectory: config.slurmBinDir,
            conf: config.slurmConf,
            timeout: config.slurmCommandTimeout
        )
    }

    /// Runs `program` with `arguments`; throws when it cannot start or does not end in time.
    func run(_ program: String, _ arguments: [String]) async throws(SlurmError) -> Output {
        let path = binDirectory + "/" + program
        guard access(path, X_OK) == 0 else { throw .programMissing(path: path) }
        let environment: [Environment.Key: String] = [
            "SLURM_CONF": conf, "PATH": binDirectory + ":/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
        ]
        let configuration = Configuration(
            executable: .path(FilePath(path)),
            arguments: Arguments(arguments),
            environment: .custom(environment)
        )
        let seconds = timeout
        let task = Task { () -> Output? in
            try? await withThrowingTaskGroup(of: Output?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        configuration,
                        input: .none,
                        output: .string(limit: 1 << 20),
                        error: .string(limit: 1 << 16)
                    )
                    let status: Int32? =
                        switch result.terminationStatus {
                        case .exited(let code): code
                        case .signaled: nil
                        }
                    return Output(status: status, stdout: result.standardOutput, stderr: result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(seconds))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
        guard let output = await task.value else {
            throw .timedOut(command: ([program] + arguments.prefix(2)).joined(separator: " "), seconds: seconds)
        }
        return output
    }

    /// Submits `job` (its script already written at `scriptPath`); returns the job id.
    func submit(_ job: SlurmBatchJob, scriptPath: String) async throws(SlurmError) -> String {
        let output = try await run("sbatch", job.sbatchArguments(scriptPath: scriptPath))
        guard output.status == 0 else {
            throw .commandFailed(command: "sbatch", status: output.status, message: output.stderr + output.stdout)
        }
        guard let id = SlurmBatchJob.parseJobID(output.stdout) else {
            throw .noJobID(output: output.stdout + output.stderr)
        }
        return id
    }

    /// What Slurm says about job `id`: scontrol while it remembers the job, then the job
    /// completion log (`sacct -c`). Throws ``SlurmError/unknownJob(id:)`` when neither knows it.
    ///
    /// scontrol runs with `TZ=UTC`, so its times are read as UTC; `sacct -c` repeats the
    /// completion log's text, written in the controller's local time, read in mlopsd's own
    /// time zone (docs/slurm.md).
    func status(_ id: String) async throws(SlurmError) -> SlurmJobStatus {
        let output = try await run("scontrol", ["-o", "show", "job", id])
        if output.status == 0, let status = SlurmJobStatus.parseScontrol(output.stdout, timeZone: .gmt) {
            return status
        }
        let text = output.stderr + output.stdout
        guard text.contains("Invalid job id") else {
            throw .commandFailed(command: "scontrol show job \(id)", status: output.status, message: text)
        }
        let accounting = try await run(
            "sacct",
            ["-c", "-j", id, "-P", "-n", "-o", "JobID,State,ExitCode,Start,End"]
        )
        if accounting.status == 0,
            let status = SlurmJobStatus.parseAccounting(accounting.stdout, id: id, timeZone: .current)
        {
            return status
        }
        throw .unknownJob(id: id)
    }

    /// Cancels job `id` (`scancel`; Slurm sends SIGTERM, then SIGKILL after KillWait).
    func cancel(_ id: String) async throws(SlurmError) {
        let output = try await run("scancel", [id])
        guard output.status == 0 else {
            throw .commandFailed(
                command: "scancel \(id)",
                status: output.status,
                message: output.stderr + output.stdout
            )
        }
    }

    /// The ids of the jobs named `name` that scontrol still knows, oldest first (a restarted
    /// daemon looks for a job whose id it did not get to record).
    func jobs(named name: String) async throws(SlurmError) -> [(id: String, status: SlurmJobStatus)] {
        let output = try await run("scontrol", ["-o", "show", "jobs"])
        guard output.status == 0 else {
            if (output.stderr + output.stdout).contains("No jobs in the system") { return [] }
            throw .commandFailed(
                command: "scontrol show jobs",
                status: output.status,
                message: output.stderr + output.stdout
            )
        }
        var found: [(String, SlurmJobStatus)] = []
        for line in output.stdout.split(whereSeparator: \.isNewline) {
            let fields = SlurmJobStatus.scontrolFields(String(line))
            guard fields["JobName"] == name, let id = fields["JobId"],
                let status = SlurmJobStatus.parseScontrol(String(line), timeZone: .gmt)
            else { continue }
            found.append((id, status))
        }
        return found.sorted { (Int($0.0) ?? 0) < (Int($1.0) ?? 0) }
    }
}
