import MLOpsCore

/// What a model server sees for one model: where `current` points and what
/// `deployment.json` says.
///
/// Returned by ``ServingDirectory/current(model:)`` so the daemon can report (and a deploy
/// can roll back to) the served artifact without trusting its own database alone.
public struct ServingState: Sendable, Equatable {
    /// The target of the `current` link: the absolute path of the served artifact.
    public var target: String
    /// `deployment.json`, decoded; nil when it is missing or not valid JSON.
    public var deployment: JSONValue?

    /// A serving state from its parts.
    public init(target: String, deployment: JSONValue?) {
        self.target = target
        self.deployment = deployment
    }
}
