import Foundation
import Testing

/// Runs `scripts/nannyml_reference.py` in the NannyML 0.13.1 environment that
/// `scripts/nannyml-venv.sh` makes (`$MLOPSD_NANNYML_VENV`, default
/// `~/.cache/mlopsd/nannyml-venv`), to get NannyML's answer on the files a test wrote.
///
/// Tests that need it are skipped with a message when the environment is missing, unless
/// `MLOPSD_REQUIRE_NANNYML=1`: then they run and fail, saying how to make it.
enum NannyMLReference {
    static let environment = ProcessInfo.processInfo.environment

    /// The environment's directory.
    static let venv =
        environment["MLOPSD_NANNYML_VENV"]
        ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/mlopsd/nannyml-venv"

    static let python = venv + "/bin/python"

    static let script = ScipyReference.repositoryRoot.appendingPathComponent("scripts/nannyml_reference.py").path

    /// Whether a missing environment fails the tests instead of skipping them.
    static let required = environment["MLOPSD_REQUIRE_NANNYML"] == "1"

    /// True when the environment imports nannyml (checked once).
    static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python),
            let (status, _) = try? run(["-c", "import nannyml"])
        else { return false }
        return status == 0
    }()

    /// Run the comparison tests: the environment is there, or it is required (and they fail).
    static let shouldRun = isAvailable || required

    /// The skip message.
    static let skipMessage: Comment =
        "needs NannyML 0.13.1 in \(venv): run scripts/nannyml-venv.sh (MLOPSD_NANNYML_VENV sets the directory)"

    /// Sends `cases` to the script's operation `op` and decodes one result per case.
    static func compute<Case: Encodable, Result: Decodable>(
        _ op: String,
        _ cases: [Case],
        as: Result.Type = Result.self
    ) throws -> [Result] {
        guard isAvailable else {
            throw ScipyReference.ReferenceFailure(
                message: "MLOPSD_REQUIRE_NANNYML=1 but \(python) cannot import nannyml: run scripts/nannyml-venv.sh"
            )
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlops-nannyml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let requestPath = directory.appendingPathComponent("request.json")
        let responsePath = directory.appendingPathComponent("response.json")
        try JSONEncoder().encode(ScipyReference.Request(op: op, cases: cases)).write(to: requestPath)
        let (status, errors) = try run([script, requestPath.path, responsePath.path])
        guard status == 0 else {
            throw ScipyReference.ReferenceFailure(message: "nannyml_reference.py \(op) exited \(status): \(errors)")
        }
        let response = try JSONDecoder().decode(
            ScipyReference.Response<Result>.self,
            from: Data(contentsOf: responsePath)
        )
        guard response.results.count == cases.count else {
            throw ScipyReference.ReferenceFailure(
                message: "\(op): \(response.results.count) results for \(cases.count) cases"
            )
        }
        return response.results
    }

    /// Runs the environment's python; returns its exit status and standard error.
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlops-nannyml-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw ScipyReference.ReferenceFailure(message: "cannot create \(errorFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(errors.suffix(3000)))
    }
}

/// The parent of the estimation suites: `swift test --filter EstimationTests` runs them all.
@Suite enum EstimationTests {}
