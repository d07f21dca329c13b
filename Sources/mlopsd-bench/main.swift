// mlopsd-bench: the daemon's throughput and latency beside the raw filesystem's rate,
// measured in the same run on the same filesystem. See docs/benchmarks.md.
//
// All work is synchronous on the main thread; only the inotify watcher runs on its own
// Dispatch queue, with handlers created in library-style code (BenchRun), never here.
import Foundation
import Glibc

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
    exit(0)
}

if let repetitions = options.csvOnly {
    print(WideCSVBenchmark.table(WideCSVBenchmark.run(repetitions: repetitions)), terminator: "")
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
