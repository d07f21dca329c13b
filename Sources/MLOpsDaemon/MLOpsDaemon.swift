import MLOpsCore

/// The daemon library: spool, store, journald and systemd bindings.
public enum MLOpsDaemonInfo {
    /// The daemon's version (``MLOpsInfo/version``), reported by `mlopsd --version` and `mlopsctl status`.
    public static let version = MLOpsInfo.version
}
