/// What a stop of mlopsd does to the Slurm jobs its pipelines are running
/// (`slurm_on_shutdown`, docs/slurm.md).
public enum SlurmShutdownPolicy: String, CaseIterable, Sendable, ConfigValue {
    /// The jobs run on; the next start re-attaches to them and finishes their runs.
    case detach
    /// The jobs are cancelled (`scancel`) and their runs end `interrupted`.
    case cancel
}
