import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore


extension MLOpsCtl {
    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open alerts, newest first (a list-alerts job); --ack ID acknowledges one.",
            discussion: "Exit status: 0 listed or acknowledged, 1 failed, 65 rejected (unknown model or alert), 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "Only this model's alerts.") var model: String?
        @Flag(help: "Resolved alerts too.") var all = false
        @Option(help: "Only alerts of this type (data_drift, equipment_change, population_change, model_decay, health, …).") var type: String?
        @Option(help: "Acknowledge this alert instead of listing.") var ack: String?

        func run() throws {
            if let ack {
                try submitAndWait(spoolOptions, lines: ["kind: acknowledge-alert", "params:", "  alert: \(yamlQuoted(ack))"],
                                  timeout: output.timeout, json: output.json) { doc in
                    let alert = doc.result?["alert"]
                    return "alert \(ack) acknowledged by \(alert?["acknowledged_by"]?.stringValue ?? "?") at \(alert?["acknowledged_at"]?.stringValue ?? "?")"
                        + (doc.result?["note"]?.stringValue.map { " (\($0))" } ?? "")
                }
                return
            }
            var lines = ["kind: list-alerts"]
            if let model { lines.append("model: \(yamlQuoted(model))") }
            lines += ["params:", "  include_resolved: \(all)"]
            if let type { lines.append("  type: \(yamlQuoted(type))") }
            try submitAndWait(spoolOptions, lines: lines, timeout: output.timeout, json: output.json) { doc in
                guard case .array(let alerts)? = doc.result?["alerts"], !alerts.isEmpty else {
                    return all ? "no alerts" : "no open alerts"
                }
                return alerts.map { a in
                    let state = a["resolved_at"]?.stringValue.map { "resolved \($0)" } ?? "open since \(a["opened_at"]?.stringValue ?? "?")"
                    let ack = a["acknowledged_by"]?.stringValue.map { ", acknowledged by \($0)" } ?? ""
                    return "\(pad(a["severity"]?.stringValue, 8)) \(a["id"]?.stringValue ?? "?")  \(state)\(ack) ×\(a["occurrences"]?.intValue ?? 1)\n"
                        + "         \(a["message"]?.stringValue ?? "")"
                }.joined(separator: "\n")
            }
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model's monitoring checks now and show its health (a monitor-model job).",
            discussion: "Exit status: 0 checked (whatever the health), 1 failed, 65 rejected (no production version), 124 timed out.")

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String

        func run() throws {
            try submitAndWait(spoolOptions, lines: ["kind: monitor-model", "model: \(yamlQuoted(model))"],
                              timeout: output.timeout, json: output.json) { doc in
                guard let r = doc.result else { return "no report" }
                let health = r["health"]
                var lines = ["\(model): health \(String(format: "%.3f", health?["score"]?.doubleValue ?? 0)) (\(health?["band"]?.stringValue ?? "?")), "
                    + "window \(r["window"]?.intValue ?? 0), labelled \(r["labelled"]?.intValue ?? 0), status \(r["status"]?.stringValue ?? "?")"]
                if case .array(let contributions)? = health?["contributions"] {
                    for c in contributions {
                        lines.append("  \(pad(c["signal"]?.stringValue, 6)) −\(String(format: "%.3f", c["penalty"]?.doubleValue ?? 0))  \(c["explanation"]?.stringValue ?? "")")
                    }
                }
                if case .array(let columns)? = r["columns"] {
                    lines.append("  COLUMN               KIND         TEST        STATISTIC  P (ADJ.)    DRIFT")
                    for c in columns {
                        let stat = c["statistic"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "-"
                        let p = c["p_adjusted"]?.doubleValue.map { String(format: "%.3g", $0) } ?? "-"
                        lines.append("  " + [pad(c["name"]?.stringValue, 20), pad(c["kind"]?.stringValue, 12), pad(c["test"]?.stringValue, 11),
                                             pad(stat, 10), pad(p, 11), c["drift"]?.boolValue == true ? "DRIFT" : "-"].joined(separator: " "))
                    }
                }
                if case .array(let new)? = r["equipment"]?["new_values"], !new.isEmpty {
                    lines.append("  new equipment: " + new.map { "\($0["column"]?.stringValue ?? "")=\($0["value"]?.stringValue ?? "") (\($0["count"]?.intValue ?? 0))" }.joined(separator: ", "))
                }
                if let decay = r["decay"] {
                    lines.append("  decay: \(decay["status"]?.stringValue ?? "?") — \(decay["metric"]?.stringValue ?? "") "
                        + "\(decay["current"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "-") against baseline "
                        + "\(decay["baseline"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "-")")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
