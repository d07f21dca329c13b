import Foundation

/// The document the daemon writes to `results/<job-id>.json` (DESIGN §5).
///
/// Exactly one final document exists per claimed job. Long jobs write `running`
/// documents while they progress and the final one at the end.
public struct ResultDocument: Sendable, Equatable, Codable {
    /// The state a result reports.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case running, succeeded, failed, rejected
        /// Whether this status ends the job.
        public var isFinal: Bool { self != .running }
    }

    /// The error object of a failed or rejected job.
    public struct ErrorInfo: Sendable, Equatable, Codable {
        public var code: String
        public var message: String
        public var line: Int?
        public var column: Int?
        public var fix: String?
        /// Further problems found in the same file (all of them, in order).
        public var more: [JobError]?

        public init(_ error: JobError, more: [JobError] = []) {
            code = error.code.rawValue
            message = error.message
            line = error.line
            column = error.column
            fix = error.fix
            self.more = more.isEmpty ? nil : more
        }
    }

    public var job: String
    public var kind: String?
    public var model: String?
    public var status: Status
    public var submittedBy: String
    public var submittedAt: String
    public var startedAt: String?
    public var finishedAt: String?
    /// The name of the job file as it was submitted.
    public var file: String
    /// The job file's inode: which submission this result answers (two files can carry the
    /// same id; `mlopsctl submit --wait` uses it to wait for its own file's result).
    public var fileInode: UInt64?
    public var result: JSONValue?
    public var error: ErrorInfo?

    public init(
        job: String, kind: String?, model: String?, status: Status, submittedBy: String,
        submittedAt: String, startedAt: String?, finishedAt: String?, file: String,
        fileInode: UInt64? = nil, result: JSONValue? = nil, error: ErrorInfo? = nil
    ) {
        self.job = job
        self.kind = kind
        self.model = model
        self.status = status
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.file = file
        self.fileInode = fileInode
        self.result = result
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case job, kind, model, status, file, result, error
        case submittedBy = "submitted_by"
        case submittedAt = "submitted_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case fileInode = "file_inode"
    }

    /// Stable JSON: sorted keys, pretty-printed, no escaped slashes.
    public func encoded() throws -> Data {
        try ResultDocument.encoder.encode(self)
    }

    /// Reads a result document.
    public static func decode(_ data: Data) throws -> ResultDocument {
        try JSONDecoder().decode(ResultDocument.self, from: data)
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return e
    }
}

/// RFC 3339 UTC timestamps with milliseconds, as every document and the store write them.
public enum Timestamp {
    /// `2026-11-29T13:16:04.123Z`
    public static func string(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int((date.timeIntervalSince1970 - Double(t)) * 1000) % 1000
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }
}
