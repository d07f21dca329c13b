import Foundation

/// Everything the retraining decision looks at for one model, read from the store by the
/// daemon (or made up by a test), with `now` injected so the decision needs no clock.
public struct RetrainingSituation: Sendable, Equatable {
    /// The latest monitoring check's figures that can fire a trigger.
    public struct Check: Sendable, Equatable {
        /// The check's id (`monitoring_checks.seq`).
        public var id: Int64
        /// When it ran.
        public var at: Date
        /// Columns that drifted in it.
        public var drifted: [String]
        /// The share of monitored columns that drifted.
        public var driftShare: Double
        /// Whether it found the metric decayed.
        public var decayed: Bool
        /// The metric's relative drop against the version's baseline, when computed.
        public var relativeDrop: Double?
        /// The metric's name.
        public var metric: String?
        /// Whether it estimated the metric decayed (too few labels; ``MonitoringReport/Estimate``).
        public var estimatedDecayed: Bool = false
        /// The estimate's relative drop against the baseline, when estimated.
        public var estimatedDrop: Double? = nil

        /// A check's figures.
        public init(
            id: Int64,
            at: Date,
            drifted: [String] = [],
            driftShare: Double = 0,
            decayed: Bool = false,
            relativeDrop: Double? = nil,
            metric: String? = nil
        ) {
            self.id = id
            self.at = at
            self.drifted = drifted
            self.driftShare = driftShare
            self.decayed = decayed
            self.relativeDrop = relativeDrop
            self.metric = metric
        }
    }

    /// Now, as the caller's clock says.
    public var now: Date
    /// Whether automated retraining is switched on for the model.
    public var enabled: Bool
    /// When the production version was created (trained); nil without one.
    public var productionCreatedAt: Date?
    /// `retrain_schedule_days` (used when ``calendar`` is nil).
    public var scheduleDays: Double
    /// `retrain_schedule` as a calendar expression; nil: every ``scheduleDays`` days.
    public var calendar: CalendarSpec?
    /// The zone a calendar expression that names none is read in (the daemon's local zone).
    public var timeZone: TimeZone
    /// The latest schedule slot already handled (fired or suppressed); nil: none yet.
    public var lastScheduledSlot: Date?
    /// Consecutive drifting checks (`monitoring_state.drift_streak`).
    public var driftStreak: Int
    /// `policy.drift_confirmations`.
    public var driftConfirmations: Int
    /// The latest monitoring check, if any.
    public var latestCheck: Check?
    /// When the model's latest retraining (automatic or manual) was started; nil: never.
    public var lastRetrainingAt: Date?
    /// `policy.cooldown_hours`.
    public var cooldownHours: Double
    /// Automatic retrainings (all models) started in the 24 hours before `now`.
    public var automaticInLastDay: Int
    /// `max_retrains_per_day`.
    public var maxPerDay: Int
    /// The model's queued or running pipeline run, if any.
    public var activeRun: String?

    /// A situation; every figure is explicit so tests read like the rule they check.
    public init(
        now: Date,
        enabled: Bool,
        productionCreatedAt: Date?,
        scheduleDays: Double,
        calendar: CalendarSpec? = nil,
        timeZone: TimeZone = .gmt,
        lastScheduledSlot: Date? = nil,
        driftStreak: Int = 0,
        driftConfirmations: Int = 2,
        latestCheck: Check? = nil,
        lastRetrainingAt: Date? = nil,
        cooldownHours: Double = 24,
        automaticInLastDay: Int = 0,
        maxPerDay: Int = 3,
        activeRun: String? = nil
    ) {
        self.now = now
        self.enabled = enabled
        self.productionCreatedAt = productionCreatedAt
        self.scheduleDays = scheduleDays
        self.calendar = calendar
        self.timeZone = timeZone
        self.lastScheduledSlot = lastScheduledSlot
        self.driftStreak = driftStreak
        self.driftConfirmations = driftConfirmations
        self.latestCheck = latestCheck
        self.lastRetrainingAt = lastRetrainingAt
        self.cooldownHours = cooldownHours
        self.automaticInLastDay = automaticInLastDay
        self.maxPerDay = maxPerDay
        self.activeRun = activeRun
    }
}
