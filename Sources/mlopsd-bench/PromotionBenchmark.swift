import Foundation
import Glibc
import MLOpsCore

/// The registry's speed on the real release `mlopsd`: promotions per second (alternating
/// between two versions, queued back to back) and, one at a time on an idle daemon, the
/// time from dropping a `promote-version` job to the switched serving symlink and to the
/// result. The reference is the raw filesystem doing what a switch does at its core
/// (symlink under a temporary name, rename over `current`, fsync the directory), measured
/// in the same run.
struct PromotionBenchmark {
    struct Figures: Sendable, Codable {
        var promotions: Int
        var promotionsPerSecond: Double
        /// Raw symlink+rename+fsync(dir) switches per second in the same directory tree.
        var rawSwitchesPerSecond: Double
        var ratio: Double
        /// Drop → `readlink current` names the new artifact, in milliseconds.
        var dropToSymlinkMilliseconds: Percentiles
        /// Drop → final result file, in milliseconds.
        var dropToResultMilliseconds: Percentiles
    }

    let executable: String
    let root: String

    func run(promotions: Int, oneAtATime: Int) throws(BenchError) -> Figures {
        let layout = DaemonProcess.Layout(root: root + "/registry")
        try FileSystem.makeDirectory(layout.root)
        try layout.prepare()
        let rawRate = try rawSwitches(count: max(200, promotions), directory: layout.root + "/rawlinks")
        let daemon = try DaemonProcess(executable: executable, layout: layout)
        defer { daemon.kill() }
        try daemon.waitUntilReady(timeout: 60)
        let watcher = try ResultWatcher(directory: layout.results)
        let dropper = JobDropper(layout: layout)

        // A model with two versions, the first in production.
        try submit("setup-reg", JobDropper.registerModel("bench"), dropper: dropper, watcher: watcher)
        for (i, weights) in ["w1", "w2"].enumerated() {
            let dir = layout.data + "/artifact-\(i)"
            try FileSystem.makeDirectory(dir)
            try FileSystem.writeFile(dir + "/model.bin", Array(String(repeating: weights, count: 4096).utf8))
            try FileSystem.writeFile(dir + "/metrics.json", Array(#"{"accuracy": 0.9}"#.utf8))
            var csv = "age,scanner_kv,scanner_model,age_band\n"
            for r in 0..<1000 { csv += "\(20 + r % 60),\(80 + r % 50),S\(r % 4),b\(r % 5)\n" }
            try FileSystem.writeFile(dir + "/reference.csv", Array(csv.utf8))
            try submit(
                "setup-cv\(i)",
                Array("kind: create-version\nmodel: bench\nparams:\n  artifact: \(dir)\n".utf8),
                dropper: dropper,
                watcher: watcher
            )
        }
        try submit("setup-p0", promote("1.0.0"), dropper: dropper, watcher: watcher)
        let link = layout.state + "/serving/bench/current"

        // One at a time: drop → symlink, drop → result.
        var toLink: [Double] = []
        var toResult: [Double] = []
        var current = readLink(link)
        for i in 0..<oneAtATime {
            let version = i % 2 == 0 ? "1.1.0" : "1.0.0"
            let name = "one-\(i)"
            let start = MonotonicClock.now()
            try dropper.drop(name, promote(version))
            var switched: UInt64?
            let deadline = start + 30_000_000_000
            while switched == nil {
                let now = MonotonicClock.now()
                if readLink(link) != current { switched = now }
                if now > deadline { throw .timeout("the serving link did not switch for \(name)\(daemon.logTail())") }
            }
            try watcher.wait(timeout: 30, stall: 30, "the result of \(name)") {
                watcher.arrival(of: name + ".json") != nil
            }
            current = readLink(link)
            if let switched { toLink.append(Double(switched - start) / 1e6) }
            if let arrived = watcher.arrival(of: name + ".json") { toResult.append(Double(arrived - start) / 1e6) }
            _ = try layout.succeededResult(name)
            usleep(2_000)
        }

        // Throughput: promotions queued back to back, alternating versions.
        let names = JobDropper.names(prefix: "promote", count: promotions)
        let first = oneAtATime % 2 == 0 ? "1.1.0" : "1.0.0"
        let second = first == "1.1.0" ? "1.0.0" : "1.1.0"
        let before = watcher.count
        let start = MonotonicClock.now()
        for (i, name) in names.enumerated() {
            try dropper.drop(name, promote(i % 2 == 0 ? first : second))
        }
        try watcher.wait(timeout: max(120, Double(promotions) / 5), stall: 60, "\(promotions) promotion results") {
            watcher.count >= before + promotions
        }
        let seconds = MonotonicClock.seconds(from: start, to: watcher.lastArrival)
        for name in names { _ = try layout.succeededResult(name) }
        try daemon.stop(timeout: 60)
        let rate = Double(promotions) / max(seconds, 1e-9)
        return Figures(
            promotions: promotions,
            promotionsPerSecond: rate,
            rawSwitchesPerSecond: rawRate,
            ratio: rate / max(rawRate, 1e-9),
            dropToSymlinkMilliseconds: Percentiles(toLink),
            dropToResultMilliseconds: Percentiles(toResult)
        )
    }

    private func promote(_ version: String) -> [UInt8] {
        Array("kind: promote-version\nmodel: bench\nreason: benchmark\nparams:\n  version: \(version)\n".utf8)
    }

    private func submit(
        _ name: String,
        _ bytes: [UInt8],
        dropper: JobDropper,
        watcher: ResultWatcher
    ) throws(BenchError) {
        try dropper.drop(name, bytes)
        try watcher.wait(timeout: 60, stall: 60, "the result of \(name)") { watcher.arrival(of: name + ".json") != nil }
        _ = try DaemonProcess.Layout(root: root + "/registry").succeededResult(name)
    }

    private func readLink(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return "" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Raw switches per second: symlink to a temp name, rename over `current`, fsync(dir).
    private func rawSwitches(count: Int, directory: String) throws(BenchError) -> Double {
        try FileSystem.makeDirectory(directory)
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY)
        guard dirFD >= 0 else { throw .system("open \(directory): \(String(cString: strerror(errno)))") }
        defer { close(dirFD) }
        let start = MonotonicClock.now()
        for i in 0..<count {
            let temp = directory + "/.current.tmp"
            guard symlink(i % 2 == 0 ? "/a" : "/b", temp) == 0, rename(temp, directory + "/current") == 0,
                fsync(dirFD) == 0
            else {
                throw .system("raw switch: \(String(cString: strerror(errno)))")
            }
        }
        return Double(count) / max(MonotonicClock.seconds(from: start, to: MonotonicClock.now()), 1e-9)
    }
}
