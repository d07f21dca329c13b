/// Facts about this build of mlopsd that every program reports the same way.
public enum MLOpsInfo {
    /// The version, reported by `mlopsd --version`, `mlopsctl --version` and `mlopsctl status`.
    public static let version = "0.1.0"
}
