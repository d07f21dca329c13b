/// The eight stages of a pipeline run, in the order they run (docs/design.md §7).
public enum PipelineStage: String, Sendable, Codable, CaseIterable, Comparable {
    /// Gets the training data: a command, or the built-in copy of a file under a data root.
    case collectData = "collect_data"
    /// Built-in: schema, missing values, ranges, minimum rows, label balance.
    case validateData = "validate_data"
    /// A command under the trainer contract writes the candidate's artifact directory.
    case train
    /// Built-in: the policy's metric gates and the comparison with the production champion.
    case validateModel = "validate_model"
    /// A command, or the built-in evaluation of an `mlops-train` model on held-out data.
    case testModel = "test_model"
    /// Skipped unless the pipeline enables it (the A/B capability fills it in).
    case abTest = "ab_test"
    /// `create-version`, then promotion through the registry.
    case deploy
    /// The new version's reference data becomes the baseline; old alerts resolve.
    case monitor

    /// 1 for `collect_data` … 8 for `monitor`.
    public var number: Int { (PipelineStage.allCases.firstIndex(of: self) ?? 0) + 1 }

    /// How many stages a run has.
    public static let count = allCases.count

    public static func < (a: PipelineStage, b: PipelineStage) -> Bool { a.number < b.number }
}

/// How a stage (or a whole run) ended.
public enum StageOutcome: String, Sendable, Codable, CaseIterable {
    /// Not started yet.
    case pending
    /// In progress.
    case running
    /// Did its work.
    case succeeded
    /// Could not do its work; the report says why. Ends the run.
    case failed
    /// Not run: disabled in the definition (e.g. `ab_test`), or an earlier stage ended the run.
    case skipped
    /// Its command ran over its timeout and was stopped.
    case timedOut = "timed_out"
    /// A `cancel-pipeline` job stopped it.
    case cancelled
    /// The daemon stopped or restarted while it ran.
    case interrupted

    /// Whether the stage is over.
    public var isFinal: Bool { self != .pending && self != .running }
}

/// The state of a whole pipeline run.
public enum RunState: String, Sendable, Codable, CaseIterable {
    /// Accepted; waiting for a free slot (`max_concurrent_pipelines`).
    case queued
    /// A stage is in progress.
    case running
    /// Every stage succeeded or was skipped as configured.
    case succeeded
    /// A stage failed or timed out.
    case failed
    /// Stopped by `cancel-pipeline`.
    case cancelled
    /// The daemon stopped or died while the run was in progress.
    case interrupted

    /// Whether the run is over.
    public var isFinal: Bool { self != .queued && self != .running }
}
