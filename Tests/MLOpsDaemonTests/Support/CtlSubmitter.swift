import Foundation
import Glibc
import MLOpsDaemon
import Synchronization

/// One submitter of the load test: on its own thread it runs the real
/// `mlopsctl submit --spool <spool> <file>` once per job, back to back, as fast as
/// `mlopsctl` allows — write the job file, posix_spawn, a blocking `waitpid`, check the exit
/// status and the printed id, next job. Several run at once.
final class CtlSubmitter: Sendable {
    /// How the submitter's run went.
    struct Outcome: Sendable {
        /// Jobs `mlopsctl` accepted (exit 0, printed the job's id).
        var submitted = 0
        /// Seconds each `mlopsctl submit` took, spawn to exit.
        var ctlSeconds: [Double] = []
        /// Seconds from the first spawn to the last exit.
        var elapsed = 0.0
        /// The first failure, which stopped this submitter.
        var failure: String?
    }

    let index: Int
    let ctl: String
    let spool: String
    let directory: String
    let jobs: [LoadJobMix.Job]
    private let outcome = Mutex(Outcome())
    private let finished = DispatchSemaphore(value: 0)

    /// A submitter for `jobs`, working in `directory` (its job file and mlopsctl's output).
    init(index: Int, ctl: String, spool: String, directory: String, jobs: [LoadJobMix.Job]) throws {
        self.index = index
        self.ctl = ctl
        self.spool = spool
        self.directory = directory
        self.jobs = jobs
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts submitting on a new thread once `go` is signalled (so all submitters start
    /// together).
    func start(after go: DispatchSemaphore) {
        let thread = Thread { [self] in
            go.wait()
            self.run()
            self.finished.signal()
        }
        thread.name = "load-submitter-\(index)"
        thread.start()
    }

    /// Waits for the submitter to finish, at most `timeout` seconds; nil on timeout.
    func wait(timeout: Double) -> Outcome? {
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        return outcome.withLock { $0 }
    }

    private func run() {
        let environment = Ctl.baseEnvironment.map { "\($0.key)=\($0.value)" }
        let file = directory + "/job.yaml"
        let out = directory + "/ctl.out"
        let err = directory + "/ctl.err"
        var times: [Double] = []
        times.reserveCapacity(jobs.count)
        let started = DispatchTime.now().uptimeNanoseconds
        var failure: String?
        var submitted = 0
        for job in jobs {
            do {
                try writeFile(file, Data(job.text.utf8))
                let t0 = DispatchTime.now().uptimeNanoseconds
                let pid = try ProcessLauncher.spawn(
                    ctl,
                    arguments: ["submit", "--spool", spool, file],
                    environment: environment,
                    stdout: out,
                    stderr: err
                )
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 {
                    guard errno == EINTR else { throw TestFailure("waitpid: \(String(cString: strerror(errno)))") }
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                let status = WaitStatus(raw: raw)
                let printed = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(
                    in: .whitespacesAndNewlines
                )
                guard status.exitCode == 0, printed == job.id else {
                    let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
                    throw TestFailure(
                        "mlopsctl submit of \(job.id): \(status), printed `\(printed)`, stderr: \(stderr)"
                    )
                }
                submitted += 1
            } catch {
                failure = "submitter \(index), job \(submitted + 1) of \(jobs.count): \(error)"
                break
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        outcome.withLock {
            $0 = Outcome(submitted: submitted, ctlSeconds: times, elapsed: elapsed, failure: failure)
        }
    }
}
