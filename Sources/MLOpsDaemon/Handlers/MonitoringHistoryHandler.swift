import Foundation
import GRDB
import MLOpsCore

/// `monitoring-history`: the stored checks of a model over a time range, oldest first, each
/// with its trend figures and the alerts it opened, updated or resolved. A check and the
/// alerts it changes share one time (they commit together), which is how they are matched;
/// an alert keeps only its latest update time, so `alerts_updated` names the check that last
/// confirmed each alert. Read-only.
extension Kinds.MonitoringHistory: JobHandling {
    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        let model = try job.requiredModel
        // The store writes UTC with milliseconds; a bound with an offset compares after the same rewrite.
        let since = job.parameters.since.flatMap(Timestamp.parse).map(Timestamp.string)
        let until = job.parameters.until.flatMap(Timestamp.parse).map(Timestamp.string)
        if let since, let until, since > until {
            return .rejected(
                JobError(
                    .invalidValue,
                    "since (\(since)) is after until (\(until)): the range holds no check",
                    at: job.mark(ofParam: "since"),
                    fix: "swap the two times"
                )
            )
        }
        let stored = try CheckStore.history(db, model: model, since: since, until: until, limit: job.parameters.last)
        let changed = try stored.first.map { try AlertBook.changed(db, model: model, since: $0.at) } ?? []
        let opened = Dictionary(grouping: changed, by: \.openedAt)
        let resolved = Dictionary(grouping: changed.filter { $0.resolvedAt != nil }, by: { $0.resolvedAt ?? "" })
        let updated = Dictionary(
            grouping: changed.filter { $0.updatedAt != $0.openedAt && $0.updatedAt != $0.resolvedAt },
            by: \.updatedAt
        )
        let decoder = JSONDecoder()
        var checks: [Check] = []
        for row in stored {
            let report: MonitoringReport
            do {
                report = try decoder.decode(MonitoringReport.self, from: Data(row.report.utf8))
            } catch {
                throw JobError(
                    .internalError,
                    "the stored report of check \(row.seq) of \(model) cannot be read: \(error)"
                )
            }
            checks.append(
                Check(
                    seq: row.seq,
                    at: row.at,
                    version: row.version,
                    trigger: row.trigger,
                    report: report,
                    alertsOpened: opened[row.at, default: []].map(\.id),
                    alertsUpdated: updated[row.at, default: []].map(\.id),
                    alertsResolved: resolved[row.at, default: []].map(\.id)
                )
            )
        }
        return .succeeded(Result(model: model, checks: checks))
    }
}
