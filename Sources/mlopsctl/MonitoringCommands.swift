import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

/// `value` with `places` decimals, as the health lines show scores, penalties and metrics.
private func decimals(_ value: Double, _ places: Int) -> String {
    String(format: "%.\(places)f", value)
}

extension MLOpsCtl {
    struct Alert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one alert, open or resolved, with its evidence (a get-alert job).",
            discussion: "Exit status: 0 shown, 1 failed, 65 rejected (no such alert), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The alert's id (mlopsctl alerts lists them).") var id: String

        func run() throws {
            try submitAndWait(
                Kinds.GetAlert.self,
                spoolOptions,
                parameters: .init(alert: id),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let alert = result?.alert else { return "no alert" }
                var lines = [
                    "\(alert.id): \(alert.severity.rawValue) \(alert.type) of \(alert.model)"
                        + (alert.version.map { " \($0)" } ?? ""),
                    "  \(alert.message)",
                    "  opened \(alert.openedAt), updated \(alert.updatedAt), ×\(alert.occurrences)",
                ]
                lines.append("  " + (alert.resolvedAt.map { "resolved \($0)" } ?? "open"))
                if let by = alert.acknowledgedBy {
                    lines.append("  acknowledged by \(by) at \(alert.acknowledgedAt ?? "?")")
                }
                if let data = try? JSONTextWriter.data(alert.details, layout: .pretty) {
                    lines.append(
                        "  details: "
                            + String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  ")
                    )
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open alerts, newest first (a list-alerts job); --ack ID acknowledges one.",
            discussion:
                "Exit status: 0 listed or acknowledged, 1 failed, 65 rejected (unknown model or alert), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model's alerts.") var model: String?
        @Flag(help: "Resolved alerts too.") var all = false
        @Option(
            help:
                "Only alerts of this type (data_drift, equipment_change, population_change, model_decay, estimated_decay, multivariate_drift, health, …)."
        ) var type: String?
        @Option(help: "Acknowledge this alert instead of listing.") var ack: String?

        func run() throws {
            if let ack {
                try submitAndWait(
                    Kinds.AcknowledgeAlert.self,
                    spoolOptions,
                    parameters: .init(alert: ack),
                    timeout: output.timeout,
                    json: output.json
                ) { result in
                    "alert \(ack) acknowledged by \(result?.alert.acknowledgedBy ?? "?") at \(result?.alert.acknowledgedAt ?? "?")"
                        + (result?.note.map { " (\($0))" } ?? "")
                }
                return
            }
            let all = self.all
            try submitAndWait(
                Kinds.ListAlerts.self,
                spoolOptions,
                model: model,
                parameters: .init(includeResolved: all, type: type),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let alerts = result?.alerts, !alerts.isEmpty else { return all ? "no alerts" : "no open alerts" }
                return alerts.map { a in
                    let state = a.resolvedAt.map { "resolved \($0)" } ?? "open since \(a.openedAt)"
                    let ack = a.acknowledgedBy.map { ", acknowledged by \($0)" } ?? ""
                    return "\(pad(a.severity.rawValue, 8)) \(a.id)  \(state)\(ack) ×\(a.occurrences)\n"
                        + "         \(a.message)"
                }.joined(separator: "\n")
            }
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model's monitoring checks now and show its health (a monitor-model job).",
            discussion:
                "Exit status: 0 checked (whatever the health), 1 failed, 65 rejected (no production version), 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            let model = self.model
            try submitAndWait(
                Kinds.MonitorModel.self,
                spoolOptions,
                model: model,
                parameters: NoParameters(),
                timeout: output.timeout,
                json: output.json
            ) { result in
                guard let result else { return "no report" }
                return Self.lines(model: model, result).joined(separator: "\n")
            }
        }

        /// The report in lines: health and window, each signal's penalty, the columns'
        /// tests, new equipment and decay (only the first line when no check ran).
        static func lines(model: String, _ result: Kinds.MonitorModel.Result) -> [String] {
            let report = result.report
            var lines = [
                "\(model): health \(decimals(report?.health.score ?? 0, 3)) (\(report?.health.band.rawValue ?? "?")), "
                    + "window \(report?.window ?? 0), labelled \(report?.labelled ?? 0), status \(result.status.rawValue)"
            ]
            guard let report else { return lines }
            for c in report.health.contributions {
                lines.append("  \(pad(c.signal, 6)) −\(decimals(c.penalty, 3))  \(c.explanation)")
            }
            lines.append("  COLUMN               KIND         TEST        STATISTIC  P (ADJ.)    DRIFT")
            for c in report.columns {
                let stat = c.statistic.map { decimals($0, 4) } ?? "-"
                let p = c.pAdjusted.map { String(format: "%.3g", $0) } ?? "-"
                lines.append(
                    "  "
                        + [
                            pad(c.name, 20), pad(c.kind.rawValue, 12), pad(c.test?.rawValue, 11),
                            pad(stat, 10), pad(p, 11), c.drift ? "DRIFT" : "-",
                        ].joined(separator: " ")
                )
            }
            let new = report.equipment.newValues
            if !new.isEmpty {
                lines.append(
                    "  new equipment: " + new.map { "\($0.column)=\($0.value) (\($0.count))" }.joined(separator: ", ")
                )
            }
            let decay = report.decay
            lines.append(
                "  decay: \(decay.status.rawValue) — \(decay.metric) "
                    + "\(decay.current.map { decimals($0, 4) } ?? "-") against baseline "
                    + "\(decay.baseline.map { decimals($0, 4) } ?? "-")"
            )
            if let estimate = report.estimate {
                lines.append("  estimate: \(estimate.status.rawValue) — \(estimate.explanation)")
            }
            if let multivariate = report.multivariate {
                lines.append(
                    "  multivariate: \(multivariate.judged ? (multivariate.drift ? "DRIFT" : "ok") : "not judged") — "
                        + multivariate.explanation
                )
            }
            return lines
        }
    }
}
