import GRDB
import MLOpsCore

/// `get-alert`: one alert by id, open or resolved; read-only.
extension Kinds.GetAlert: JobHandling {
    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        guard let alert = try AlertBook.alert(db, id: job.parameters.alert) else {
            return .rejected(try AlertBook.unknown(db, id: job.parameters.alert, at: job.mark(ofParam: "alert")))
        }
        return .succeeded(Result(alert: alert))
    }
}
