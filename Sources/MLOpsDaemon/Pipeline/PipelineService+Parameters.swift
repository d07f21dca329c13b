import Foundation
import MLOpsCore

extension PipelineService {
    /// Checks `given` against `definition`'s declared parameters and resolves its paths
    /// under the data roots: the rules of run-pipeline, shared by ``queueRun`` and by
    /// `retraining-start` (which checks the settings automatic runs will use when the
    /// switch goes on, not when the first run starts). `submitterUID`: the job's submitter,
    /// who must be able to read every path parameter themselves (``SubmitterAccess``); nil
    /// for runs the daemon starts on its own (their settings were checked at retraining-start).
    public static func resolveParameters(
        _ given: [String: JSONValue],
        for definition: PipelineDefinition,
        marks: [String: SourceMark] = [:],
        fallback: SourceMark? = nil,
        config: DaemonConfig,
        submitterUID: UInt32? = nil
    ) -> Result<[String: JSONValue], JobError> {
        var resolved: [String: JSONValue]
        switch PipelineParameters.resolve(given, for: definition, marks: marks, fallback: fallback) {
        case .success(let values): resolved = values
        case .failure(let failure): return .failure(Kinds.RunPipeline.combined(failure.errors))
        }
        for parameter in definition.parameters where parameter.type == .path {
            guard let path = resolved[parameter.name]?.stringValue else { continue }
            do {
                resolved[parameter.name] = .string(try ArtifactStore.resolveInside(path, roots: config.dataRoots))
            } catch {
                return .failure(
                    JobError(
                        .invalidValue,
                        "parameter `\(parameter.name)`: \(error)",
                        at: marks[parameter.name] ?? fallback,
                        fix: "put the file under one of: " + config.dataRoots.joined(separator: ", ")
                    )
                )
            }
            if let path = resolved[parameter.name]?.stringValue {
                do {
                    try SubmitterAccess.check(
                        path,
                        uid: submitterUID,
                        what: "parameter `\(parameter.name)`",
                        mark: marks[parameter.name] ?? fallback
                    )
                } catch {
                    return .failure(error)
                }
            }
        }
        return .success(resolved)
    }
}
