import Foundation

/// One dated happening on the report's timeline: an alert opening, being updated,
/// acknowledged or resolved; a version's state change; a pipeline run being queued, starting
/// or finishing. The timeline table lists these, oldest first.
public struct TimelineEntry: Sendable, Equatable {
    /// When (RFC 3339, as stored).
    public var at: String
    /// `at` read as a time; nil when it is not one (the entry is listed last, not drawn).
    public var date: Date?
    /// What happened: `alert opened`, `version promoted`, `run finished`, …
    public var kind: String
    /// What it happened to: an alert id, a version, a run id.
    public var subject: String
    /// The particulars: severity and message, gate verdict, state and error.
    public var detail: String

    /// An entry.
    public init(at: String, kind: String, subject: String, detail: String) {
        self.at = at
        self.date = Timestamp.parse(at)
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    /// Every entry of `alerts`: opened, updated (when later than opened), acknowledged, resolved.
    public static func entries(of alert: AlertDocument) -> [TimelineEntry] {
        let what = "\(alert.severity.rawValue) \(alert.type): \(alert.message)"
        var entries = [TimelineEntry(at: alert.openedAt, kind: "alert opened", subject: alert.id, detail: what)]
        if alert.updatedAt != alert.openedAt {
            entries.append(
                TimelineEntry(
                    at: alert.updatedAt,
                    kind: "alert updated",
                    subject: alert.id,
                    detail: "seen \(ReportFormat.count(alert.occurrences, "time"))"
                )
            )
        }
        if let acknowledged = alert.acknowledgedAt {
            entries.append(
                TimelineEntry(
                    at: acknowledged,
                    kind: "alert acknowledged",
                    subject: alert.id,
                    detail: "by \(alert.acknowledgedBy ?? "unknown")"
                )
            )
        }
        if let resolved = alert.resolvedAt {
            entries.append(TimelineEntry(at: resolved, kind: "alert resolved", subject: alert.id, detail: alert.type))
        }
        return entries
    }

    /// The entry of a version's state change; a forced promotion says so first.
    public static func entry(of change: ModelReport.VersionEvent) -> TimelineEntry {
        let event = change.event
        var detail = event.forced ? "FORCED past refusing gates. " : ""
        if let reason = event.reason, !reason.isEmpty { detail += reason + " " }
        detail += "(by \(event.by))"
        return TimelineEntry(at: event.at, kind: "version " + verb(event), subject: change.version, detail: detail)
    }

    /// `created`, `promoted`, `rolled back to`, `left production`, `archived`, `staged`.
    public static func verb(_ event: VersionEventDocument) -> String {
        let reason = (event.reason ?? "").lowercased()
        switch (event.from, event.to) {
        case (nil, _):
            return "created"
        case (_, .production):
            return reason.contains("rollback") || reason.contains("roll back") || reason.contains("rolled back")
                ? "rolled back to" : "promoted"
        case (.production?, _):
            return "left production"
        case (_, .archived):
            return "archived"
        default:
            return event.to.rawValue
        }
    }

    /// A run's entries: queued, started, finished with its state.
    public static func entries(of run: RunDocument) -> [TimelineEntry] {
        let what = "\(run.pipeline), trigger \(run.trigger)"
        var entries = [TimelineEntry(at: run.queuedAt, kind: "run queued", subject: run.runID, detail: what)]
        if let started = run.startedAt {
            entries.append(TimelineEntry(at: started, kind: "run started", subject: run.runID, detail: what))
        }
        if let finished = run.finishedAt {
            var detail = run.state.rawValue
            if let version = run.version { detail += ", created version \(version)" }
            if let message = run.errorMessage { detail += ": \(message)" }
            entries.append(TimelineEntry(at: finished, kind: "run finished", subject: run.runID, detail: detail))
        }
        return entries
    }

    /// The entries sorted by time, undated ones last, otherwise in their given order.
    public static func sorted(_ entries: [TimelineEntry]) -> [TimelineEntry] {
        entries.enumerated().sorted { a, b in
            switch (a.element.date, b.element.date) {
            case (let x?, let y?): return x == y ? a.offset < b.offset : x < y
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return false
            case (_, nil): return true
            }
        }.map(\.element)
    }
}
