import ArgumentParser
import Foundation
import MLOpsClient
import MLOpsCore

/// `mlopsctl`: submit jobs, wait for results, lint job files, read the daemon's status.
struct MLOpsCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlopsctl",
        abstract: "Talk to mlopsd through its spool: submit jobs, wait for results, lint job files, show status.",
        version: MLOpsInfo.version,
        subcommands: [
            Submit.self, Wait.self, Validate.self, Status.self, Versions.self, Production.self, Promote.self,
            Rollback.self, Alerts.self, Alert.self, Health.self, History.self, Report.self, Drift.self, Pipeline.self,
            Runs.self,
            Run.self,
            Cancel.self, AB.self, Retraining.self, Backup.self,
        ]
    )
}

/// Where the spool is: --spool, else $MLOPSD_SPOOL_DIR (the daemon's own override of
/// spool_dir), else the config file's spool_dir.
struct SpoolOptions: ParsableArguments {
    @Option(help: "The spool directory (default: $MLOPSD_SPOOL_DIR, else spool_dir of the config file).")
    var spool: String?

    @Option(
        help:
            "The daemon's config file, read for spool_dir (default: ./etc/mlopsd.yaml when present, else /etc/mlopsd/mlopsd.yaml)."
    )
    var config: String?

    func resolve() throws -> SpoolClient {
        if let spool { return SpoolClient(root: spool) }
        let env = ProcessInfo.processInfo.environment
        if let dir = env[DaemonConfig.keys.spoolDir.environmentName], !dir.isEmpty { return SpoolClient(root: dir) }
        let path =
            config
            ?? (FileManager.default.fileExists(atPath: "etc/mlopsd.yaml")
                ? "etc/mlopsd.yaml" : "/etc/mlopsd/mlopsd.yaml")
        do {
            return SpoolClient(root: try ConfigFile.load(path: path).spoolDir)
        } catch {
            throw CtlFailure(message: "mlopsctl: \(error) (or pass --spool DIR)", code: 78)
        }
    }
}

/// An error that prints its message and exits with its code.
struct CtlFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    var description: String { message }
}

extension CtlFailure {
    /// A submission the client refused: the spool could not be written (73), or the job
    /// is invalid or its id taken (65).
    init(submitting error: SpoolClient.ClientError) {
        if case .system = error {
            self.init(message: "mlopsctl: \(error)", code: Exit.cannotWrite)
        } else {
            self.init(message: "\(error)", code: Exit.rejected)
        }
    }
}

/// Exit codes shared by the subcommands (documented in README and `--help`).
enum Exit {
    static let succeeded: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 64  // EX_USAGE: the command line is wrong
    static let rejected: Int32 = 65  // EX_DATAERR: the job file (or a data file) was refused
    static let noInput: Int32 = 66  // EX_NOINPUT: an input file cannot be read
    static let timedOut: Int32 = 124  // as timeout(1)
    static let notRunning: Int32 = 3
    static let cannotWrite: Int32 = 73  // EX_CANTCREAT: the spool could not be written
}

/// Runs `body`, printing a `CtlFailure` to stderr and exiting with its code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as CtlFailure {
        FileHandle.standardError.write(Data((failure.message + "\n").utf8))
        throw ExitCode(failure.code)
    }
}

func printJSON(_ value: some Encodable) {
    // Result documents and trees (a history can be megabytes) go through the fast writer:
    // the same bytes as JSONEncoder.
    let data: Data?
    switch value {
    case let document as ResultDocument: data = try? document.encoded()
    case let tree as JSONValue: data = try? JSONTextWriter.data(tree, layout: .pretty)
    default: data = try? JSONEncoder.mlopsPretty.encode(value)
    }
    if let data { print(String(decoding: data, as: UTF8.self)) }
}

/// Human rendering of a result document.
func describe(_ doc: ResultDocument) -> String {
    var lines = ["job \(doc.job): \(doc.status.rawValue)"]
    if let kind = doc.kind { lines.append("  kind: \(kind)") }
    if let model = doc.model { lines.append("  model: \(model)") }
    lines.append("  submitted by \(doc.submittedBy) at \(doc.submittedAt)")
    if let finished = doc.finishedAt { lines.append("  finished at \(finished)") }
    if let error = doc.error {
        var position = ""
        if let line = error.line { position = " at line \(line)" + (error.column.map { ", column \($0)" } ?? "") }
        lines.append("  error \(error.code)\(position): \(error.message)")
        if let fix = error.fix { lines.append("  fix: \(fix)") }
        for more in error.more ?? [] { lines.append("  also: \(JobErrorFormatter.line(more, file: doc.file))") }
        if error.unlisted > 0 {
            lines.append(
                "  … and \(error.unlisted) more (\(error.errorsTotal ?? 0) errors in all; the result lists the first \(ResultDocument.ErrorInfo.maxListed))"
            )
        }
    }
    if let result = doc.result, let data = try? JSONTextWriter.data(result, layout: .pretty) {
        lines.append("  result: " + String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  "))
    }
    return lines.joined(separator: "\n")
}

func exitCode(for status: ResultDocument.Status) -> Int32 {
    switch status {
    case .succeeded: return Exit.succeeded
    case .failed, .running: return Exit.failed
    case .rejected: return Exit.rejected
    }
}

extension MLOpsCtl {
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a job file and drop it atomically into the spool; print its id.",
            discussion:
                "Exit status: 0 submitted (with --wait: the job succeeded), 1 failed, 65 invalid or rejected, 73 the spool could not be written, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @Argument(help: "The job file, or - for standard input.") var file: String
        @Flag(help: "Wait for the job's final result and print it.") var wait = false
        @Option(help: "With --wait: give up after this many seconds.") var timeout: Double?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingFailures {
                let client = try spoolOptions.resolve()
                let data: Data
                if file == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let contents = FileManager.default.contents(atPath: file) else {
                        throw CtlFailure(message: "mlopsctl: cannot read \(file)", code: Exit.noInput)
                    }
                    data = contents
                }
                // Strict, as the daemon is: a file that is not UTF-8 is refused, not repaired.
                guard let text = String(validating: data, as: UTF8.self) else {
                    throw CtlFailure(
                        message: "\(file): not_utf8: the job file is not valid UTF-8 text (save the file as UTF-8)",
                        code: Exit.rejected
                    )
                }
                let submission = try submit(text, fileName: file == "-" ? nil : file, to: client)
                if !wait {
                    if json { printJSON(["job": submission.id]) } else { print(submission.id) }
                    return
                }
                try waitAndPrint(id: submission.id, json: json) { () throws(SpoolClient.ClientError) in
                    try client.wait(for: submission, timeout: timeout)
                }
            }
        }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait for a job's final result and print it.",
            discussion: "Exit status follows the job: 0 succeeded, 1 failed, 65 rejected, 124 timed out."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @Argument(help: "The job id.") var job: String
        @Option(help: "Give up after this many seconds.") var timeout: Double?
        @Flag(help: "Print the result document as JSON.") var json = false

        func run() throws {
            try reportingFailures {
                let client = try spoolOptions.resolve()
                try waitAndPrint(id: job, json: json) { () throws(SpoolClient.ClientError) in
                    try client.wait(for: job, timeout: timeout)
                }
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check job files offline with the daemon's own rules.",
            discussion:
                "Prints file:line:column: code: message (fix) per problem. Exit status 0 when all are valid, 65 otherwise. Models are not looked up: the daemon checks that they exist."
        )

        @Argument(help: "Job files (- for standard input).") var files: [String]
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            var allValid = true
            var reports: [JSONValue] = []
            for file in files {
                let data =
                    file == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
                guard let data, let text = String(data: data, encoding: .utf8) else {
                    allValid = false
                    let message = "\(file): cannot read the file as UTF-8 text"
                    if json {
                        reports.append(["file": .string(file), "valid": false, "errors": [.string(message)]])
                    } else {
                        print(message)
                    }
                    continue
                }
                let name = file == "-" ? "stdin.yaml" : (file as NSString).lastPathComponent
                switch JobValidator.validate(text: text, fileName: name) {
                case .valid(let job):
                    if json {
                        reports.append([
                            "file": .string(file), "valid": true, "job": .string(job.id),
                            "kind": .string(job.kind.rawValue),
                        ])
                    } else {
                        print("\(file): valid \(job.kind.rawValue) job `\(job.id)`")
                    }
                case .rejected(_, _, _, let failure):
                    allValid = false
                    if json {
                        let errors = (try? JSONValue(encoding: failure.errors)) ?? .null
                        reports.append(["file": .string(file), "valid": false, "errors": errors])
                    } else {
                        for error in failure.errors { print(JobErrorFormatter.line(error, file: file)) }
                    }
                }
            }
            if json { printJSON(JSONValue.array(reports)) }
            if !allValid { throw ExitCode(Exit.rejected) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the daemon's state, queue depth and models (from status.json in the spool).",
            discussion: "Exit status 0 when the daemon is running, 3 when it is not."
        )

        @OptionGroup var spoolOptions: SpoolOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try reportingFailures {
                let client = try spoolOptions.resolve()
                guard let raw = client.readStatus() else {
                    throw CtlFailure(
                        message: "mlopsd has never run on \(client.root) (no status.json)",
                        code: Exit.notRunning
                    )
                }
                let status: StatusDocument
                do {
                    status = try JSONValueDecoder().decode(StatusDocument.self, from: raw)
                } catch {
                    throw CtlFailure(
                        message: "mlopsctl: \(client.root)/status.json cannot be read: \(error)",
                        code: Exit.failed
                    )
                }
                let pid = status.pid
                let alive = pid > 0 && (kill(pid_t(pid), 0) == 0 || errno == EPERM)
                let state = alive ? status.state : "not running"
                if json {
                    guard case .object(var object) = raw else { return }
                    object["running"] = .bool(alive)
                    printJSON(JSONValue.object(object))
                } else {
                    print("mlopsd \(status.version) on \(client.root): \(state)" + (alive ? " (pid \(pid))" : ""))
                    print("  queue: \(status.queueDepth) waiting")
                    let jobs = status.jobs
                    print(
                        "  jobs since start: \(jobs.succeeded) succeeded, \(jobs.failed) failed, \(jobs.rejected) rejected"
                    )
                    print("  models: \(status.modelsTotal)")
                    for model in status.models {
                        print("    \(model.name)  \(model.task)  metric \(model.metric)  revision \(model.revision)")
                    }
                    if status.modelsTotal > status.models.count {
                        print("    … and \(status.modelsTotal - status.models.count) more")
                    }
                    print("  updated at \(status.updatedAt)")
                }
                if !alive { throw ExitCode(Exit.notRunning) }
            }
        }
    }
}

/// Submits a job of `Kind` built from its typed parameters, waits for its result (default
/// 120 seconds) and prints it: a succeeded job through `render`, given the typed result (nil
/// when the document has none); any other as the generic description, or JSON with
/// `json`. Exits with the job's status like `submit --wait`.
func submitAndWait<Kind: JobKindDeclaration>(
    _ kind: Kind.Type,
    _ options: SpoolOptions,
    model: String? = nil,
    reason: String? = nil,
    parameters: Kind.Parameters,
    timeout: Double?,
    json: Bool,
    render: @escaping (Kind.Result?) -> String
) throws {
    try reportingFailures {
        let client = try options.resolve()
        let submission: SpoolClient.Submission
        do throws(SpoolClient.ClientError) {
            submission = try client.submit(kind, model: model, reason: reason, parameters: parameters)
        } catch {
            throw CtlFailure(submitting: error)
        }
        try waitAndPrint(
            id: submission.id,
            json: json,
            render: { doc in
                do {
                    return render(try doc.result(of: kind))
                } catch {
                    let problem = "mlopsctl: cannot read the \(Kind.kind.rawValue) result of job \(doc.job): \(error)\n"
                    FileHandle.standardError.write(Data(problem.utf8))
                    return describe(doc)
                }
            }
        ) { () throws(SpoolClient.ClientError) in
            try client.wait(for: submission, timeout: timeout ?? 120)
        }
    }
}

/// Validates `text` and drops it into the spool; a refusal becomes the matching exit code.
func submit(_ text: String, fileName: String?, to client: SpoolClient) throws -> SpoolClient.Submission {
    do {
        return try client.submission(text: text, fileName: fileName)
    } catch {
        throw CtlFailure(submitting: error)
    }
}

/// Waits with `wait`, prints the result (a succeeded one through `render` when given, any
/// other as the generic description), and exits with the job's status.
func waitAndPrint(
    id: String,
    json: Bool,
    render: ((ResultDocument) -> String)? = nil,
    _ wait: () throws(SpoolClient.ClientError) -> ResultDocument
) throws {
    let document: ResultDocument
    do {
        document = try wait()
    } catch {
        if case .timedOut = error { throw CtlFailure(message: "mlopsctl: \(error)", code: Exit.timedOut) }
        throw CtlFailure(message: "mlopsctl: \(error)", code: Exit.failed)
    }
    if json {
        printJSON(document)
    } else if let render, document.status == .succeeded {
        print(render(document))
    } else {
        print(describe(document))
    }
    let code = exitCode(for: document.status)
    if code != 0 { throw ExitCode(code) }
}

MLOpsCtl.main()
