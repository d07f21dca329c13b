import Dispatch
import Foundation
import Glibc
import MLOpsCore

/// What `mlopsctl` does against a spool, as a library so tests can drive it directly.
///
/// Submission is atomic: the job is written to `tmp/.<id>.<pid>.tmp`, fsynced, and renamed
/// into `incoming/<id>.yaml` without replacing anything.
public struct SpoolClient: Sendable {
    /// Why a client operation failed; each reads as an instruction.
    public enum ClientError: Error, CustomStringConvertible, Equatable {
        case invalid([JobError], fileName: String)
        case idInUse(String)
        case waitingAlready(String)
        case timedOut(String, seconds: Double)
        case system(String)

        public var description: String {
            switch self {
            case .invalid(let errors, let fileName):
                return errors.map { JobErrorFormatter.line($0, file: fileName) }.joined(separator: "\n")
            case .idInUse(let id):
                return "job id `\(id)` was already used (results/\(id).json exists); give the job a new `id:`"
            case .waitingAlready(let id):
                return "a job file incoming/\(id).yaml is already waiting; give the job a new `id:`"
            case .timedOut(let id, let seconds):
                return "no final result for job \(id) after \(seconds) s (the job may still be queued or running)"
            case .system(let text):
                return text
            }
        }
    }

    /// The spool's root.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// One submitted job file: its id, and what tells its result from any other file's.
    public struct Submission: Sendable, Equatable {
        /// The job id.
        public var id: String
        /// The inode of the file renamed into `incoming/` (the daemon keeps it through
        /// `active/` and records it in the result as `file_inode`).
        public var fileInode: UInt64
        /// The inode of `results/<id>.json` when we submitted (a rejected earlier attempt
        /// under the same id): that document is not our result.
        public var staleResultInode: UInt64?
    }

    /// Validates `text` as the daemon will, then submits it. `fileName` is the name the
    /// text came from (its stem is the id when the job has no `id:`); stdin passes nil and
    /// gets a generated id. Returns the job id.
    @discardableResult
    public func submit(text: String, fileName: String?) throws(ClientError) -> String {
        try submission(text: text, fileName: fileName).id
    }

    /// ``submit(text:fileName:)``, returning what ``wait(for:timeout:)-(Submission,_)``
    /// needs to wait for this very file's result.
    public func submission(text: String, fileName: String?) throws(ClientError) -> Submission {
        let name = fileName.map { ($0 as NSString).lastPathComponent } ?? "job-\(Self.generatedSuffix()).yaml"
        let validation = JobValidator.validate(text: text, fileName: name)
        let id: String
        switch validation {
        case .valid(let job): id = job.id
        case .rejected(_, _, _, let failure): throw .invalid(failure.errors, fileName: fileName ?? "<stdin>")
        }
        var staleInode: UInt64?
        if let (document, inode) = readResultWithInode("\(id).json") {
            // Only a rejected submission leaves an id free for another try.
            guard document.status == .rejected else { throw .idInUse(id) }
            staleInode = inode
        }
        let target = "\(id).yaml"
        let temp = ".\(id).\(getpid()).tmp"
        do {
            let tmp = try DirectoryHandle(path: "\(root)/tmp")
            let incoming = try DirectoryHandle(path: "\(root)/incoming")
            // 0644: the daemon runs as its own user and must be able to read the file.
            try tmp.writeAtomically(temp, data: Data(text.utf8), mode: 0o644, syncDirectory: false)
            guard let written = try tmp.status(of: temp) else {
                throw ClientError.system("cannot submit: \(temp) vanished")
            }
            do {
                try tmp.rename(temp, to: incoming, as: target, replace: false)
            } catch {
                try? tmp.remove(temp)
                if error.errno == EEXIST { throw ClientError.waitingAlready(id) }
                throw ClientError.system("cannot submit: \(error)")
            }
            return Submission(id: id, fileInode: UInt64(written.st_ino), staleResultInode: staleInode)
        } catch let error as ClientError {
            throw error
        } catch {
            throw .system("cannot submit to \(root): \(error)")
        }
    }

    /// The final result of `id`, waiting up to `timeout` seconds (nil: forever) for it.
    /// Watches `results/` with inotify; never polls in a loop.
    public func wait(for id: String, timeout: Double?) throws(ClientError) -> ResultDocument {
        try waitForResult(id: id, timeout: timeout) { name in
            guard name == "\(id).json", let (document, _) = readResultWithInode(name) else { return nil }
            return document
        }
    }

    /// The final result of this submission: `results/<id>.json` when it answers our file
    /// (not a stale rejection, not another file's job with the same id), or
    /// `results/<id>+<inode>.json` when the daemon rejected our file as a duplicate id.
    public func wait(for submission: Submission, timeout: Double?) throws(ClientError) -> ResultDocument {
        let own = "\(submission.id).json"
        let duplicate = "\(submission.id)+\(submission.fileInode).json"
        return try waitForResult(id: submission.id, timeout: timeout) { name in
            guard name == own || name == duplicate, let (document, inode) = readResultWithInode(name) else {
                return nil
            }
            if name == own {
                if let stale = submission.staleResultInode, stale == inode { return nil }
                if let answered = document.fileInode, answered != submission.fileInode { return nil }
            }
            return document
        }
    }

    /// Waits until `accept` returns a final document for a name in `results/`.
    private func waitForResult(
        id: String,
        timeout: Double?,
        accept: @escaping (String) -> ResultDocument?
    ) throws(ClientError) -> ResultDocument {
        let resultsPath = "\(root)/results"
        let queue = DispatchQueue(label: "mlopsctl.wait")
        let semaphore = DispatchSemaphore(value: 0)
        let watcher: DirectoryWatcher
        do {
            watcher = try DirectoryWatcher(path: resultsPath, queue: queue) { events in
                if events.contains(where: { event in
                    if case .file(let name) = event { return name.hasPrefix(id) }
                    return event == .overflow
                }) {
                    semaphore.signal()
                }
            }
        } catch {
            throw .system("cannot watch \(resultsPath): \(error)")
        }
        defer { watcher.cancel() }
        func check() -> ResultDocument? {
            let candidates =
                [id + ".json"]
                + ((try? FileManager.default.contentsOfDirectory(atPath: resultsPath)) ?? [])
                .filter { $0.hasPrefix(id + "+") }
            for name in candidates {
                if let document = accept(name), document.status.isFinal { return document }
            }
            return nil
        }
        let deadline = timeout.map { DispatchTime.now() + $0 }
        while true {
            if let document = check() { return document }
            if let deadline {
                if semaphore.wait(timeout: deadline) == .timedOut {
                    if let document = check() { return document }
                    throw .timedOut(id, seconds: timeout ?? 0)
                }
            } else {
                semaphore.wait()
            }
        }
    }

    /// A result document and its file's inode.
    private func readResultWithInode(_ name: String) -> (ResultDocument, UInt64)? {
        let path = "\(root)/results/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, let data = try? FileReader.readAll(fd: fd, limit: 16 << 20, what: path),
            let document = try? ResultDocument.decode(data)
        else { return nil }
        return (document, UInt64(st.st_ino))
    }

    /// The result document of `id` as it is now, if any.
    public func readResult(_ id: String) -> ResultDocument? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "\(root)/results/\(id).json")) else { return nil }
        return try? ResultDocument.decode(data)
    }

    /// The daemon's `status.json`, if present.
    public func readStatus() -> JSONValue? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "\(root)/status.json")) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func generatedSuffix() -> String {
        let now = Date()
        let stamp = Timestamp.string(now).filter { $0.isNumber }
        return "\(stamp)-\(getpid())-\(UInt32.random(in: 0...0xFFFF))"
    }
}

/// Formats job errors the way compilers do, so editors can jump to them.
public enum JobErrorFormatter {
    /// `file:line:column: code: message (fix)`.
    public static func line(_ error: JobError, file: String) -> String {
        var position = file
        if let line = error.line { position += ":\(line)" }
        if let column = error.column { position += ":\(column)" }
        var text = "\(position): \(error.code.rawValue): \(error.message)"
        if let fix = error.fix { text += " (\(fix))" }
        return text
    }
}
