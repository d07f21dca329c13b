/// Where a pipeline stage's command runs (docs/slurm.md): a supervised child of the daemon,
/// or a batch job on the administrator's Slurm cluster.
///
/// Only the administrator's pipeline definition chooses it; a job file can name neither an
/// executor nor a Slurm option (``PipelineDefinition/commandKeys``).
public enum StageExecutor: Sendable, Equatable {
    /// A child process of the daemon in its own process group (the default).
    case local
    /// `sbatch` on the cluster `SLURM_CONF` names, with these settings.
    case slurm(SlurmSettings)

    /// `local` or `slurm`, as the definition spells it.
    public var name: String {
        switch self {
        case .local: return "local"
        case .slurm: return "slurm"
        }
    }

    /// The Slurm settings, when the stage runs on Slurm.
    public var slurm: SlurmSettings? {
        if case .slurm(let settings) = self { return settings }
        return nil
    }
}
