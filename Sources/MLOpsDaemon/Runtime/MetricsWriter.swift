import Foundation
import GRDB
import Logging
import MLOpsClient
import MLOpsCore

/// What the metrics are computed from: one consistent reading of the daemon, taken on the
/// engine queue. A new metric adds its field here.
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
    /// The latest check of each model that has one.
    public var checks: [LatestCheck] = []
    /// Open alerts by model and severity.
    public var openAlerts: [OpenAlerts] = []
    /// Pipeline runs, from the store.
    public var pipelines = PipelineFigures()

    /// Pipeline runs: the finished ones by final state with their seconds, the queue, and
    /// each model's latest finished run.
    public struct PipelineFigures: Sendable {
        /// Finished runs by final state: how many, their wall seconds, their children's seconds.
        public var finished: [String: (count: Int, seconds: Double, childSeconds: Double)] = [:]
        public var queued = 0
        public var running = 0
        /// Per model, the latest finished run's state and duration.
        public var latest: [(model: String, state: String, seconds: Double)] = []
    }

    /// A model's latest monitoring check.
    public struct LatestCheck: Sendable, Equatable {
        public var model: String
        public var healthScore: Double?
        public var driftShare: Double?
        public var at: Date?
        /// The check's stored report, the source of the per-column and metric gauges; nil
        /// when it could not be read.
        public var report: MonitoringReport?
    }

    /// How many alerts of one severity a model has open.
    public struct OpenAlerts: Sendable, Equatable {
        public var model: String
        public var severity: String
        public var count: Int
    }
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
        .gauge("mlopsd_build_info", "The running mlopsd's version (value always 1).", labels: ["version"]) {
            [([$0.version], 1)]
        },
        .gauge("mlopsd_start_time_seconds", "When the daemon process started, in seconds since the epoch.") {
            $0.startTime.timeIntervalSince1970
        },
        .gauge(
            "mlopsd_last_batch_timestamp_seconds",
            "When the last batch of jobs finished, in seconds since the epoch."
        ) { $0.lastBatch?.timeIntervalSince1970 },
        .gauge("mlopsd_queue_depth", "Job files waiting in incoming/.") { Double($0.queueDepth) },
        .gauge("mlopsd_models", "Registered models.") { Double($0.models) },
        .counter(
            "mlopsd_jobs_total",
            "Jobs finished since the daemon started, by kind and final status.",
            labels: ["kind", "status"]
        ) { s in
            s.jobs.counts.keys.sorted().map { ([$0.kind, $0.status], Double(s.jobs.counts[$0] ?? 0)) }
        },
        .counter(
            "mlopsd_jobs_recovered_total",
            "Finished jobs whose result was rewritten after a restart, since the daemon started."
        ) { Double($0.recovered) },
        .gauge(
            "mlopsd_model_health_score",
            "The 0-1 health score of the model's latest monitoring check.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { c in c.healthScore.map { ([c.model], $0) } }
        },
        .gauge(
            "mlopsd_model_drift_share",
            "Share of monitored columns drifting in the model's latest check.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { c in c.driftShare.map { ([c.model], $0) } }
        },
        .gauge(
            "mlopsd_model_last_check_timestamp_seconds",
            "When the model's latest monitoring check ran, in seconds since the epoch.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { c in c.at.map { ([c.model], $0.timeIntervalSince1970) } }
        },
        .gauge(
            "mlopsd_model_window_predictions",
            "Predictions in the window of the model's latest check.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { c in c.report.map { ([c.model], Double($0.window)) } }
        },
        .gauge(
            "mlopsd_model_window_labelled",
            "Predictions with a label in the window of the model's latest check.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { c in c.report.map { ([c.model], Double($0.labelled)) } }
        },
        .gauge(
            "mlopsd_model_metric",
            "The model's metric over the labelled window of its latest check.",
            labels: ["model", "metric"]
        ) { s in
            decayRows(s) { $0.current }
        },
        .gauge(
            "mlopsd_model_metric_lower",
            "Lower bound of the 95% Wilson interval of mlopsd_model_metric (proportion metrics only).",
            labels: ["model", "metric"]
        ) { s in
            decayRows(s) { $0.interval?.lower }
        },
        .gauge(
            "mlopsd_model_metric_upper",
            "Upper bound of the 95% Wilson interval of mlopsd_model_metric (proportion metrics only).",
            labels: ["model", "metric"]
        ) { s in
            decayRows(s) { $0.interval?.upper }
        },
        .gauge(
            "mlopsd_model_metric_baseline",
            "The production version's own metric, which decay is judged against.",
            labels: ["model", "metric"]
        ) { s in
            decayRows(s) { $0.baseline }
        },
        .gauge(
            "mlopsd_model_decayed",
            "1 when the model's latest check found its metric decayed, else 0.",
            labels: ["model", "metric"]
        ) { s in
            decayRows(s) { $0.decayed ? 1 : 0 }
        },
        .gauge(
            "mlopsd_model_metric_estimated",
            "The model's metric estimated from its outputs without labels (CBPE) over the latest check's window.",
            labels: ["model", "metric"]
        ) { s in
            estimateRows(s) { $0.estimated }
        },
        .gauge(
            "mlopsd_model_metric_estimated_lower",
            "Lower edge of the estimate's band (estimate - 3 sampling errors).",
            labels: ["model", "metric"]
        ) { s in
            estimateRows(s) { $0.lower }
        },
        .gauge(
            "mlopsd_model_metric_estimated_upper",
            "Upper edge of the estimate's band (estimate + 3 sampling errors).",
            labels: ["model", "metric"]
        ) { s in
            estimateRows(s) { $0.upper }
        },
        .gauge(
            "mlopsd_model_estimated_decayed",
            "1 when the latest check, with too few labels, estimated the metric decayed, else 0.",
            labels: ["model", "metric"]
        ) { s in
            estimateRows(s) { $0.decayed ? 1 : 0 }
        },
        .gauge(
            "mlopsd_model_reconstruction_error",
            "The mean PCA reconstruction error of the numerical features in the latest check's window.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { check in
                guard let multivariate = check.report?.multivariate, multivariate.judged,
                    let error = finite(multivariate.result?.error)
                else { return nil }
                return ([check.model], error)
            }
        },
        .gauge(
            "mlopsd_model_multivariate_drifting",
            "1 when the numerical features drift jointly in the latest check (multivariate drift), else 0.",
            labels: ["model"]
        ) { s in
            s.checks.compactMap { check in
                guard let multivariate = check.report?.multivariate, multivariate.judged else { return nil }
                return ([check.model], multivariate.drift ? 1 : 0)
            }
        },
        .gauge(
            "mlopsd_column_drift_statistic",
            "The drift test's statistic for the column in the model's latest check: KS D, or chi-square.",
            labels: ["model", "column", "kind", "test"]
        ) { s in
            columnRows(s).compactMap { model, column in
                guard let test = column.test, let value = finite(column.statistic) else { return nil }
                return ([model, column.name, column.kind.rawValue, test.rawValue], value)
            }
        },
        .gauge(
            "mlopsd_column_drift_p_adjusted",
            "The column's Benjamini-Hochberg adjusted p-value in the model's latest check.",
            labels: ["model", "column", "kind"]
        ) { s in
            columnRows(s).compactMap { model, column in
                finite(column.pAdjusted).map { ([model, column.name, column.kind.rawValue], $0) }
            }
        },
        .gauge(
            "mlopsd_column_psi",
            "The column's Population Stability Index in the model's latest check.",
            labels: ["model", "column", "kind"]
        ) { s in
            columnRows(s).compactMap { model, column in
                finite(column.psi).map { ([model, column.name, column.kind.rawValue], $0) }
            }
        },
        .gauge(
            "mlopsd_column_drifting",
            "1 when the column drifts in the model's latest check, else 0.",
            labels: ["model", "column", "kind"]
        ) { s in
            columnRows(s).map { model, column in
                ([model, column.name, column.kind.rawValue], column.drift ? 1 : 0)
            }
        },
        .gauge("mlopsd_alerts_open", "Open alerts by model and severity.", labels: ["model", "severity"]) { s in
            s.openAlerts.map { ([$0.model, $0.severity], Double($0.count)) }
        },
        .counter(
            "mlopsd_pipeline_runs_total",
            "Finished pipeline runs by final state (succeeded, failed, cancelled, interrupted).",
            labels: ["state"]
        ) { s in
            s.pipelines.finished.keys.sorted().map { ([$0], Double(s.pipelines.finished[$0]?.count ?? 0)) }
        },
        .counter(
            "mlopsd_pipeline_run_seconds_total",
            "Wall-clock seconds of finished pipeline runs, by final state.",
            labels: ["state"]
        ) { s in
            s.pipelines.finished.keys.sorted().map { ([$0], s.pipelines.finished[$0]?.seconds ?? 0) }
        },
        .counter(
            "mlopsd_pipeline_child_seconds_total",
            "Seconds finished pipeline runs spent in stage children, by final state.",
            labels: ["state"]
        ) { s in
            s.pipelines.finished.keys.sorted().map { ([$0], s.pipelines.finished[$0]?.childSeconds ?? 0) }
        },
        .gauge("mlopsd_pipeline_runs_queued", "Pipeline runs waiting for a slot (max_concurrent_pipelines).") {
            Double($0.pipelines.queued)
        },
        .gauge("mlopsd_pipeline_runs_running", "Pipeline runs in progress.") { Double($0.pipelines.running) },
        .gauge(
            "mlopsd_pipeline_last_run_duration_seconds",
            "Duration of the model's latest finished pipeline run, with its state.",
            labels: ["model", "state"]
        ) { s in
            s.pipelines.latest.map { ([$0.model, $0.state], $0.seconds) }
        },
    ]

    /// Every column of every model's latest report, with its model.
    private static func columnRows(_ s: MetricsSnapshot) -> [(String, MonitoringReport.ColumnDrift)] {
        s.checks.flatMap { check in (check.report?.columns ?? []).map { (check.model, $0) } }
    }

    /// One `([model, metric], value)` row per model whose latest report has the figure
    /// `value` picks (finite), for the metric gauges.
    private static func decayRows(
        _ s: MetricsSnapshot,
        _ value: (MonitoringReport.Decay) -> Double?
    ) -> [([String], Double)] {
        s.checks.compactMap { check in
            guard let decay = check.report?.decay, let figure = finite(value(decay)) else { return nil }
            return ([check.model, decay.metric], figure)
        }
    }

    /// One `([model, metric], value)` row per model whose latest report has an estimate
    /// (status `estimated` or `labelled`) with the figure `value` picks (finite).
    private static func estimateRows(
        _ s: MetricsSnapshot,
        _ value: (MonitoringReport.Estimate) -> Double?
    ) -> [([String], Double)] {
        s.checks.compactMap { check in
            guard let estimate = check.report?.estimate, estimate.status != .unavailable,
                let figure = finite(value(estimate))
            else { return nil }
            return ([check.model, estimate.metric], figure)
        }
    }

    /// `value` when it is a finite number: a figure a check could not compute is left out
    /// of the file, never written as NaN.
    private static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// The pipeline part of a snapshot, read from the store; empty (and logged) when it
    /// cannot be read.
    static func pipelines(_ store: Store, logger: Logger) -> MetricsSnapshot.PipelineFigures {
        store.readOrLog("read the pipeline figures for the metrics", logger: logger) { db in
            try RunStore.figures(db)
        } ?? MetricsSnapshot.PipelineFigures()
    }

    /// The monitoring part of a snapshot, read from the store (latest check per model with
    /// its report, open alerts); empty (and logged) when the store cannot be read. Reports
    /// are decoded only for checks stored since the previous call (``LatestReportCache``).
    func monitoring(_ store: Store) -> ([MetricsSnapshot.LatestCheck], [MetricsSnapshot.OpenAlerts]) {
        store.readOrLog("read the monitoring figures for the metrics", logger: logger) { db in
            let latest = try MonitoringState.latestHealth(db)
            let reports = try reports.reports(db, models: latest.map(\.model), logger: logger)
            let checks = latest.map { latest in
                MetricsSnapshot.LatestCheck(
                    model: latest.model,
                    healthScore: latest.healthScore,
                    driftShare: latest.driftShare,
                    at: latest.at.flatMap(Timestamp.parse),
                    report: reports[latest.model]
                )
            }
            let alerts = try AlertBook.openCounts(db).map {
                MetricsSnapshot.OpenAlerts(model: $0.model, severity: $0.severity, count: $0.count)
            }
            return (checks, alerts)
        } ?? ([], [])
    }

    /// Each model's latest report, kept between writes.
    let reports = LatestReportCache()

    private let logger: Logger
    /// The last failure logged, so a broken path is reported once, not every second.
    private var lastProblem: String?

    /// Where a write the disk refused is reported (the daemon's; nil in tests).
    private let health: StorageHealth?

    init(logger: Logger, health: StorageHealth? = nil) {
        self.logger = logger
        self.health = health
    }

    /// The file's text for `snapshot`.
    static func text(_ snapshot: MetricsSnapshot) -> String {
        PrometheusText.render(catalog, from: snapshot)
    }

    /// Replaces the file at `path` (absolute; empty: do nothing) with the metrics of
    /// `snapshot`. A failure is logged once as a warning until a write succeeds again; it
    /// never stops the daemon. The snapshot (its store reads) is only taken when there is
    /// a file to write.
    func write(_ snapshot: @autoclosure () -> MetricsSnapshot, to path: String) {
        guard !path.isEmpty else { return }
        let snapshot = snapshot()
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        do {
            let handle = try DirectoryHandle(path: directory)
            try handle.writeAtomically(
                name,
                data: Data(Self.text(snapshot).utf8),
                mode: 0o644,
                syncFile: false,
                syncDirectory: false
            )
            health?.succeeded(site: "metrics")
            if lastProblem != nil {
                logger.notice("metrics are written to \(path) again")
                lastProblem = nil
            }
        } catch let error where health != nil && StorageFailure.isStorageErrno(error.errno) {
            // The disk, not the configuration: an error entry and the storage alert.
            health?.failed(
                site: "metrics",
                path: path,
                errno: error.errno,
                message: "cannot write the metrics file \(path): \(error); it is written again every status interval",
                logger: logger,
                rateLimit: 60
            )
        } catch {
            let problem = "\(error)"
            if problem != lastProblem {
                logger.warning("cannot write the metrics file \(path) (metrics_file): \(problem)")
                lastProblem = problem
            }
        }
    }
}
