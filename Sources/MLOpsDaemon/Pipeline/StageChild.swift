import Foundation
import Logging
import MLOpsCore

/// A stage command as a supervised child: started, recorded in the store (so a restarted
/// daemon can find its process group), awaited, and turned into a stage result.
enum StageChild {
    /// Runs `argv` for `stage` of `run` and waits for it (or for its timeout or the run's
    /// cancellation, which stop its whole process group).
    static func run(argv: [String], workingDirectory: String, environment: [String: String], timeout: Double, grace: Double,
                    run: String, stage: PipelineStage, model: String, service: PipelineService) async -> PipelineRunner.StageResult {
        .failed("child supervision is not wired yet")
    }

    /// Kills the process groups a dead daemon left (`run`, `pgid` pairs); returns how many
    /// processes were signalled.
    static func killStrays(_ groups: [(run: String, pgid: Int32)], grace: Double, logger: Logger) -> Int { 0 }
}
