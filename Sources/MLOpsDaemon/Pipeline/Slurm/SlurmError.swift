/// Why the daemon could not use Slurm for a stage: each reads as the stage's error and
/// names what to fix (docs/slurm.md).
public enum SlurmError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither `slurm_conf` nor `SLURM_CONF` says where the cluster is.
    case notConfigured
    /// The `slurm.conf` named does not exist.
    case configMissing(path: String)
    /// A Slurm program is not where `slurm_bin_dir` says.
    case programMissing(path: String)
    /// A Slurm command exited non-zero; `message` is what it printed.
    case commandFailed(command: String, status: Int32?, message: String)
    /// A Slurm command did not answer in time (the controller unreachable).
    case timedOut(command: String, seconds: Double)
    /// `sbatch --parsable` printed no job id.
    case noJobID(output: String)
    /// Neither scontrol nor the job completion log knows the job.
    case unknownJob(id: String)

    public var description: String {
        switch self {
        case .notConfigured:
            return
                "no Slurm cluster is configured: set `slurm_conf` in mlopsd.yaml (or SLURM_CONF in the unit's environment)"
        case .configMissing(let path):
            return "slurm_conf \(path) does not exist"
        case .programMissing(let path):
            return "\(path) is not an executable (install slurm-client, or set slurm_bin_dir)"
        case .commandFailed(let command, let status, let message):
            let text = message.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }.suffix(3)
                .joined(separator: " / ")
            return "\(command) failed" + (status.map { " (exit \($0))" } ?? "")
                + (text.isEmpty ? "" : ": " + String(text.prefix(500)))
        case .timedOut(let command, let seconds):
            return "\(command) did not answer within \(Int(seconds)) s (is slurmctld running and reachable?)"
        case .noJobID(let output):
            return "sbatch printed no job id: \(output.prefix(200))"
        case .unknownJob(let id):
            return
                "Slurm knows no job \(id) (neither scontrol nor sacct -c): it ended more than MinJobAge ago without a completion record"
        }
    }

    /// What the administrator can do about it.
    public var fix: String {
        switch self {
        case .notConfigured, .configMissing: return "set slurm_conf to the cluster's slurm.conf and reload mlopsd"
        case .programMissing: return "apt-get install slurm-client, or point slurm_bin_dir at sbatch's directory"
        case .commandFailed, .timedOut:
            return "check the cluster (sinfo, scontrol ping) and the stage's slurm: settings"
        case .noJobID: return "check that sbatch is Slurm's and supports --parsable"
        case .unknownJob: return "configure JobCompType (e.g. jobcomp/filetxt) so that sacct -c remembers ended jobs"
        }
    }
}
