import Foundation

/// What the retraining rules say for one model at one moment (``RetrainingPolicy``).
public struct RetrainingDecision: Sendable, Equatable {
    /// One trigger's condition, with the figures it was judged on; encoded as documents
    /// show it (`check-retrain`'s `conditions`).
    public struct Condition: Sendable, Equatable, Codable {
        /// The trigger.
        public var trigger: RetrainingTrigger
        /// Whether the condition holds now.
        public var holds: Bool
        /// One sentence: why it holds or not.
        public var explanation: String
        /// The figures (streak, confirmations, drop, due date, …).
        public var figures: JSONValue

        /// The condition as documents show it.
        public var document: JSONValue {
            [
                "trigger": .string(trigger.rawValue), "holds": .bool(holds), "explanation": .string(explanation),
                "figures": figures,
            ]
        }
    }

    /// What to do.
    public enum Action: Sendable, Equatable {
        /// No trigger holds (or none was looked at on this occasion).
        case nothing
        /// Start a retraining for `trigger`; `alsoHolding` lists other triggers that hold
        /// and are covered by the same run.
        case fire(RetrainingTrigger, alsoHolding: [RetrainingTrigger])
        /// Triggers hold but a rule holds retraining back.
        case suppress([RetrainingTrigger], RetrainingSuppression)
    }

    /// The conditions looked at, in priority order (decay, estimated_decay, drift, scheduled).
    public var conditions: [Condition]
    /// What to do.
    public var action: Action
    /// The schedule slot this decision covers when the scheduled trigger holds: the caller
    /// records it as handled once it fired or was suppressed (except by the cap), so a slot
    /// fires at most once, however many ticks (or restarts) pass.
    public var scheduledSlot: Date?
    /// When the next schedule slot falls, when there is a production version.
    public var nextScheduledAt: Date?

    /// The triggers whose conditions hold.
    public var holding: [RetrainingTrigger] { conditions.filter(\.holds).map(\.trigger) }
}
