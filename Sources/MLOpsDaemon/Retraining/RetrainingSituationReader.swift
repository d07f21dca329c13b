import Foundation
import GRDB
import MLOpsCore

/// Reads a model's ``RetrainingSituation`` from the store: its settings, production
/// version, drift streak, latest check, latest retraining, active run and the day's count.
enum RetrainingSituationReader {
    static func read(
        _ db: Database,
        model: String,
        spec: ModelSpec,
        config: DaemonConfig,
        now: Date
    ) throws -> RetrainingSituation {
        let settings = try RetrainingSettings.load(db, model: model)
        let production = try VersionStore.production(db, model: model)
        let streak = try MonitoringState.driftStreak(db, model: model)
        return RetrainingSituation(
            now: now,
            enabled: settings?.enabled ?? false,
            productionCreatedAt: production.flatMap { Timestamp.parse($0.createdAt) },
            scheduleDays: config.retrainScheduleDays,
            calendar: config.retrainCalendar,
            timeZone: TimeZone.current,
            lastScheduledSlot: settings?.scheduledSlot,
            driftStreak: streak,
            driftConfirmations: spec.policy.driftConfirmations,
            latestCheck: try latestCheck(db, model: model),
            lastRetrainingAt: try RetrainingHistory.lastFired(db, model: model),
            cooldownHours: spec.policy.cooldownHours,
            automaticInLastDay: try RetrainingHistory.automaticSince(db, now.addingTimeInterval(-86_400)),
            maxPerDay: config.maxRetrainsPerDay,
            activeRun: try RunStore.active(db, model: model)
        )
    }

    /// The model's latest check, read from its stored report.
    static func latestCheck(_ db: Database, model: String) throws -> RetrainingSituation.Check? {
        guard let row = try CheckStore.latest(db, model: model) else { return nil }
        let report = RunStore.json(row["report"]) ?? .object([:])
        let at = (row["at"] as String?).flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0)
        var drifted: [String] = []
        if case .array(let items)? = report["drifted"] { drifted = items.compactMap(\.stringValue) }
        var check = RetrainingSituation.Check(
            id: row["seq"],
            at: at,
            drifted: drifted,
            driftShare: report["drift_share"]?.doubleValue ?? 0,
            decayed: report["decay"]?["decayed"]?.boolValue ?? false,
            relativeDrop: report["decay"]?["relative_drop"]?.doubleValue,
            metric: report["decay"]?["metric"]?.stringValue
        )
        // The estimate counts only when it stood in for the labels (status `estimated`).
        if report["estimate"]?["status"]?.stringValue == EstimateStatus.estimated.rawValue {
            check.estimatedDecayed = report["estimate"]?["decayed"]?.boolValue ?? false
            check.estimatedDrop = report["estimate"]?["relative_drop"]?.doubleValue
        }
        return check
    }
}
