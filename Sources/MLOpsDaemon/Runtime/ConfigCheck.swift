import Foundation
import MLOpsClient
import MLOpsCore

/// `mlopsd --check-config`: everything the daemon refuses to start (or reload) on, checked
/// without starting it — the config file with its environment overrides, and every pipeline
/// definition in `pipelines_dir` — with each problem as `file:line:column: message; fix`.
public enum ConfigCheck {
    /// What the check found: lines for standard output, problems for standard error, and
    /// the exit status (0 valid, 78 = EX_CONFIG not).
    public struct Report: Sendable, Equatable {
        /// The resolved configuration, the pipelines and the schedule, when all is valid.
        public var lines: [String] = []
        /// Every problem, one per line.
        public var problems: [String] = []
        /// 0 or 78.
        public var exitCode: Int32 { problems.isEmpty ? 0 : 78 }
    }

    /// Checks the config at `configPath` and the pipelines it names. `now` and `timeZone`
    /// give the schedule's next elapses (the daemon's clock and local zone).
    public static func run(configPath: String, now: Date = Date(), timeZone: TimeZone = .current) -> Report {
        var report = Report()
        let config: DaemonConfig
        do {
            config = try ConfigFile.load(path: configPath)
        } catch {
            report.problems = ["configuration refused: \(error)"]
            return report
        }
        let catalog: PipelineCatalog
        do {
            catalog = try PipelineCatalog.load(
                directory: config.pipelinesDir,
                searchPath: PipelineCatalog.defaultSearchPath()
            )
        } catch {
            report.problems = ["pipeline definitions refused:"] + error.problems
            return report
        }
        report.lines = ["\(configPath): valid"] + config.listing
        if catalog.names.isEmpty {
            report.lines.append(
                "pipelines: none in \(config.pipelinesDir) (run-pipeline jobs are refused with unknown_pipeline)"
            )
        } else {
            report.lines.append(
                "pipelines: \(catalog.names.joined(separator: ", ")) (\(catalog.names.count) valid in \(config.pipelinesDir))"
            )
        }
        report.lines.append(scheduleLine(config, now: now, timeZone: timeZone))
        return report
    }

    /// How scheduled retraining is timed, with the next three elapses of a calendar.
    static func scheduleLine(_ config: DaemonConfig, now: Date, timeZone: TimeZone) -> String {
        guard let calendar = config.retrainCalendar else {
            return "scheduled retraining: every \(config.retrainScheduleDays.configText) days after the production "
                + "version was created (retrain_schedule is empty)"
        }
        let next = calendar.elapses(after: now, count: 3, localTimeZone: timeZone).map(Timestamp.string)
        return "scheduled retraining: `\(calendar.normalized)` in \(calendar.zoneName(local: timeZone)); next "
            + (next.isEmpty ? "never (it does not elapse again)" : next.joined(separator: ", "))
    }
}
