import ArgumentParser
import Foundation
import MLOpsCore

/// `mlops-train`: the embedded default trainer (docs/design.md §7, docs/trainer.md). Thin: reads
/// the inputs the trainer contract names, hands them to ``ClassifierTrainer`` and writes
/// the artifact directory that `create-version` takes.
struct MLOpsTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlops-train",
        abstract: "Train a logistic or softmax regression classifier from a CSV file (the mlopsd default trainer).",
        discussion: """
            Inputs come from the trainer contract's environment (MLOPSD_DATA, MLOPSD_OUTPUT, MLOPSD_PARAMS, \
            MLOPSD_MODEL_SPEC) or from the options, which win. Writes model.json, metrics.json, reference.csv \
            and schema.json into the output directory. Exits 0 on success, 2 with one line on standard error \
            when the input is unusable, 1 when the output cannot be written. See docs/trainer.md.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The training CSV (default: $MLOPSD_DATA).", valueName: "file"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("The directory to write into (default: $MLOPSD_OUTPUT).", valueName: "dir"))
    var output: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The model spec: the store's JSON or a register-model job file (default: $MLOPSD_MODEL_SPEC).",
            valueName: "file"
        )
    )
    var spec: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Training parameters: inline JSON or a JSON file (default: $MLOPSD_PARAMS, else {}).",
            valueName: "json|file"
        )
    )
    var params: String?

    func run() throws {
        do {
            try train()
        } catch {
            FileHandle.standardError.write(Data("mlops-train: \(error.message)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    /// Why the trainer stopped: bad input (exit 2) or an output it could not write (exit 1).
    struct Failure: Error {
        var message: String
        var exitCode: Int32

        static func input(_ message: String) -> Failure { Failure(message: message, exitCode: 2) }
        static func output(_ message: String) -> Failure { Failure(message: message, exitCode: 1) }
    }

    func train() throws(Failure) {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ option: String?, _ variable: String, _ what: String, flag: String) throws(Failure) -> String {
            if let value = option ?? environment[variable], !value.isEmpty { return value }
            throw .input("no \(what): set \(variable) or pass \(flag)")
        }
        let dataPath = try setting(data, "MLOPSD_DATA", "training data", flag: "--data FILE")
        let outputPath = try setting(output, "MLOPSD_OUTPUT", "output directory", flag: "--output DIR")
        let specPath = try setting(spec, "MLOPSD_MODEL_SPEC", "model spec", flag: "--spec FILE")
        let paramsSetting = params ?? environment["MLOPSD_PARAMS"] ?? ""

        do {
            let modelSpec = try TrainerInput.modelSpec(from: try read(specPath, "the model spec"), fileName: specPath)
            let paramsText =
                paramsSetting.trimmingCharacters(in: .whitespaces).hasPrefix("{") || paramsSetting.isEmpty
                ? paramsSetting : try read(paramsSetting, "the parameters")
            let (parameters, unknown) = try TrainerInput.parameters(from: paramsText)
            if !unknown.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        ("mlops-train: warning: ignoring unknown parameter"
                            + (unknown.count == 1 ? " " : "s ") + unknown.map { "`\($0)`" }.joined(separator: ", ")
                            + "; known: " + TrainingParameters.keys.joined(separator: ", ") + "\n").utf8
                    )
                )
            }
            let table: CSVTable
            do {
                table = try CSVTable.parse(try read(dataPath, "the training data"))
            } catch let error as CSVError {
                throw Failure.input("\(dataPath): \(error)")
            }
            let started = ContinuousClock.now
            let trainingData: TrainingData
            do {
                trainingData = try TrainingData.parse(table, spec: modelSpec)
            } catch {
                throw Failure.input("\(dataPath): \(error)")
            }
            let outcome = try ClassifierTrainer.train(trainingData, spec: modelSpec, parameters: parameters)
            let elapsed = ContinuousClock.now - started
            try write(outcome: outcome, table: table, spec: modelSpec, to: outputPath)
            let m = outcome.metrics
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "mlops-train: \(outcome.model.isBinary ? "logistic" : "softmax") regression on \(outcome.split.train.count) rows, "
                    + "\(outcome.model.fit.iterations) iterations\(outcome.model.fit.converged ? "" : " (not converged)"), "
                    + String(format: "%.3f s", seconds) + "; validation (\(m.rows) rows): "
                    + String(format: "accuracy %.4f, log_loss %.4f", m.accuracy, m.logLoss)
                    + (m.rocAUC.map { String(format: ", roc_auc %.4f", $0) } ?? "")
            )
            print(
                "mlops-train: wrote model.json, metrics.json, reference.csv (\(outcome.split.reference.count) rows), schema.json to \(outputPath)"
            )
            if !outcome.model.fit.converged {
                FileHandle.standardError.write(
                    Data(
                        ("mlops-train: warning: not converged after \(outcome.model.fit.iterations) "
                            + "iterations (gradient \(outcome.model.fit.gradientNorm) > tolerance \(parameters.tolerance)); "
                            + "raise max_iterations or l2\n").utf8
                    )
                )
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as TrainingError {
            throw .input("\(error)")
        } catch {
            throw .input("\(error)")
        }
    }

    /// The text of `path`, or a bad-input failure naming `what`.
    func read(_ path: String, _ what: String) throws(Failure) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .input("\(what) \(path) is a directory; name the file")
        }
        do {
            // Through a FileHandle, so a pipe (`--spec <(…)`, /dev/stdin) reads too.
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let bytes = try handle.readToEnd() ?? Data()
            guard let text = String(data: bytes, encoding: .utf8) else {
                throw Failure.input("\(what) \(path) is not UTF-8 text")
            }
            return text
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .input("cannot read \(what) \(path): \(Self.reason(error))")
        }
    }

    /// Writes the four files, each atomically (a reader never sees half a file).
    func write(
        outcome: ClassifierTrainer.Outcome,
        table: CSVTable,
        spec: ModelSpec,
        to directory: String
    ) throws(Failure) {
        let encoder = JSONEncoder.mlopsModelFile
        let base = URL(fileURLWithPath: directory)
        try makeDirectories(directory)
        do {
            let files: [(String, Data)] = [
                ("model.json", try outcome.model.encoded()),
                ("metrics.json", try encoder.encode(outcome.metricsJSON)),
                (
                    "reference.csv",
                    Data(TrainerArtifacts.referenceCSV(table: table, spec: spec, rows: outcome.split.reference).utf8)
                ),
                ("schema.json", try encoder.encode(TrainerArtifacts.schema(spec))),
            ]
            for (name, data) in files {
                try data.write(to: base.appendingPathComponent(name), options: .atomic)
            }
        } catch {
            throw .output("cannot write to \(directory): \(Self.reason(error))")
        }
    }

    /// `mkdir -p`, with the system's reason when a component cannot be made.
    func makeDirectories(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .output(
                    "cannot create the output directory \(path): \(prefix): \(String(cString: strerror(errno)))"
                )
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .output("cannot create the output directory \(path): \(String(cString: strerror(ENOTDIR)))")
        }
    }

    /// The operating system's reason inside a Foundation error, when there is one.
    static func reason(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
            case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
            case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
            default: break
            }
        }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

MLOpsTrain.main()
