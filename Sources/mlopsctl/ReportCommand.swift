import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

extension MLOpsCtl {
    /// `mlopsctl report`: a `report` job; prints the page's path, or copies it to `-o FILE`.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model's self-contained HTML report (a report job) and print its path.",
            discussion: """
                The daemon writes the page under the spool's reports/ directory: health, drift share and the metric \
                over time, a heat map of columns × checks, each monitored column's reference against current \
                distribution, equipment and population, and alerts, versions and retraining runs on one timeline, \
                every chart with its numbers in a table. Inline CSS and SVG: it opens offline and prints to PDF.
                With -o the page is copied to FILE as well.
                Exit status: 0 written, 1 failed, 65 rejected (unknown model, since after until), 73 the page \
                cannot be copied to FILE, 124 timed out.
                """
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @OptionGroup var output: RegistryOutput
        @Argument(help: "The model.") var model: String
        @Option(name: .shortAndLong, help: "Also copy the page to this file.") var out: String?
        @Option(help: "Only checks at or after this RFC 3339 time (2026-11-29, 2026-11-29T13:00:00Z).") var since:
            String?
        @Option(help: "Only checks at or before this RFC 3339 time.") var until: String?
        @Option(
            help: """
                The most checks charted (the newest of the range; default \(Kinds.Report.defaultChecks), at most \
                \(Kinds.Report.maxChecks)).
                """
        ) var last: Int?

        func validate() throws {
            if out != nil && output.json {
                throw ValidationError(
                    "-o and --json do not go together: with --json, copy the file named by result.path"
                )
            }
        }

        func run() throws {
            let parameters = Kinds.Report.Parameters(
                since: since,
                until: until,
                last: last ?? Kinds.Report.defaultChecks
            )
            let copy = CopyOutcome()
            try submitAndWait(
                Kinds.Report.self,
                spoolOptions,
                model: model,
                parameters: parameters,
                timeout: output.timeout,
                json: output.json
            ) { [out] result in
                guard let result else { return "\(model): no report written" }
                var line =
                    "\(result.path)\n\(result.model): \(result.checks) checks, \(result.columns) columns, "
                    + "\(result.alerts) alerts, \(result.bytes) bytes"
                if let out {
                    copy.failure = ReportCopy.copy(result.path, to: out)
                    if copy.failure == nil { line += "\ncopied to \(out)" }
                }
                return line
            }
            if let failure = copy.failure { throw failure }
        }
    }
}

/// Whether `-o` copied the page (set by the render step, read after the wait).
final class CopyOutcome {
    var failure: CtlFailure?
}

/// Copies a written report to where `-o` says.
enum ReportCopy {
    /// Copies `path` to `destination` atomically; the failure (exit 73) when it cannot.
    static func copy(_ path: String, to destination: String) -> CtlFailure? {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.write(to: URL(fileURLWithPath: destination), options: .atomic)
            return nil
        } catch {
            return CtlFailure(
                message: "mlopsctl: the report is \(path), but it cannot be copied to \(destination): "
                    + "\(error.localizedDescription)",
                code: Exit.cannotWrite
            )
        }
    }
}
