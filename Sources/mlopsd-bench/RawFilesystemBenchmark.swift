import Glibc

/// The reference the daemon is compared with: what the filesystem itself manages for the
/// durable file protocol every job needs at least once.
///
/// One operation: create a file in `src/`, write 1 KiB, fsync it, close it, rename it into
/// `dst/`, fsync `dst/`. Run `count` times on the filesystem the spool lives on, timing each
/// operation. The same loop without either fsync is run too, for context.
struct RawFilesystemBenchmark {
    /// The raw samples of one pass (durable loop, then unsynced loop).
    struct Pass: Sendable {
        var durableSeconds: Double
        var durableOperationMs: [Double]
        var unsyncedSeconds: Double
    }

    /// What the passes measured together.
    struct Result: Sendable, Codable {
        /// Durable operations per pass.
        var countPerPass: Int
        /// Durable operations per second (create + write + fsync + rename + fsync(dir)) over
        /// all passes: the reference the daemon's rate is divided by.
        var durableFilesPerSecond: Double
        /// The durable rate of each pass (before and after the daemon runs): how much the
        /// disk itself varied during the benchmark.
        var durableFilesPerSecondByPass: [Double]
        /// Per-operation durations of the durable loops, in milliseconds.
        var durableOperationMs: Percentiles
        /// The same loop without fsync, operations per second over all passes.
        var unsyncedFilesPerSecond: Double

        /// Combines passes of `count` operations each.
        init(count: Int, passes: [Pass]) {
            countPerPass = count
            let total = Double(count * passes.count)
            durableFilesPerSecond = total / max(passes.reduce(0) { $0 + $1.durableSeconds }, 1e-9)
            durableFilesPerSecondByPass = passes.map { Double(count) / max($0.durableSeconds, 1e-9) }
            durableOperationMs = Percentiles(passes.flatMap(\.durableOperationMs))
            unsyncedFilesPerSecond = total / max(passes.reduce(0) { $0 + $1.unsyncedSeconds }, 1e-9)
        }
    }

    /// Directory the two loops work in (created and filled here; the caller removes it).
    let directory: String
    let count: Int
    let payload = [UInt8](repeating: 0x61, count: 1024)

    /// Runs the durable loop, then the unsynced one, in fresh subdirectories named `label-*`.
    func run(label: String) throws(BenchError) -> Pass {
        let (durableSeconds, perOperation) = try loop(name: "\(label)-durable", sync: true)
        let (unsyncedSeconds, _) = try loop(name: "\(label)-unsynced", sync: false)
        return Pass(durableSeconds: durableSeconds, durableOperationMs: perOperation, unsyncedSeconds: unsyncedSeconds)
    }

    /// One loop of `count` operations in fresh `name-src/` and `name-dst/` directories;
    /// returns the total seconds and each operation's milliseconds.
    private func loop(name: String, sync: Bool) throws(BenchError) -> (Double, [Double]) {
        let source = "\(directory)/\(name)-src"
        let target = "\(directory)/\(name)-dst"
        try FileSystem.makeDirectory(source)
        try FileSystem.makeDirectory(target)
        let sourceFD = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard sourceFD >= 0 else { throw .errno("open directory \(source)") }
        defer { close(sourceFD) }
        let targetFD = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard targetFD >= 0 else { throw .errno("open directory \(target)") }
        defer { close(targetFD) }

        var perOperation: [Double] = []
        perOperation.reserveCapacity(count)
        let start = MonotonicClock.now()
        for i in 0..<count {
            let file = "f\(i)"
            let t0 = MonotonicClock.now()
            let fd = openat(sourceFD, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .errno("create \(source)/\(file)") }
            let written = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == payload.count else {
                close(fd)
                throw .errno("write \(source)/\(file)")
            }
            if sync, fsync(fd) != 0 {
                close(fd)
                throw .errno("fsync \(source)/\(file)")
            }
            guard close(fd) == 0 else { throw .errno("close \(source)/\(file)") }
            guard renameat(sourceFD, file, targetFD, file) == 0 else { throw .errno("rename \(file) into \(target)") }
            if sync, fsync(targetFD) != 0 { throw .errno("fsync directory \(target)") }
            perOperation.append(Double(MonotonicClock.now() - t0) / 1e6)
        }
        let seconds = MonotonicClock.seconds(from: start, to: MonotonicClock.now())
        return (seconds, perOperation)
    }
}
