import Foundation
import GRDB
import MLOpsClient
import MLOpsCore

/// `report`: gathers a model's checks, latest distributions, alerts, version events and
/// runs (``ModelReport``), renders them (``ModelReportPage``) and writes the page to
/// `spool/reports/<model>.<time>.html` (atomically, mode 0640: readable by submitters like a
/// result; pruned after `results_retention_days` like one). Read-only in the store.
extension Kinds.Report: JobHandling {
    /// The newest version events and runs a report lists: the timeline stays readable.
    static let maxEvents = 500

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        guard let reports = context.reports else {
            throw JobError(.internalError, "this daemon runs without a spool reports/ directory")
        }
        let bounds: (since: String?, until: String?)
        switch MonitoringTrend.bounds(job.parameters, job: job) {
        case .success(let value): bounds = value
        case .failure(let refusal): return .rejected(refusal)
        }
        let report = try gather(db, model: model, bounds: bounds, last: job.parameters.last, context: context)
        let page = Data(ModelReportPage.html(report).utf8)
        let name = fileName(model: model, at: report.generatedAt)
        do {
            try reports.writeAtomically(name, data: page)
        } catch {
            throw JobError(.internalError, "cannot write the report \(reports.path)/\(name): \(error)")
        }
        return .succeeded(
            Result(
                model: model,
                path: reports.path + "/" + name,
                bytes: page.count,
                checks: report.checks.count,
                columns: report.distributions.count,
                alerts: report.alerts.count,
                generatedAt: report.generatedAt
            )
        )
    }

    /// `<model>.<time without separators>.html`: sorts by time, unique per millisecond.
    static func fileName(model: String, at time: String) -> String {
        model + "." + time.filter { $0 != "-" && $0 != ":" } + ".html"
    }

    /// Everything the page shows, read in the job's transaction.
    static func gather(
        _ db: Database,
        model: String,
        bounds: (since: String?, until: String?),
        last: Int,
        context: JobContext
    ) throws -> ModelReport {
        let spec = try ModelSpecs.spec(db, model: model)
        let stretch = try MonitoringTrend.read(
            db,
            model: model,
            since: bounds.since,
            until: bounds.until,
            limit: last,
            latest: true
        )
        let productionVersion = try VersionStore.production(db, model: model)
        var production: ModelReport.Production?
        var distributions: [ColumnDistribution] = []
        if let version = productionVersion {
            let since = try VersionStore.currentStint(db, model: model)?.from ?? version.stateChangedAt
            production = .init(version: version.version, since: since, metricValue: version.metricValue)
            distributions = try self.distributions(db, model: model, version: version, spec: spec, context: context)
        }
        // Alerts changed during the checks shown, and those still open from before them.
        var alerts = stretch.alerts
        let shown = Set(alerts.map(\.id))
        alerts += try AlertBook.open(db, model: model).filter { !shown.contains($0.id) }
        alerts.sort { ($0.openedAt, $0.id) < ($1.openedAt, $1.id) }
        let events = try VersionStore.events(db, model: model)
            .flatMap { version, events in events.map { ModelReport.VersionEvent(version: version, event: $0) } }
            .sorted { ($0.event.at, $0.version) < ($1.event.at, $1.version) }
            .suffix(maxEvents)
        let runs = try RunStore.runs(db, model: model, state: nil, limit: maxEvents).reversed().map(\.document)
        let config = context.config
        return ModelReport(
            model: model,
            generatedAt: Timestamp.string(context.now),
            production: production,
            thresholds: .init(
                dataDriftThreshold: config.dataDriftThreshold,
                decayThreshold: config.modelDecayThreshold,
                alpha: spec.policy.driftAlpha,
                minSamples: spec.policy.minSamples,
                windowSize: spec.policy.windowSize,
                metric: spec.metric,
                driftConfirmations: spec.policy.driftConfirmations
            ),
            checks: stretch.checks,
            latest: stretch.latest,
            distributions: distributions,
            alerts: alerts,
            events: Array(events),
            runs: runs
        )
    }

    /// The production version's reference against the current window, per monitored column;
    /// none when the reference cannot be read (the page says so).
    static func distributions(
        _ db: Database,
        model: String,
        version: VersionRecord,
        spec: ModelSpec,
        context: JobContext
    ) throws -> [ColumnDistribution] {
        let reference: ReferenceProfile
        do {
            reference = try MonitorRunner.profile(version, spec: spec, registry: try context.requireRegistry())
        } catch {
            context.logger.warning(
                "report of \(model): cannot read the reference data of \(version.version): \(error)",
                metadata: ["event": LogEvent.internalError.metadataValue, "model": .string(model)]
            )
            return []
        }
        let window = try PredictionStore.window(
            db,
            model: model,
            version: version.version,
            spec: spec,
            size: spec.policy.windowSize
        )
        return ColumnDistribution.monitored(spec: spec, reference: reference, window: window)
    }
}
