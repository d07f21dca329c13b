import Foundation
import GRDB
import MLOpsCore

/// `list-alerts`: open alerts (and resolved ones on request), newest first, for one model
/// or all.
extension Kinds.ListAlerts: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible?] = []
        if !job.parameters.includeResolved { conditions.append("resolved_at IS NULL") }
        if let model = job.model {
            conditions.append("model = ?")
            arguments.append(model)
        }
        if let type = job.parameters.type {
            conditions.append("type = ?")
            arguments.append(type)
        }
        let limit = job.parameters.limit
        let sql = "SELECT * FROM alerts" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY seq DESC LIMIT \(limit)"
        let alerts = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(AlertRecord.init(row:))
        return .succeeded(["alerts": .array(alerts.map(\.document)), "count": .int(alerts.count)])
    }
}
