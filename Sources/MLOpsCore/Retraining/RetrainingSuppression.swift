import Foundation

/// Why a trigger that holds does not start a retraining.
public enum RetrainingSuppression: Sendable, Equatable {
    /// Automated retraining is switched off for the model.
    case disabled
    /// The model already has a queued or running pipeline run (one run per model).
    case runActive(run: String)
    /// The model was retrained at `last`; no automatic retraining before `until`.
    case cooldown(last: Date, until: Date)
    /// `count` automatic retrainings started in the last 24 hours, `limit` allowed.
    case capReached(count: Int, limit: Int)

    /// A stable code for documents and the store: `disabled`, `run_active`, `cooldown`, `cap_reached`.
    public var code: String {
        switch self {
        case .disabled: "disabled"
        case .runActive: "run_active"
        case .cooldown: "cooldown"
        case .capReached: "cap_reached"
        }
    }

    /// One sentence for people.
    public var message: String {
        switch self {
        case .disabled:
            "automated retraining is off for this model (switch it on with a retraining-start job)"
        case .runActive(let run):
            "pipeline run \(run) is already queued or running for this model (one run per model)"
        case .cooldown(let last, let until):
            "cooling down after the retraining at \(Timestamp.string(last)) until \(Timestamp.string(until))"
        case .capReached(let count, let limit):
            "\(count) automatic retrainings started in the last 24 hours, the cap (max_retrains_per_day) is \(limit)"
        }
    }

    /// The figures behind the reason, for documents.
    public var details: JSONValue {
        var doc: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        switch self {
        case .disabled: break
        case .runActive(let run): doc["run_id"] = .string(run)
        case .cooldown(let last, let until):
            doc["last_retraining_at"] = .string(Timestamp.string(last))
            doc["until"] = .string(Timestamp.string(until))
        case .capReached(let count, let limit):
            doc["count_last_24h"] = .int(count)
            doc["limit"] = .int(limit)
        }
        return .object(doc)
    }
}
