import Foundation
import GRDB
import MLOpsCore

/// A model's stored checks over a range as trend figures, each with the alerts it opened,
/// updated or resolved: what `monitoring-history` returns and `report` charts. A check and
/// the alerts it changes share one time (they commit together), which is how they are
/// matched; an alert keeps only its latest update time, so `alerts_updated` names the check
/// that last confirmed each alert. Read-only.
enum MonitoringTrend {
    /// The checks, oldest first, and the newest one's full report.
    struct Stretch {
        /// The checks' trend figures, oldest first.
        var checks: [Kinds.MonitoringHistory.Check]
        /// The newest check's full report; nil when the range holds no check.
        var latest: MonitoringReport?
        /// The alerts of the model changed during the range, oldest first.
        var alerts: [AlertRecord]
    }

    /// The store's form of `range`'s bounds, or the refusal of a range that holds nothing
    /// (`since` after `until`), pointing at the job's `since`.
    static func bounds(
        _ range: CheckRange,
        job: Job<some JobKindDeclaration>
    ) -> Swift.Result<(since: String?, until: String?), JobError> {
        // The store writes UTC with milliseconds; a bound with an offset compares after the same rewrite.
        let since = range.since.flatMap(Timestamp.parse).map(Timestamp.string)
        let until = range.until.flatMap(Timestamp.parse).map(Timestamp.string)
        if let since, let until, since > until {
            return .failure(
                JobError(
                    .invalidValue,
                    "since (\(since)) is after until (\(until)): the range holds no check",
                    at: job.mark(ofParam: "since"),
                    fix: "swap the two times"
                )
            )
        }
        return .success((since, until))
    }

    /// The newest `limit` checks of `model` between `since` and `until`, oldest first; with
    /// `latest`, the newest one's full report too (each check's report is otherwise decoded
    /// only as far as its trend figures go).
    static func read(
        _ db: Database,
        model: String,
        since: String?,
        until: String?,
        limit: Int,
        latest withLatest: Bool = false
    ) throws -> Stretch {
        let stored = try CheckStore.history(db, model: model, since: since, until: until, limit: limit)
        let changed = try stored.first.map { try AlertBook.changed(db, model: model, since: $0.at) } ?? []
        let opened = Dictionary(grouping: changed, by: \.openedAt)
        let resolved = Dictionary(grouping: changed.filter { $0.resolvedAt != nil }, by: { $0.resolvedAt ?? "" })
        let updated = Dictionary(
            grouping: changed.filter { $0.updatedAt != $0.openedAt && $0.updatedAt != $0.resolvedAt },
            by: \.updatedAt
        )
        let decoder = JSONDecoder()
        var checks: [Kinds.MonitoringHistory.Check] = []
        checks.reserveCapacity(stored.count)
        var latest: MonitoringReport?
        for (index, row) in stored.enumerated() {
            let figures: Kinds.MonitoringHistory.Check.StoredFigures
            do {
                let data = Data(row.report.utf8)
                if withLatest && index == stored.count - 1 {
                    let report = try decoder.decode(MonitoringReport.self, from: data)
                    latest = report
                    figures = .init(report)
                } else {
                    figures = try decoder.decode(Kinds.MonitoringHistory.Check.StoredFigures.self, from: data)
                }
            } catch {
                throw JobError(
                    .internalError,
                    "the stored report of check \(row.seq) of \(model) cannot be read: \(error)"
                )
            }
            checks.append(
                .init(
                    seq: row.seq,
                    at: row.at,
                    version: row.version,
                    trigger: row.trigger,
                    figures: figures,
                    alertsOpened: opened[row.at, default: []].map(\.id),
                    alertsUpdated: updated[row.at, default: []].map(\.id),
                    alertsResolved: resolved[row.at, default: []].map(\.id)
                )
            )
        }
        return Stretch(checks: checks, latest: latest, alerts: changed)
    }
}
