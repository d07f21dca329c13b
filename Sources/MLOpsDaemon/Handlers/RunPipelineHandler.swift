import Foundation
import GRDB
import MLOpsCore

/// `run-pipeline`: checks the job's parameters against the pipeline's declarations and
/// queues a run (docs/design.md §7). The job's result says `running` and follows the run's
/// stages; the final result comes when the run ends.
///
/// Refused (`rejected`, nothing queued): an unknown pipeline, an undeclared parameter, a
/// key that would set a command, a path outside the data roots, and a second run of a
/// model that already has one queued or running.
extension Kinds.RunPipeline: JobHandling {

    public static func execute(_ job: Job<Self>, context: JobContext, db: Database) throws -> Outcome<Result> {
        guard let service = context.pipelines else {
            throw JobError(.internalError, "this daemon runs without pipelines")
        }
        let model = try job.requiredModel
        let spec = try ModelSpecs.spec(db, model: model)
        let name = job.parameters.pipeline ?? spec.pipeline
        let catalog = service.catalog
        guard let definition = catalog.definition(name) else {
            let names = catalog.names
            return .rejected(
                JobError(
                    .unknownPipeline,
                    "there is no pipeline `\(name)` in \(catalog.directory.isEmpty ? "pipelines_dir" : catalog.directory)",
                    at: job.mark(ofParam: "pipeline"),
                    fix: Suggestion.closest(to: name, among: names).map { "did you mean `\($0)`?" }
                        ?? (names.isEmpty
                            ? "the administrator must add \(name).yaml to pipelines_dir"
                            : "pipelines: " + names.joined(separator: ", "))
                )
            )
        }
        let given = job.parameters.values
        switch try service.queueRun(
            db,
            model: model,
            definition: definition,
            given: given,
            marks: job.paramMarks,
            fallback: job.mark(ofParam: ""),
            modelMark: job.modelMark,
            trigger: PipelineService.runPipelineTrigger,
            jobID: job.id,
            submittedBy: context.submittedBy,
            submitterUID: context.submitterUID,
            config: context.config,
            now: context.now,
            afterCommit: context.afterCommit
        ) {
        case .queued(let run): return .started(run.document)
        case .runActive(_, let error), .refused(let error): return .rejected(error)
        }
    }

    /// One error that carries the others in its message (a rejected outcome has one).
    static func combined(_ errors: [JobError]) -> JobError {
        guard var first = errors.first else { return JobError(.invalidValue, "the parameters were refused") }
        let rest = errors.dropFirst()
        if !rest.isEmpty {
            first.message +=
                "; also: "
                + rest.map { e in
                    (e.line.map { "line \($0): " } ?? "") + e.message
                }.joined(separator: "; ")
        }
        return first
    }
}
