/// The daemon library: spool, store, journald and systemd bindings.
public enum MLOpsDaemonInfo {
    /// The daemon's version, reported by `mlopsd --version` and `mlopsctl status`.
    public static let version = "0.1.0"
}
