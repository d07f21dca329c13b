import Foundation
import Glibc
import Testing

@testable import MLOpsCore

/// The batch script is the only shell text mlopsd writes: these run it under the real
/// `/bin/sh` and check that hostile values arrive byte for byte and run nothing.
@Suite struct SlurmBatchJobTests {
    static let hostile = [
        #"it's "quoted" and 'single'"#, "$(touch /tmp/mlopsd-slurm-pwned)", "`touch /tmp/mlopsd-slurm-pwned`",
        "line one\nline two\n", "; rm -rf / #", "${HOME}", "\\'\\\"", "*", "", " leading and trailing ", "'", "''",
        "\t-\t",
    ]

    /// Runs `job.script` with `sh`; returns its stdout.
    func runScript(_ job: SlurmBatchJob, in dir: String) throws -> String {
        let script = dir + "/job.sh"
        try job.script.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "slurm-script-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func hostileArgumentsReachTheProgramUnchangedAndRunNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        unlink("/tmp/mlopsd-slurm-pwned")
        let job = SlurmBatchJob(
            argv: ["/usr/bin/printf", "%s\\000"] + Self.hostile,
            workingDirectory: dir,
            environment: [:],
            name: "mlopsd-r-train",
            settings: SlurmSettings(),
            timeout: 60
        )
        let out = try runScript(job, in: dir)
        #expect(
            out.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == Self.hostile
        )
        #expect(access("/tmp/mlopsd-slurm-pwned", F_OK) != 0, "a value ran as a command")
    }

    @Test func theEnvironmentIsExactlyTheOneGivenWithHostileValuesIntact() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var environment: [String: String] = ["PATH": "/usr/bin:/bin"]
        for (i, value) in Self.hostile.enumerated() { environment["MLOPSD_TEST_\(i)"] = value }
        let job = SlurmBatchJob(
            argv: ["/usr/bin/env", "-0"],
            workingDirectory: dir,
            environment: environment,
            name: "mlopsd-r-train",
            settings: SlurmSettings(),
            timeout: 60
        )
        let out = try runScript(job, in: dir)
        var seen: [String: String] = [:]
        for entry in out.split(separator: "\0") {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            seen[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        for (i, value) in Self.hostile.enumerated() { #expect(seen["MLOPSD_TEST_\(i)"] == value, "variable \(i)") }
        #expect(seen["PATH"] == "/usr/bin:/bin")
    }

    @Test func theScriptStartsInTheStageDirectoryAndExecsSoTheExitCodeIsTheCommands() throws {
        let dir = try scratch() + "/a dir with 'quotes' and $(x)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let job = SlurmBatchJob(
            argv: ["/bin/pwd"],
            workingDirectory: dir,
            environment: [:],
            name: "n",
            settings: SlurmSettings(),
            timeout: 1
        )
        #expect(try runScript(job, in: dir).trimmingCharacters(in: .newlines) == dir)
        #expect(job.script.hasSuffix("exec '/bin/pwd'\n"))
    }

    @Test func sbatchGetsOneArgumentPerSettingAndTheDaemonsOwnOptions() {
        let settings = SlurmSettings(
            partition: "gpu",
            timeLimitMinutes: 90,
            cpus: 8,
            memory: "32G",
            gres: "gpu:a100:2",
            account: "radiology",
            qos: "high",
            extraOptions: ["--exclusive", "--constraint=avx2"]
        )
        let job = SlurmBatchJob(
            argv: ["/opt/train"],
            workingDirectory: "/var/lib/mlopsd/runs/r1/train",
            environment: [:],
            name: SlurmBatchJob.name(run: "r1", stage: .train),
            settings: settings,
            timeout: 60
        )
        #expect(
            job.sbatchArguments(scriptPath: "/s.sh") == [
                "--parsable", "--job-name=mlopsd-r1-train", "--output=/var/lib/mlopsd/runs/r1/train/stdout.log",
                "--error=/var/lib/mlopsd/runs/r1/train/stderr.log", "--chdir=/var/lib/mlopsd/runs/r1/train",
                "--export=NONE",
                "--open-mode=truncate", "--partition=gpu", "--time=90", "--cpus-per-task=8", "--mem=32G",
                "--gres=gpu:a100:2",
                "--account=radiology", "--qos=high", "--exclusive", "--constraint=avx2", "/s.sh",
            ]
        )
    }

    @Test func theTimeLimitDefaultsToTheStageTimeoutRoundedUpToMinutes() {
        #expect(SlurmSettings().arguments(timeout: 3600) == ["--time=60"])
        #expect(SlurmSettings().arguments(timeout: 61) == ["--time=2"])
        #expect(SlurmSettings().arguments(timeout: 1) == ["--time=1"])
        #expect(SlurmSettings(timeLimitMinutes: 5).arguments(timeout: 3600) == ["--time=5"])
    }

    @Test func mlopsdsOwnDeadlineIsTheTimeLimitOrTimeoutPlusTheGraceFromTheJobsStart() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let byTimeout = SlurmBatchJob(
            argv: ["/bin/true"],
            workingDirectory: "/d",
            environment: [:],
            name: "n",
            settings: SlurmSettings(),
            timeout: 90
        )
        #expect(byTimeout.runBudget == 90, "the stage's timeout, not the --time it rounds up to")
        #expect(byTimeout.runDeadline(startedAt: start, grace: 300) == start.addingTimeInterval(390))
        let byLimit = SlurmBatchJob(
            argv: ["/bin/true"],
            workingDirectory: "/d",
            environment: [:],
            name: "n",
            settings: SlurmSettings(timeLimitMinutes: 5),
            timeout: 90
        )
        #expect(byLimit.runBudget == 300, "slurm.time_limit wins over the timeout")
        #expect(byLimit.runDeadline(startedAt: start, grace: 0) == start.addingTimeInterval(300))
    }

    @Test func sbatchParsableOutputGivesTheJobID() {
        #expect(SlurmBatchJob.parseJobID("42\n") == "42")
        #expect(SlurmBatchJob.parseJobID("sbatch: warning: x\n1234;cluster\n") == "1234")
        #expect(SlurmBatchJob.parseJobID("Submitted batch job 5\n") == nil)
        #expect(SlurmBatchJob.parseJobID("") == nil)
    }

    @Test func extraOptionsThatTheDaemonSetsOrThatSmuggleAnArgumentAreRefused() {
        #expect(SlurmSettings.problem(withOption: "--exclusive") == nil)
        #expect(SlurmSettings.problem(withOption: "--constraint=avx2&gpu") == nil)
        for bad in [
            "--output=/etc/passwd", "--export=ALL", "--wrap=id", "--uid=0", "-o", "-J x", "--x y", "--chdir=/",
            "--time=9",
            "exclusive", "--exclusive\n--wrap=id", "--", "--Bad",
        ] {
            #expect(SlurmSettings.problem(withOption: bad) != nil, "\(bad) accepted")
        }
    }
}
