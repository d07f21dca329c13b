import Foundation

/// The result of `retraining-start` and `retraining-stop`: the models switched, with
/// their settings as saved.
public struct RetrainingSwitchResult: Codable, Sendable, Equatable {
    /// Each model's settings after the switch.
    public var models: [RetrainingSettingsDocument]
    /// How many models were switched.
    public var count: Int

    /// A result with every field given.
    public init(models: [RetrainingSettingsDocument]) {
        self.models = models
        self.count = models.count
    }
}
