/// What an administrator sets for a stage that runs as a Slurm batch job (the `slurm:`
/// section of a stage in `etc/pipelines/<name>.yaml`, docs/slurm.md).
///
/// Every value becomes one `sbatch` argument of its own (never shell text), and each is
/// checked against the characters Slurm itself accepts, so a definition cannot smuggle a
/// second option into the first.
public struct SlurmSettings: Sendable, Equatable {
    /// `--partition`; nil: the cluster's default partition.
    public var partition: String?
    /// `--time` in minutes; nil: the stage's timeout rounded up to whole minutes.
    public var timeLimitMinutes: Int?
    /// `--cpus-per-task`.
    public var cpus: Int?
    /// `--mem`, e.g. `4G` or `512M`.
    public var memory: String?
    /// `--gres`, e.g. `gpu:1` or `gpu:a100:2`.
    public var gres: String?
    /// `--account`.
    public var account: String?
    /// `--qos`.
    public var qos: String?
    /// Further `sbatch` options the administrator allows, each one argument (`--exclusive`,
    /// `--constraint=avx2`); never the options the daemon sets itself (``reservedOptions``).
    public var extraOptions: [String]

    /// Settings; nil leaves a value to the cluster.
    public init(
        partition: String? = nil,
        timeLimitMinutes: Int? = nil,
        cpus: Int? = nil,
        memory: String? = nil,
        gres: String? = nil,
        account: String? = nil,
        qos: String? = nil,
        extraOptions: [String] = []
    ) {
        self.partition = partition
        self.timeLimitMinutes = timeLimitMinutes
        self.cpus = cpus
        self.memory = memory
        self.gres = gres
        self.account = account
        self.qos = qos
        self.extraOptions = extraOptions
    }

    /// `sbatch` options the daemon sets itself (the run directory, the job's name and
    /// environment, the script): an administrator's `sbatch_options` may not name them.
    public static let reservedOptions: Set<String> = [
        "--output", "--error", "--input", "--job-name", "--parsable", "--export", "--export-file", "--chdir", "--wrap",
        "--wait", "--get-user-env", "--uid", "--gid", "--array", "--dependency", "--hold", "--test-only", "--batch",
        "--open-mode", "--signal", "--time", "--partition", "--cpus-per-task", "--mem", "--gres", "--account", "--qos",
    ]

    /// Short forms of options: refused in `sbatch_options` (write the long form).
    static let shortOptions = "-o -e -i -J -D -W -H -a -d -t -p -c -A -q -b"

    /// The problem with one `sbatch_options` entry, or nil when it is acceptable.
    public static func problem(withOption option: String) -> String? {
        let bytes = Array(option.utf8)
        guard bytes.count >= 3, bytes.count <= 256, option.hasPrefix("--") else {
            return "`\(option)` is not a long option (`--name` or `--name=value`, at most 256 characters)"
        }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "`\(option)` contains a space or a control or non-ASCII character; each entry is one argument"
        }
        let name = option.split(separator: "=", maxSplits: 1).first.map(String.init) ?? option
        let nameBytes = Array(name.utf8.dropFirst(2))
        guard !nameBytes.isEmpty,
            nameBytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else {
            return "`\(name)` is not an option name (lower-case letters, digits and -)"
        }
        if reservedOptions.contains(name) {
            return
                "`\(name)` is set by mlopsd (or has its own key in the slurm section) and cannot be given in sbatch_options"
        }
        return nil
    }

    /// The `sbatch` arguments these settings add, given the stage's timeout in seconds.
    public func arguments(timeout: Double) -> [String] {
        var args: [String] = []
        if let partition { args.append("--partition=" + partition) }
        args.append("--time=\(timeLimitMinutes ?? Self.minutes(timeout))")
        if let cpus { args.append("--cpus-per-task=\(cpus)") }
        if let memory { args.append("--mem=" + memory) }
        if let gres { args.append("--gres=" + gres) }
        if let account { args.append("--account=" + account) }
        if let qos { args.append("--qos=" + qos) }
        return args + extraOptions
    }

    /// `seconds` rounded up to whole minutes, at least 1 (Slurm's `--time` unit).
    public static func minutes(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return max(1, Int(min((seconds / 60).rounded(.up), 525_600 * 10)))
    }
}
