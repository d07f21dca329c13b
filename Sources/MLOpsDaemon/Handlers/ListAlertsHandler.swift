import Foundation
import GRDB
import MLOpsCore

/// `list-alerts`: open alerts (and resolved ones on request), newest first, for one model
/// or all.
public struct ListAlertsHandler: JobHandler {
    public init() {}

    public var spec: KindSpec { MonitoringKinds.listAlerts }

    public func execute(_ job: ValidatedJob, context: JobContext, db: Database) throws -> JobOutcome {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible?] = []
        if job.params["include_resolved"]?.boolValue != true { conditions.append("resolved_at IS NULL") }
        if let model = job.model {
            conditions.append("model = ?")
            arguments.append(model)
        }
        if let type = job.params["type"]?.stringValue {
            conditions.append("type = ?")
            arguments.append(type)
        }
        let limit = job.params["limit"]?.intValue ?? 100
        let sql = "SELECT * FROM alerts" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY seq DESC LIMIT \(limit)"
        let alerts = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(AlertRecord.init(row:))
        return .succeeded(["alerts": .array(alerts.map(\.document)), "count": .int(alerts.count)])
    }
}
