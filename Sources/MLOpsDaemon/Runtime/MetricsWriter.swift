import Foundation
import Logging
import MLOpsCore

/// What the metrics are computed from: one consistent reading of the daemon, taken on the
/// engine queue. Later capabilities add their fields here (health, drift, alerts, runs).
public struct MetricsSnapshot: Sendable {
    /// Whether the daemon is serving (false in the last write of a graceful stop).
    public var up: Bool
    /// The daemon's version.
    public var version: String
    /// When the process started.
    public var startTime: Date
    /// When the last batch of jobs finished; nil before the first.
    public var lastBatch: Date?
    /// Job files waiting in `incoming/`.
    public var queueDepth: Int
    /// Registered models.
    public var models: Int
    /// Finished jobs by kind and status since start.
    public var jobs: JobTally
    /// Jobs whose finished result was rewritten after a restart, since start.
    public var recovered: Int
}

/// Writes the Prometheus metrics file (`metrics_file`) in node_exporter's textfile-collector
/// format: rendered by ``PrometheusText`` and replaced atomically (temp file + rename in the
/// same directory, so the collector never reads half a file; no fsync: the file is rebuilt
/// from memory within a second and a lost one costs nothing).
///
/// Not thread-safe: the daemon uses it from the engine queue only.
final class MetricsWriter {
    /// Every metric the daemon exports; adding one is one line here (plus its field in
    /// ``MetricsSnapshot``).
    static let catalog: [MetricDefinition<MetricsSnapshot>] = [
        .gauge("mlopsd_up", "1 while mlopsd serves; 0 is written as it stops gracefully.") { $0.up ? 1 : 0 },
        .gauge("mlopsd_build_info", "The running mlopsd's version (value always 1).", labels: ["version"]) { [([$0.version], 1)] },
        .gauge("mlopsd_start_time_seconds", "When the daemon process started, in seconds since the epoch.") { $0.startTime.timeIntervalSince1970 },
        .gauge("mlopsd_last_batch_timestamp_seconds", "When the last batch of jobs finished, in seconds since the epoch.") { $0.lastBatch?.timeIntervalSince1970 },
        .gauge("mlopsd_queue_depth", "Job files waiting in incoming/.") { Double($0.queueDepth) },
        .gauge("mlopsd_models", "Registered models.") { Double($0.models) },
        .counter("mlopsd_jobs_total", "Jobs finished since the daemon started, by kind and final status.", labels: ["kind", "status"]) { s in
            s.jobs.counts.keys.sorted().map { ([$0.kind, $0.status], Double(s.jobs.counts[$0] ?? 0)) }
        },
        .counter("mlopsd_jobs_recovered_total", "Finished jobs whose result was rewritten after a restart, since the daemon started.") { Double($0.recovered) },
    ]

    private let logger: Logger
    /// The last failure logged, so a broken path is reported once, not every second.
    private var lastProblem: String?

    init(logger: Logger) {
        self.logger = logger
    }

    /// The file's text for `snapshot`.
    static func text(_ snapshot: MetricsSnapshot) -> String {
        PrometheusText.render(catalog, from: snapshot)
    }

    /// Replaces the file at `path` (absolute; empty: do nothing) with the metrics of
    /// `snapshot`. A failure is logged once as a warning until a write succeeds again; it
    /// never stops the daemon.
    func write(_ snapshot: MetricsSnapshot, to path: String) {
        guard !path.isEmpty else { return }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        do {
            let handle = try DirectoryHandle(path: directory)
            try handle.writeAtomically(name, data: Data(Self.text(snapshot).utf8), mode: 0o644, syncFile: false, syncDirectory: false)
            if lastProblem != nil {
                logger.notice("metrics are written to \(path) again")
                lastProblem = nil
            }
        } catch {
            let problem = "\(error)"
            if problem != lastProblem {
                logger.warning("cannot write the metrics file \(path) (metrics_file): \(problem)")
                lastProblem = problem
            }
        }
    }
}
