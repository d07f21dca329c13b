import Foundation

/// The command line of `mlopsd-bench`, parsed by hand (the target links only our own
/// libraries).
struct Options: Sendable {
    /// Jobs per throughput run (`--jobs`), also the number of raw filesystem operations.
    var jobs = 10_000
    /// Jobs in the one-at-a-time latency run (`--latency-jobs`).
    var latencyJobs = 200
    /// Promotions in the registry run (`--promotions`); 0 skips it.
    var promotions = 500
    /// Keep the temporary directories (`--keep`), e.g. to read the daemon's log.
    var keep = false
    /// Where to write the figures as JSON (`--json PATH`), if anywhere.
    var jsonPath: String?
    /// The directory the temporary spool and the raw filesystem reference live in (`--dir`).
    /// Both share one filesystem by construction.
    var baseDirectory = "/tmp"
    /// The daemon executable (`--mlopsd PATH`); by default the `mlopsd` beside this program.
    var daemonPath: String?
    /// Rows per file in the drift run (`--drift-rows`); 0 skips it.
    var driftRows = 100_000
    /// Checks in the store of the report run (`--report-checks`); 0 skips it.
    var reportChecks = 10_000
    /// Rows of the ingestion run's prediction file (`--ingest-rows`); 0 skips it.
    var ingestRows = 200_000
    /// The Python virtual environment of the drift run's references (`--venv`).
    var venv = Options.defaultVenv
    /// Skip the drift run's Python references (`--no-python`), e.g. for a quick run.
    var noPython = false
    /// Run only the in-process daemon check (`--check-only`) this many times, nothing else.
    var checkOnly: Int?
    /// Run only the wide-CSV timing (`--csv-only`) with this many runs per shape, nothing else.
    var csvOnly: Int?
    /// Run only the estimation figures (`--estimate-only`) with this many no-shift windows.
    var estimateOnly: Int?
    /// NannyML's environment for the estimation run (`--nannyml-venv`), as
    /// scripts/nannyml-venv.sh makes it.
    var nannymlVenv = Options.defaultNannyMLVenv

    /// $MLOPSD_NANNYML_VENV, else ~/.cache/mlopsd/nannyml-venv (where scripts/nannyml-venv.sh
    /// puts it).
    static var defaultNannyMLVenv: String {
        let env = ProcessInfo.processInfo.environment
        return env["MLOPSD_NANNYML_VENV"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["HOME"] ?? "/root") + "/.cache/mlopsd/nannyml-venv"
    }

    /// $XDG_CACHE_HOME/mlopsd-bench/venv, else ~/.cache/mlopsd-bench/venv.
    static var defaultVenv: String {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? "/root") + "/.cache")
        return cache + "/mlopsd-bench/venv"
    }

    static let usage = """
        usage: mlopsd-bench [--jobs N] [--latency-jobs N] [--promotions N] [--drift-rows N] [--report-checks N] [--ingest-rows N] [--venv DIR] [--no-python]
                            [--json PATH] [--keep] [--dir DIR] [--mlopsd PATH]
               mlopsd-bench --check-only [N]
               mlopsd-bench --csv-only [N]
               mlopsd-bench --estimate-only [N] [--nannyml-venv DIR] [--dir DIR]

          --jobs N           jobs per throughput run and raw filesystem operations (default 10000)
          --latency-jobs N   jobs dropped one at a time for the latency run (default 200)
          --promotions N     promote-version jobs for the registry run (default 500; 0 skips it)
          --drift-rows N     rows per CSV file in the drift run (default 100000; 0 skips it)
          --report-checks N  checks in the store of the report/history run (default 10000; 0 skips it);
                             the report charts the newest 1,000
          --ingest-rows N    rows of the log-predictions file of the ingestion run, beside SQLite's
                             own bulk insert of the same rows (default 200000; 0 skips it)
          --venv DIR         the Python virtual environment of the drift run's references
                             (default ~/.cache/mlopsd-bench/venv; made with python3 -m venv and pip)
          --no-python        skip the drift run's Python references (no ratios then)
          --json PATH        also write the figures as JSON to PATH
          --keep             keep the temporary spools, state and daemon logs
          --dir DIR          put the temporary directories under DIR (default /tmp); the raw
                             filesystem reference runs on the same filesystem as the spool
          --mlopsd PATH      the daemon to measure (default: mlopsd beside this executable)
          --check-only [N]   only the in-process daemon check (10,000 × 50 window), N times
                             (default 20); no daemon, files or Python
          --csv-only [N]     only the in-process wide-CSV timing (1,000 rows × 100 and × 10,000
                             columns; 10,000- and 40,000-column headers), best of N runs (default 3)
          --estimate-only [N] only the estimation figures: CBPE fit and 10,000-row estimate time, PCA
                             time, |estimated − realized| ROC AUC under covariate shift, false alarms
                             over N no-shift windows of 1,000 rows (default 1000), and NannyML on the
                             same 100,000 + 100,000-row files (mlopsctl beside this executable)
          --nannyml-venv DIR NannyML 0.13.1's environment (default $MLOPSD_NANNYML_VENV or
                             ~/.cache/mlopsd/nannyml-venv; make it with scripts/nannyml-venv.sh)
        """

    /// Parses `arguments` (without the program name).
    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let next = rest.popFirst() else { throw .usage("\(flag) needs a value") }
            return next
        }
        func count(_ flag: String, minimum: Int) throws(BenchError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= minimum else {
                throw .usage("\(flag) needs a whole number of at least \(minimum), not '\(text)'")
            }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--jobs": options.jobs = try count(argument, minimum: 1)
            case "--latency-jobs": options.latencyJobs = try count(argument, minimum: 1)
            case "--promotions": options.promotions = try count(argument, minimum: 0)
            case "--drift-rows": options.driftRows = try count(argument, minimum: 0)
            case "--report-checks": options.reportChecks = try count(argument, minimum: 0)
            case "--ingest-rows": options.ingestRows = try count(argument, minimum: 0)
            case "--venv": options.venv = try value(argument)
            case "--no-python": options.noPython = true
            case "--check-only":
                options.checkOnly = 20
                if let next = rest.first, let n = Int(next) {
                    guard n >= 1 else { throw .usage("--check-only needs a whole number of at least 1, not '\(next)'") }
                    options.checkOnly = n
                    rest = rest.dropFirst()
                }
            case "--csv-only":
                options.csvOnly = 3
                if let next = rest.first, let n = Int(next) {
                    guard n >= 1 else { throw .usage("--csv-only needs a whole number of at least 1, not '\(next)'") }
                    options.csvOnly = n
                    rest = rest.dropFirst()
                }
            case "--estimate-only":
                options.estimateOnly = 1_000
                if let next = rest.first, let n = Int(next) {
                    guard n >= 1 else {
                        throw .usage("--estimate-only needs a whole number of at least 1, not '\(next)'")
                    }
                    options.estimateOnly = n
                    rest = rest.dropFirst()
                }
            case "--nannyml-venv": options.nannymlVenv = try value(argument)
            case "--json": options.jsonPath = try value(argument)
            case "--keep": options.keep = true
            case "--dir": options.baseDirectory = try value(argument)
            case "--mlopsd": options.daemonPath = try value(argument)
            case "-h", "--help": throw .help
            default: throw .usage("unknown argument '\(argument)'")
            }
        }
        return options
    }
}
