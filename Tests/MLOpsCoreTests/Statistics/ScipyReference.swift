import Foundation
import Testing

/// Runs `scripts/statistics_reference.py` with the first `python3` on PATH (through
/// `/usr/bin/env`, so pyenv and virtualenvs work), to compute scipy/numpy's answer on the
/// data a test generated. Tests that need it are enabled only when
/// `python3 -c "import scipy, numpy"` succeeds; otherwise they are skipped with a message.
enum ScipyReference {
    /// The repository root, found from this file's path (Tests/MLOpsCoreTests/Statistics/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let script = repositoryRoot.appendingPathComponent("scripts/statistics_reference.py").path

    /// True when python3 on PATH imports scipy and numpy (checked once).
    static let isAvailable: Bool = {
        guard let (status, _) = try? runPython(["-c", "import scipy, numpy"]) else { return false }
        return status == 0
    }()

    /// The skip message of tests that need scipy.
    static let skipMessage: Comment = "needs python3 with scipy and numpy on PATH (python3 -c 'import scipy' failed)"

    /// Sends `cases` to the script's operation `op` and decodes one result per case.
    static func compute<Case: Encodable, Result: Decodable>(
        _ op: String,
        _ cases: [Case],
        as: Result.Type = Result.self
    ) throws -> [Result] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlops-statistics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let requestPath = directory.appendingPathComponent("request.json")
        let responsePath = directory.appendingPathComponent("response.json")
        try JSONEncoder().encode(Request(op: op, cases: cases)).write(to: requestPath)
        let (status, errors) = try runPython([script, requestPath.path, responsePath.path])
        guard status == 0 else {
            throw ReferenceFailure(message: "statistics_reference.py \(op) exited \(status): \(errors)")
        }
        let response = try JSONDecoder().decode(Response<Result>.self, from: Data(contentsOf: responsePath))
        guard response.results.count == cases.count else {
            throw ReferenceFailure(message: "\(op): \(response.results.count) results for \(cases.count) cases")
        }
        return response.results
    }

    /// A directory for one test's data files; `remove()` deletes it.
    struct Scratch {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-statistics-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        /// Writes `values` as raw little-endian float64 (numpy.fromfile(path, '<f8')), the
        /// exact bits, compact even for 100,000 values; returns the path.
        func write(_ values: [Double]) throws -> String {
            let path = url.appendingPathComponent("\(UUID().uuidString).f64")
            let data = values.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) }
            try data.write(to: path)
            return path.path
        }

        func remove() {
            try? FileManager.default.removeItem(at: url)
        }
    }

    struct Request<Case: Encodable>: Encodable {
        var op: String
        var cases: [Case]
    }

    struct Response<Result: Decodable>: Decodable {
        var results: [Result]
    }

    struct ReferenceFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs python3 from PATH; returns its exit status and standard error.
    static func runPython(_ arguments: [String]) throws -> (Int32, String) {
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlops-statistics-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw ReferenceFailure(message: "cannot create \(errorFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(errors.suffix(2000)))
    }
}

/// Worst absolute and relative differences seen while comparing with the reference, for
/// the report each comparison test prints.
struct ErrorTally {
    var maxAbsolute = 0.0
    var maxRelative = 0.0
    var count = 0
    /// Relative errors count only where |reference| is at least this (by default the normal
    /// range: below 1e-300 both sides are subnormal and their last digits mean nothing).
    var relativeFloor = 1e-300

    /// Records |ours − reference|.
    mutating func record(_ ours: Double, _ reference: Double) {
        let absolute = abs(ours - reference)
        maxAbsolute = max(maxAbsolute, absolute)
        if abs(reference) >= relativeFloor { maxRelative = max(maxRelative, absolute / abs(reference)) }
        count += 1
    }

    func summary(_ label: String) -> String {
        let floor = relativeFloor > 1e-300 ? " (where the reference is ≥ \(relativeFloor))" : ""
        return "\(label): \(count) values, max abs error \(maxAbsolute), max rel error \(maxRelative)\(floor)"
    }
}

/// SplitMix64: a small seeded generator, so every run tests the same data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal variate (Box–Muller).
    mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// `count` normal values with the given mean and standard deviation, optionally rounded
    /// to a grid of `step` (which makes ties within and across samples).
    mutating func normals(_ count: Int, mean: Double = 0, sd: Double = 1, step: Double? = nil) -> [Double] {
        (0..<count).map { _ in
            let value = mean + sd * normal()
            guard let step else { return value }
            return (value / step).rounded() * step
        }
    }
}

/// The parent of the statistics suites: `swift test --filter StatisticsTests` runs them all.
@Suite enum StatisticsTests {}
