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

    /// Validates `text` as the daemon will, then submits it. `fileName` is the name the
    /// text came from (its stem is the id when the job has no `id:`); stdin passes nil and
    /// gets a generated id. Returns the job id.
    @discardableResult
    public func submit(text: String, fileName: String?, registry: HandlerRegistry = .standard) throws(ClientError) -> String {
        let name = fileName.map { ($0 as NSString).lastPathComponent } ?? "job-\(Self.generatedSuffix()).yaml"
        let validation = JobValidator.validate(text: text, fileName: name, spec: { registry.spec(for: $0) })
        let id: String
        switch validation {
        case .valid(let job): id = job.id
        case .rejected(_, _, _, let failure): throw .invalid(failure.errors, fileName: fileName ?? "<stdin>")
        }
        if let existing = try? Data(contentsOf: URL(fileURLWithPath: "\(root)/results/\(id).json")),
            let document = try? ResultDocument.decode(existing), document.status != .rejected
        {
            throw .idInUse(id)
        }
        let target = "\(id).yaml"
        let temp = ".\(id).\(getpid()).tmp"
        do {
            let tmp = try DirectoryHandle(path: "\(root)/tmp")
            let incoming = try DirectoryHandle(path: "\(root)/incoming")
            try tmp.writeAtomically(temp, data: Data(text.utf8), mode: 0o640, syncDirectory: false)
            do {
                try tmp.rename(temp, to: incoming, as: target, replace: false)
            } catch {
                try? tmp.remove(temp)
                if error.errno == EEXIST { throw ClientError.waitingAlready(id) }
                throw ClientError.system("cannot submit: \(error)")
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw .system("cannot submit to \(root): \(error)")
        }
        return id
    }

    /// The final result of `id`, waiting up to `timeout` seconds (nil: forever) for it.
    /// Watches `results/` with inotify; never polls in a loop.
    public func wait(for id: String, timeout: Double?) throws(ClientError) -> ResultDocument {
        let resultsPath = "\(root)/results"
        let queue = DispatchQueue(label: "mlopsctl.wait")
        let semaphore = DispatchSemaphore(value: 0)
        let watcher: DirectoryWatcher
        do {
            watcher = try DirectoryWatcher(path: resultsPath, queue: queue) { events in
                if events.contains(where: { $0 == .file("\(id).json") || $0 == .overflow }) { semaphore.signal() }
            }
        } catch {
            throw .system("cannot watch \(resultsPath): \(error)")
        }
        defer { watcher.cancel() }
        let deadline = timeout.map { DispatchTime.now() + $0 }
        while true {
            if let document = readResult(id), document.status.isFinal { return document }
            if let deadline {
                if semaphore.wait(timeout: deadline) == .timedOut {
                    if let document = readResult(id), document.status.isFinal { return document }
                    throw .timedOut(id, seconds: timeout ?? 0)
                }
            } else {
                semaphore.wait()
            }
        }
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
