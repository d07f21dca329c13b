// mlopsd-bench: the daemon's throughput and latency beside the raw filesystem's rate,
// measured in the same run on the same filesystem. See docs/benchmarks.md.
//
// All work is synchronous on the main thread; only the inotify watcher runs on its own
// Dispatch queue, with handlers created in library-style code (BenchRun), never here.
import Foundation
import Glibc
import MLOpsCore

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    if case .help = error {
        print(Options.usage)
        exit(0)
    }
    FileHandle.standardError.write(Data("mlopsd-bench: \(error)\n".utf8))
    exit(64)
}

if let repetitions = options.checkOnly {
    let (total, decode, analyse) = DriftBenchmark.daemonCheck(repetitions: repetitions)
    print(DriftBenchmark.checkLine(total: total, decode: decode, analyse: analyse))
    let (signals, estimate, reconstruction) = DriftBenchmark.daemonCheckWithSignals(repetitions: repetitions)
    print(DriftBenchmark.signalsLine(analyse: signals, estimate: estimate, reconstruction: reconstruction))
    let parsing = DriftBenchmark.probabilityParsing(repetitions: repetitions)
    print(
        Report.pad("  multiclass probabilities, 10,000 rows", 40) + Report.pad("\(Report.ms(parsing.p50)) ms", 18)
            + "p50 of \(parsing.count) (JSON text to per-class columns)"
    )
    exit(0)
}

if let repetitions = options.csvOnly {
    print(WideCSVBenchmark.table(WideCSVBenchmark.run(repetitions: repetitions)), terminator: "")
    exit(0)
}

if let windows = options.estimateOnly {
    do {
        let directory = try FileSystem.makeTemporaryDirectory(in: options.baseDirectory, prefix: "mlopsd-estimate")
        defer { if !options.keep { try? FileManager.default.removeItem(atPath: directory) } }
        let me =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let ctl = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("mlopsctl").path
        let python = options.nannymlVenv + "/bin/python"
        let figures = try EstimationBenchmark.run(
            windows: windows,
            directory: directory,
            ctl: access(ctl, X_OK) == 0 ? ctl : nil,
            nannymlPython: access(python, X_OK) == 0 ? python : nil,
            script: BenchRun.script("scripts/nannyml_reference.py"),
            progress: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        )
        print(EstimationBenchmark.lines(figures).joined(separator: "\n"))
        if let path = options.jsonPath {
            let data = try JSONEncoder.mlopsPretty.encode(figures)
            try data.write(to: URL(fileURLWithPath: path))
        }
    } catch {
        FileHandle.standardError.write(Data("mlopsd-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

do {
    let report = try BenchRun(options: options).run()
    print(report.table)
    if let path = options.jsonPath {
        try report.writeJSON(to: path)
        print("figures written to \(path)")
    }
} catch {
    FileHandle.standardError.write(Data("mlopsd-bench: \(error)\n".utf8))
    exit(1)
}
