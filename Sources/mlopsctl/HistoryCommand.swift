import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

extension MLOpsCtl {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A model's stored monitoring checks over time, a sparkline per signal (a monitoring-history job).",
            discussion: """
                One line per signal shows its trend from the oldest to the newest check (▁ lowest, █ highest, \
                a space where a check has no value): health, drift share, the metric when labels judged it, and \
                each monitored column's test statistic. Then the newest checks one per line, with the alerts \
                each opened (+), confirmed again (~) and resolved (-).
                Exit status: 0 listed, 1 failed, 65 rejected (unknown model, since after until), 124 timed out.
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(help: "Only checks at or after this RFC 3339 time (2026-11-29, 2026-11-29T13:00:00Z).") var since:
            String?
        @Option(help: "Only checks at or before this RFC 3339 time.") var until: String?
        @Option(
            help: """
                The most checks (the newest of the range; default \(Kinds.MonitoringHistory.defaultChecks), \
                at most \(Kinds.MonitoringHistory.maxChecks)).
                """
        ) var last: Int?

        func run() throws {
            let parameters = Kinds.MonitoringHistory.Parameters(
                since: since,
                until: until,
                last: last ?? Kinds.MonitoringHistory.defaultChecks
            )
            try submitAndWait(
                Kinds.MonitoringHistory.self,
                spoolOptions,
                model: model,
                parameters: parameters,
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result, !result.checks.isEmpty else {
                    let ranged = since != nil || until != nil
                    return "\(model): no stored checks" + (ranged ? " in this range" : " yet (none has run for it)")
                }
                return HistoryText.lines(result).joined(separator: "\n")
            }
        }
    }
}

/// How a monitoring history reads on a terminal.
enum HistoryText {
    /// The newest checks listed one per line under the sparklines.
    static let listed = 10

    static func lines(_ history: Kinds.MonitoringHistory.Result) -> [String] {
        let checks = history.checks
        let versions = checks.compactMap(\.version).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var lines = [
            "\(history.model): \(checks.count) check\(checks.count == 1 ? "" : "s"), \(checks.first?.at ?? "") … "
                + "\(checks.last?.at ?? "")"
                + (versions.isEmpty ? "" : " (version \(versions.joined(separator: ", ")))")
        ]
        let newest = checks.last?.columns ?? []
        let columnLabels = newest.map { "\($0.name) (\($0.test?.rawValue ?? "-"))" }
        let width = min(40, max(22, (columnLabels.map(\.count) + [checks.last?.decay.metric.count ?? 0]).max() ?? 0))
        func row(_ label: String, _ values: [Double?], low: Double? = nil, high: Double? = nil, note: String = "") {
            let shown = values.compactMap { $0 }
            let span =
                shown.first.map { first in
                    String(format: "%.3f", first) + " → " + String(format: "%.3f", shown.last ?? first)
                } ?? "-"
            lines.append(
                "  " + pad(label, width) + " " + Sparkline.line(values, low: low, high: high) + "  " + span + note
            )
        }
        let band = checks.last.map { " (\($0.band.rawValue))" } ?? ""
        row("health", checks.map { $0.health }, low: 0, high: 1, note: band)
        row("drift share", checks.map { $0.driftShare }, low: 0, high: 1)
        if let metric = checks.last?.decay.metric {
            let interval =
                checks.last?.decay.interval.map { String(format: " [%.3f, %.3f]", $0.lower, $0.upper) } ?? ""
            row(metric, checks.map { $0.decay.current }, note: interval)
            // The estimate held to account: estimated beside realized, with the running error.
            if checks.contains(where: { $0.estimate?.estimated != nil }) {
                row("\(metric) estimated", checks.map { $0.estimate?.estimated })
                let error = checks.last { $0.estimate?.runningAbsoluteError != nil }?.estimate?.runningAbsoluteError
                row(
                    "\(metric) realized",
                    checks.map { $0.estimate?.realized },
                    note: error.map { String(format: "  (mean |estimated − realized| %.3f)", $0) } ?? ""
                )
            }
        }
        for (column, label) in zip(newest, columnLabels) {
            let series = checks.map { check in check.columns.first { $0.name == column.name }?.statistic }
            row(label, series, note: column.drift ? "  DRIFT" : "")
        }
        lines.append("  CHECK   AT                        VERSION   HEALTH  BAND      DRIFT   ALERTS")
        for check in checks.suffix(listed) {
            let alerts =
                check.alertsOpened.map { "+" + $0 } + check.alertsUpdated.map { "~" + $0 }
                + check.alertsResolved.map { "-" + $0 }
            lines.append(
                "  "
                    + [
                        pad("#\(check.seq)", 7), pad(check.at, 25), pad(check.version, 9),
                        pad(String(format: "%.3f", check.health), 7), pad(check.band.rawValue, 9),
                        pad(String(format: "%.3f", check.driftShare), 7), alerts.joined(separator: " "),
                    ].joined(separator: " ")
            )
        }
        if checks.count > listed { lines.append("  (the \(checks.count - listed) older checks: --json)") }
        return lines
    }
}
