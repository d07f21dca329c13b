import Foundation
import GRDB
import MLOpsCore

/// Turns a check's report into alerts (docs/design.md §5, §8): one open alert per model and type,
/// updated while its condition holds, resolved when the condition clears.
///
/// | type | opens when | severity | resolves when |
/// |---|---|---|---|
/// | `data_drift` | a feature or segment column drifts (on the first drifting check) | warning; critical once the drift persisted `drift_confirmations` checks | a judged check has no drift |
/// | `equipment_change` | an equipment value the reference never had, or the equipment mix shifts | warning | no unseen value and no shift |
/// | `population_change` | the population mix shifts | warning | no shift |
/// | `model_decay` | the metric dropped more than `model_decay_threshold` | warning; critical at twice the threshold | the metric is back within it |
/// | `estimated_decay` | too few labels, and the estimated metric dropped more than `model_decay_threshold` with its whole band below the baseline | warning; critical at twice the threshold | the estimate is back within it, or labels judge decay |
/// | `multivariate_drift` | the reconstruction error leaves the reference's band | warning | a judged check within the band |
/// | `health` | the health score leaves `good` | warning or critical, by band | the band is `good` again |
///
/// A window below `min_samples` judges nothing, so it neither opens nor resolves drift,
/// population or health alerts; an unseen equipment value opens its alert at once anyway.
enum AlertRules {
    static func apply(
        _ db: Database,
        report: MonitoringReport,
        model: String,
        version: String,
        streak: Int,
        confirmations: Int,
        context: JobContext,
        registry: ModelRegistry
    ) throws {
        let at = context.now
        let judged = report.status == .ok
        var changes: [(AlertRecord, Bool)] = []
        // The model's open alerts, read once: whether a raise opens or updates one.
        let openBefore = Dictionary(
            try AlertBook.open(db, model: model).map { ($0.type, $0.severity) },
            uniquingKeysWith: { a, _ in a }
        )
        func raise(_ type: AlertType, _ severity: AlertSeverity, _ message: String, _ details: JSONValue) throws {
            let before = openBefore[type.rawValue]
            let alert = try AlertBook.raise(
                db,
                model: model,
                version: version,
                type: type,
                severity: severity,
                message: message,
                details: details,
                healthScore: report.health.score,
                at: at
            )
            // The journal hears of an alert when it opens or its severity changes, not on every check.
            changes.append((alert, before != severity))
        }
        func resolve(_ type: AlertType) throws {
            if let alert = try AlertBook.resolve(db, model: model, type: type, at: at) { changes.append((alert, true)) }
        }

        if judged {
            if report.drifted.isEmpty {
                try resolve(.dataDrift)
            } else {
                let confirmed = streak >= confirmations
                try raise(
                    .dataDrift,
                    confirmed ? .critical : .warning,
                    "\(report.drifted.count) of \(report.columns.count) columns drift: "
                        + report.drifted.joined(separator: ", ")
                        + (confirmed ? " (for \(streak) checks in a row)" : ""),
                    [
                        "drifted": .array(report.drifted.map(JSONValue.string)),
                        "drift_share": .double(report.driftShare),
                        "consecutive_checks": .int(streak), "confirmations": .int(confirmations),
                        "confirmed": .bool(confirmed),
                    ]
                )
            }
        }

        let newValues = report.equipment.newValues
        if !newValues.isEmpty || (judged && !report.equipment.shifted.isEmpty) {
            var parts: [String] = newValues.map { "new \($0.column) `\($0.value)` (\($0.count) predictions)" }
            if !report.equipment.shifted.isEmpty {
                parts.append("mix shifted in " + report.equipment.shifted.joined(separator: ", "))
            }
            try raise(
                .equipmentChange,
                .warning,
                "equipment changed: " + parts.joined(separator: "; "),
                [
                    "new_values": .array(
                        newValues.map {
                            ["column": .string($0.column), "value": .string($0.value), "count": .int($0.count)]
                        }
                    ),
                    "shifted": .array(report.equipment.shifted.map(JSONValue.string)),
                ]
            )
        } else if judged {
            try resolve(.equipmentChange)
        }

        if judged {
            if report.population.shifted.isEmpty {
                try resolve(.populationChange)
            } else {
                try raise(
                    .populationChange,
                    .warning,
                    "population mix shifted in " + report.population.shifted.joined(separator: ", "),
                    ["shifted": .array(report.population.shifted.map(JSONValue.string))]
                )
            }
        }

        let decay = report.decay
        if decay.decayed, let drop = decay.relativeDrop {
            let severe = drop >= 2 * context.config.modelDecayThreshold
            try raise(
                .modelDecay,
                severe ? .critical : .warning,
                "\(decay.metric) \(fmt(decay.current)) is \(fmt(drop * 100))% below its baseline \(fmt(decay.baseline))",
                [
                    "metric": .string(decay.metric), "baseline": decay.baseline.map(JSONValue.double) ?? .null,
                    "current": decay.current.map(JSONValue.double) ?? .null, "relative_drop": .double(drop),
                    "labelled": .int(decay.labelled),
                ]
            )
        } else if decay.status == .ok {
            try resolve(.modelDecay)
        }

        if let estimate = report.estimate {
            if estimate.decayed, let drop = estimate.relativeDrop {
                let severe = drop >= 2 * context.config.modelDecayThreshold
                try raise(
                    .estimatedDecay,
                    severe ? .critical : .warning,
                    "\(estimate.metric) estimated \(fmt(estimate.estimated)) (band \(fmt(estimate.lower))–"
                        + "\(fmt(estimate.upper))) is \(fmt(drop * 100))% below its baseline \(fmt(estimate.baseline)), "
                        + "before the labels",
                    [
                        "metric": .string(estimate.metric),
                        "baseline": estimate.baseline.map(JSONValue.double) ?? .null,
                        "estimated": estimate.estimated.map(JSONValue.double) ?? .null,
                        "lower": estimate.lower.map(JSONValue.double) ?? .null,
                        "upper": estimate.upper.map(JSONValue.double) ?? .null, "relative_drop": .double(drop),
                        "labelled": .int(report.labelled),
                    ]
                )
            } else if estimate.status != .unavailable {
                try resolve(.estimatedDecay)
            }
        }

        if let multivariate = report.multivariate, multivariate.judged, let result = multivariate.result {
            if multivariate.drift {
                try raise(
                    .multivariateDrift,
                    .warning,
                    "the numerical features drift jointly: " + multivariate.explanation,
                    [
                        "columns": .array(multivariate.columns.map(JSONValue.string)),
                        "components": .int(multivariate.components),
                        "error": result.error.map(JSONValue.double) ?? .null,
                        "threshold_lower": result.thresholdLower.map(JSONValue.double) ?? .null,
                        "threshold_upper": result.thresholdUpper.map(JSONValue.double) ?? .null,
                    ]
                )
            } else {
                try resolve(.multivariateDrift)
            }
        }

        if judged {
            switch report.health.band {
            case .good:
                try resolve(.health)
            case .warning, .critical:
                try raise(
                    .health,
                    report.health.band == .critical ? .critical : .warning,
                    "health \(fmt(report.health.score)) (\(report.health.band.rawValue)): "
                        + report.health.contributions.map(\.explanation).joined(separator: "; "),
                    ["score": .double(report.health.score), "band": .string(report.health.band.rawValue)]
                )
            }
        }

        context.afterCommit.add { [changes] in
            for (alert, log) in changes { registry.alerts.publish(alert, log: log) }
        }
    }

    static func fmt(_ value: Double?) -> String {
        guard let value else { return "?" }
        return String(format: "%.3f", value)
    }
}
