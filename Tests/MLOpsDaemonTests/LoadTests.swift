import Foundation
import GRDB
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The load test (docs/reliability.md (Load)): four submitters run the real
/// `mlopsctl submit` back to back against the real `mlopsd`, with a mixed stream of cheap
/// but real jobs, while the daemon's memory, descriptors and queue are sampled every
/// 250 ms. Every job must get exactly one final result with the expected status, memory
/// and descriptors must stay flat, and the daemon must still answer at the end.
///
/// Short form: `swift test --filter LoadTests` (`MLOPSD_LOAD_JOBS`, default 600). Long
/// form: `make load` (100,000 jobs; `LOAD_JOBS=N`), which runs the release `mlopsd` and
/// `mlopsctl` (`MLOPSD_LOAD_BIN=.build/release`). `MLOPSD_LOAD_RSS_MARGIN_MIB` sets the
/// memory margin (default 8), `MLOPSD_LOAD_REPORT=path` also writes the figures as JSON.
@Suite(.serialized) struct LoadTests {
    static let submitters = 4

    /// The value at quantile `q` of sorted `values` (nearest rank).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// Runs `mlopsctl` from `bin` to completion; the exit code and standard output.
    static func ctl(
        _ bin: String,
        _ arguments: [String],
        in directory: String,
        timeout: Double = 120
    ) throws -> (Int32?, String) {
        let out = directory + "/ctl-final.out"
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(
                bin + "/mlopsctl",
                arguments: arguments,
                environment: Ctl.baseEnvironment.map { "\($0.key)=\($0.value)" },
                stdout: out
            )
        } catch {
            throw TestFailure("\(error)")
        }
        var raw: Int32 = 0
        try waitUntil(timeout: timeout, "mlopsctl \(arguments.joined(separator: " ")) to exit") {
            waitpid(pid, &raw, WNOHANG) == pid
        }
        return (WaitStatus(raw: raw).exitCode, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    @Test func fourSubmittersEveryJobCompletesOnceWithFlatMemoryAndDescriptors() throws {
        let env = ProcessInfo.processInfo.environment
        let total = env["MLOPSD_LOAD_JOBS"].flatMap(Int.init) ?? 600
        let bin =
            env["MLOPSD_LOAD_BIN"].map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            ?? DaemonHarness.binDirectory
        let marginMiB = env["MLOPSD_LOAD_RSS_MARGIN_MIB"].flatMap(Double.init) ?? 8
        let fdSlack = 3
        let wallStart = Date()

        // The daemon, with a registered model whose version 1.0.0 is in production.
        let h = try DaemonHarness(name: "load")
        h.executableDirectory = bin
        let data = h.root + "/data"
        let fm = FileManager.default
        try fm.createDirectory(atPath: data + "/artifact", withIntermediateDirectories: true)
        let repo = PipelineDaemonTests.repository
        let demo = try String(contentsOfFile: repo + "/examples/demo-data/chest-xray-train.csv", encoding: .utf8)
        let reference =
            demo.split(separator: "\n", omittingEmptySubsequences: true).prefix(201).joined(separator: "\n") + "\n"
        try writeFile(data + "/artifact/model.bin", Data("load-test weights".utf8))
        try writeFile(data + "/artifact/metrics.json", Data(#"{"roc_auc": 0.9}"#.utf8))
        try writeFile(data + "/artifact/reference.csv", Data(reference.utf8))
        let example = try String(contentsOfFile: repo + "/examples/register-chest-xray.yaml", encoding: .utf8)
        try h.start()
        guard let pid = h.process?.pid else { throw TestFailure("no daemon process") }

        let work = h.root + "/work"
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        var setupIDs: [String] = []
        func setupJob(_ id: String, _ text: String) throws {
            let file = work + "/\(id).yaml"
            try writeFile(file, Data(text.utf8))
            let (code, out) = try Self.ctl(
                bin,
                ["submit", "--spool", h.spool, "--wait", "--timeout", "60", file],
                in: work
            )
            guard code == 0 else { throw TestFailure("setup job \(id): exit \(code.map(String.init) ?? "?"): \(out)") }
            setupIDs.append(id)
        }
        try setupJob(
            "setup-register",
            example.replacingOccurrences(of: "id: register-chest-xray", with: "id: setup-register")
        )
        try setupJob(
            "setup-version",
            "kind: create-version\nmodel: \(LoadJobMix.model)\nid: setup-version\nparams:\n  artifact: \(data)/artifact\n"
        )
        try setupJob(
            "setup-promote",
            "kind: promote-version\nmodel: \(LoadJobMix.model)\nid: setup-promote\nparams: {version: 1.0.0}\n"
        )

        // The jobs, generated before the clock starts.
        let registerTemplate =
            example
            .replacingOccurrences(of: "model: chest-xray", with: "model: __MODEL__")
            .replacingOccurrences(of: "id: register-chest-xray", with: "id: __ID__")
        var streams: [[LoadJobMix.Job]] = []
        for s in 0..<Self.submitters {
            var mix = LoadJobMix(submitter: s, artifact: data + "/artifact", registerTemplate: registerTemplate)
            let count = total / Self.submitters + (s < total % Self.submitters ? 1 : 0)
            streams.append((0..<count).map { _ in mix.next() })
        }
        let jobs = streams.flatMap { $0 }

        // Baseline: the daemon idle after the setup jobs.
        let setupFinished = setupIDs.count
        try waitUntil(timeout: 30, every: 0.05, "the daemon to report the setup jobs in status.json") {
            DaemonSampler.finishedJobs(spool: h.spool) == setupFinished
        }
        guard let baseline = DaemonSampler.sample(pid: pid, spool: h.spool) else {
            throw TestFailure("cannot sample the daemon")
        }

        // Load: four submitters at once, sampled every 250 ms.
        let subs = try streams.enumerated().map { s, stream in
            try CtlSubmitter(
                index: s,
                ctl: bin + "/mlopsctl",
                spool: h.spool,
                directory: work + "/submitter-\(s)",
                jobs: stream
            )
        }
        let sampler = DaemonSampler(pid: pid, spool: h.spool)
        let go = DispatchSemaphore(value: 0)
        for sub in subs { sub.start(after: go) }
        let loadStart = Date()
        for _ in subs { go.signal() }
        var outcomes: [CtlSubmitter.Outcome] = []
        for sub in subs {
            guard let outcome = sub.wait(timeout: max(600, Double(total) * 0.2)) else {
                _ = sampler.stop()
                throw TestFailure("submitter \(sub.index) did not finish")
            }
            outcomes.append(outcome)
        }
        let submitSeconds = Date().timeIntervalSince(loadStart)
        if let failure = outcomes.compactMap(\.failure).first {
            _ = sampler.stop()
            throw TestFailure("\(failure) (daemon stderr: \(h.process?.stderrText.suffix(1500) ?? ""))")
        }
        #expect(outcomes.reduce(0) { $0 + $1.submitted } == total)

        // Drain: every job finished (status.json counters) and nothing queued.
        do {
            try waitUntil(timeout: max(180, Double(total) * 0.05), every: 0.1, "the queue to drain") {
                DaemonSampler.finishedJobs(spool: h.spool) == setupFinished + total
                    && DaemonSampler.entryCount(h.spool + "/incoming", includeHidden: true) == 0
                    && DaemonSampler.entryCount(h.spool + "/active", includeHidden: true) == 0
            }
        } catch {
            _ = sampler.stop()
            throw TestFailure(
                "\(error): \(DaemonSampler.finishedJobs(spool: h.spool) ?? -1) of \(setupFinished + total) finished (daemon stderr: \(h.process?.stderrText.suffix(1500) ?? ""))"
            )
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        // Descriptors back to the baseline once idle.
        var idleFds = -1
        let fdsBack =
            (try? waitUntil(timeout: 30, every: 0.1, "descriptors back to baseline") {
                idleFds = DaemonSampler.sample(pid: pid, spool: h.spool)?.fds ?? -1
                return idleFds >= 0 && idleFds <= baseline.fds + fdSlack
            }) != nil
        let samples = sampler.stop()
        guard let endSample = DaemonSampler.sample(pid: pid, spool: h.spool) else {
            throw TestFailure("the daemon is gone after the load")
        }
        #expect(fdsBack, "open descriptors \(idleFds) after the load, baseline \(baseline.fds) (+\(fdSlack) allowed)")

        // Memory: the peak RSS over the last third of the jobs may exceed the peak over the
        // first third by at most the margin (see docs/reliability.md (Load) for why).
        let progress = samples.filter { $0.finished >= 0 }.map { (done: $0.finished - setupFinished, sample: $0) }
        let firstThird = progress.filter { $0.done <= total / 3 }.map(\.sample.rssKiB)
        let lastThird = progress.filter { $0.done >= (2 * total) / 3 }.map(\.sample.rssKiB)
        let peakFirst = firstThird.max() ?? 0
        let peakLast = lastThird.max() ?? 0
        let peak = samples.map(\.rssKiB).max() ?? 0
        #expect(!firstThird.isEmpty && !lastThird.isEmpty, "too few samples: \(samples.count)")
        let growthMiB = Double(peakLast - peakFirst) / 1024
        #expect(
            growthMiB <= marginMiB,
            "RSS grew: peak \(peakFirst) KiB over the first third of the jobs, \(peakLast) KiB over the last third (margin \(marginMiB) MiB)"
        )

        // Results: exactly one final document per job, with the expected status.
        let resultNames = Set(allNames(in: h.spool + "/results"))
        let hiddenResults = resultNames.filter { $0.hasPrefix(".") }
        #expect(hiddenResults.isEmpty, "temp files left in results/: \(hiddenResults.prefix(5))")
        var latencies: [Double] = []
        latencies.reserveCapacity(total)
        var problems: [String] = []
        var tally: [String: Int] = [:]
        for job in jobs {
            let name = job.id + ".json"
            guard resultNames.contains(name) else {
                problems.append("\(job.id): no result")
                continue
            }
            guard let raw = fm.contents(atPath: h.spool + "/results/" + name), let doc = try? ResultDocument.decode(raw)
            else {
                problems.append("\(job.id): result does not decode")
                continue
            }
            tally["\(job.label) \(doc.status.rawValue)\(doc.error.map { " " + $0.code } ?? "")", default: 0] += 1
            if doc.status != job.status || doc.error?.code != job.errorCode {
                problems.append(
                    "\(job.id) (\(job.label)): \(doc.status.rawValue) \(doc.error?.code ?? "") \(doc.error?.message ?? ""), expected \(job.status.rawValue) \(job.errorCode ?? "")"
                )
            }
            if let submitted = Timestamp.parse(doc.submittedAt), let finished = doc.finishedAt.flatMap(Timestamp.parse)
            {
                latencies.append(finished.timeIntervalSince(submitted))
            } else {
                problems.append("\(job.id): result without submitted_at/finished_at")
            }
        }
        let loadIDs = Set(jobs.map(\.id))
        let extra = resultNames.filter { !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }
            .filter { !loadIDs.contains($0) && !setupIDs.contains($0) }
        #expect(extra.isEmpty, "unexpected results (duplicates?): \(extra.prefix(10))")
        #expect(problems.isEmpty, "\(problems.count) jobs wrong, e.g. \(problems.prefix(10))")

        // The spool: nothing waiting or half-written; one job file per job in done/ or failed/.
        #expect(allNames(in: h.spool + "/incoming").isEmpty)
        #expect(allNames(in: h.spool + "/active").isEmpty)
        #expect(
            allNames(in: h.spool + "/tmp").isEmpty,
            "mlopsctl temp files left: \(allNames(in: h.spool + "/tmp").prefix(5))"
        )
        let done = Set(allNames(in: h.spool + "/done"))
        let failed = Set(allNames(in: h.spool + "/failed"))
        let misplaced = jobs.filter { !(($0.status == .succeeded ? done : failed).contains($0.id + ".yaml")) }
        #expect(
            misplaced.isEmpty,
            "\(misplaced.count) job files not where their status says, e.g. \(misplaced.prefix(5).map(\.id))"
        )
        #expect(
            done.count + failed.count == total + setupIDs.count,
            "done/ \(done.count) + failed/ \(failed.count) files for \(total + setupIDs.count) jobs"
        )

        // The store grew by exactly what the jobs did.
        let (storedJobs, predictions, models, versions) = try h.readStore { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM models") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions") ?? 0
            )
        }
        #expect(storedJobs == total + setupIDs.count)
        #expect(predictions == jobs.reduce(0) { $0 + $1.records })
        #expect(models == 1 + jobs.filter(\.registers).count)
        #expect(versions == 1 + jobs.filter(\.createsVersion).count)

        // Still alive, still answering.
        var status: Int32 = 0
        #expect(waitpid(pid, &status, WNOHANG) == 0, "the daemon exited")
        try writeFile(
            work + "/final.yaml",
            Data("kind: list-versions\nmodel: \(LoadJobMix.model)\nid: load-final\n".utf8)
        )
        let (finalCode, finalOut) = try Self.ctl(
            bin,
            ["submit", "--spool", h.spool, "--wait", "--timeout", "60", "--json", work + "/final.yaml"],
            in: work
        )
        #expect(finalCode == 0, "the daemon did not answer a job after the load: \(finalOut)")

        // Figures.
        let sortedLatency = latencies.sorted()
        let ctlTimes = outcomes.flatMap(\.ctlSeconds).sorted()
        let fdValues = samples.map(\.fds)
        let wall = Date().timeIntervalSince(wallStart)
        func ms(_ s: Double) -> String { String(format: "%.0f", s * 1000) }
        let rates = outcomes.map { String(format: "%.1f", Double($0.submitted) / $0.elapsed) }.joined(separator: ", ")
        print(
            String(
                format:
                    "load: %d jobs from %d mlopsctl submitters (%@), %.1f s to submit (%.1f jobs/s; per submitter %@ jobs/s), %.1f s to drain, %.1f jobs/s end to end, wall %.1f s",
                total,
                Self.submitters,
                bin,
                submitSeconds,
                Double(total) / submitSeconds,
                rates,
                loadSeconds,
                Double(total) / loadSeconds,
                wall
            )
        )
        print(
            "load: queue latency (submitted_at → finished_at) p50 \(ms(Self.quantile(sortedLatency, 0.5))) ms, p95 \(ms(Self.quantile(sortedLatency, 0.95))) ms, p99 \(ms(Self.quantile(sortedLatency, 0.99))) ms, max \(ms(sortedLatency.last ?? .nan)) ms; mlopsctl submit p50 \(ms(Self.quantile(ctlTimes, 0.5))) ms, p99 \(ms(Self.quantile(ctlTimes, 0.99))) ms; queue depth max \(samples.map(\.queued).max() ?? 0)"
        )
        print(
            "load: RSS baseline \(baseline.rssKiB) KiB, peak \(peak) KiB, peak first third \(peakFirst) KiB, peak last third \(peakLast) KiB (growth \(String(format: "%.1f", growthMiB)) MiB, margin \(marginMiB) MiB), end \(endSample.rssKiB) KiB; fds baseline \(baseline.fds), min \(fdValues.min() ?? 0), max \(fdValues.max() ?? 0), end \(idleFds); threads max \(samples.map(\.threads).max() ?? 0); \(samples.count) samples"
        )
        var timeline: [String] = []
        for tenth in 1...10 {
            if let s = progress.first(where: { $0.done >= total * tenth / 10 }) {
                timeline.append("\(tenth * 10)% \(s.sample.rssKiB / 1024) MiB/\(s.sample.fds) fds")
            }
        }
        print("load: RSS by progress: " + timeline.joined(separator: ", "))
        print(
            "load: outcomes: "
                + tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        )
        print(
            "load: store \(storedJobs) jobs, \(predictions) predictions, \(models) models, \(versions) versions; spool done/ \(done.count), failed/ \(failed.count), results/ \(resultNames.count)"
        )
        if let path = env["MLOPSD_LOAD_REPORT"] {
            let report: [String: Any] = [
                "jobs": total, "submitters": Self.submitters, "bin": bin,
                "submit_seconds": submitSeconds, "load_seconds": loadSeconds, "wall_seconds": wall,
                "jobs_per_second": Double(total) / loadSeconds,
                "submit_rate_per_submitter": outcomes.map { Double($0.submitted) / $0.elapsed },
                "latency_ms": [
                    "p50": Self.quantile(sortedLatency, 0.5) * 1000, "p95": Self.quantile(sortedLatency, 0.95) * 1000,
                    "p99": Self.quantile(sortedLatency, 0.99) * 1000, "max": (sortedLatency.last ?? 0) * 1000,
                ],
                "ctl_ms": ["p50": Self.quantile(ctlTimes, 0.5) * 1000, "p99": Self.quantile(ctlTimes, 0.99) * 1000],
                "rss_kib": [
                    "baseline": baseline.rssKiB, "peak": peak, "peak_first_third": peakFirst,
                    "peak_last_third": peakLast, "end": endSample.rssKiB,
                ],
                "fds": [
                    "baseline": baseline.fds, "min": fdValues.min() ?? 0, "max": fdValues.max() ?? 0, "end": idleFds,
                ],
                "samples": samples.map {
                    [
                        "t": $0.t, "rss_kib": $0.rssKiB, "fds": $0.fds, "threads": $0.threads, "queued": $0.queued,
                        "finished": $0.finished,
                    ]
                },
            ]
            let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            try json.write(to: URL(fileURLWithPath: path))
        }
        if problems.isEmpty && fdsBack && growthMiB <= marginMiB { h.cleanUp() }
    }
}
