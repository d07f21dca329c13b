import Foundation

/// The document the daemon writes to `results/<job-id>.json` (docs/design.md §5).
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
    ///
    /// It lists at most ``maxListed`` errors (this one and up to `maxListed - 1` in `more`),
    /// the first ones in file order; when there were more, `errorsTotal` counts all of them.
    /// The cap keeps a hostile job (60,000 unknown keys) from writing a result of megabytes
    /// that the spool and the store keep for 90 days.
    public struct ErrorInfo: Sendable, Equatable, Codable {
        /// The most errors a result lists (the primary one included).
        public static let maxListed = 100

        public var code: String
        public var message: String
        public var line: Int?
        public var column: Int?
        public var fix: String?
        /// Further problems found in the same file, in order (at most `maxListed - 1`).
        public var more: [JobError]?
        /// How many errors were found in all, when more than ``maxListed``; absent when
        /// every error is listed.
        public var errorsTotal: Int?

        /// The error object for `error` followed by `more`, of which the first
        /// `maxListed - 1` are kept and the rest only counted.
        public init(_ error: JobError, more: [JobError] = []) {
            code = error.code.rawValue
            message = error.message
            line = error.line
            column = error.column
            fix = error.fix
            let kept = more.prefix(Self.maxListed - 1)
            self.more = kept.isEmpty ? nil : Array(kept)
            errorsTotal = more.count > kept.count ? more.count + 1 : nil
        }

        /// How many errors were found but not listed (0 when all are listed).
        public var unlisted: Int {
            guard let errorsTotal else { return 0 }
            return max(0, errorsTotal - 1 - (more?.count ?? 0))
        }

        enum CodingKeys: String, CodingKey {
            case code, message, line, column, fix, more
            case errorsTotal = "errors_total"
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
        job: String,
        kind: String?,
        model: String?,
        status: Status,
        submittedBy: String,
        submittedAt: String,
        startedAt: String?,
        finishedAt: String?,
        file: String,
        fileInode: UInt64? = nil,
        result: JSONValue? = nil,
        error: ErrorInfo? = nil
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

    /// Stable JSON: sorted keys, pretty-printed, no escaped slashes; the bytes
    /// `JSONEncoder.mlopsPretty.encode(self)` gives, written by ``JSONTextWriter`` (a large
    /// `result` tree took `JSONEncoder` a third of a `monitoring-history` job's time).
    public func encoded() throws -> Data {
        guard let envelope = try envelope() else { return try JSONEncoder.mlopsPretty.encode(self) }
        return try JSONTextWriter.data(envelope, layout: .pretty)
    }

    /// The document as the object `JSONEncoder` writes (a nil optional left out), or nil when
    /// a field has no exact ``JSONValue`` (an inode above `Int.max`).
    func envelope() throws -> JSONValue? {
        var members: [String: JSONValue] = [
            CodingKeys.job.rawValue: .string(job),
            CodingKeys.status.rawValue: .string(status.rawValue),
            CodingKeys.submittedBy.rawValue: .string(submittedBy),
            CodingKeys.submittedAt.rawValue: .string(submittedAt),
            CodingKeys.file.rawValue: .string(file),
        ]
        members[CodingKeys.kind.rawValue] = kind.map(JSONValue.string)
        members[CodingKeys.model.rawValue] = model.map(JSONValue.string)
        members[CodingKeys.startedAt.rawValue] = startedAt.map(JSONValue.string)
        members[CodingKeys.finishedAt.rawValue] = finishedAt.map(JSONValue.string)
        if let fileInode {
            guard let inode = Int(exactly: fileInode) else { return nil }
            members[CodingKeys.fileInode.rawValue] = .int(inode)
        }
        members[CodingKeys.result.rawValue] = result
        if let error { members[CodingKeys.error.rawValue] = try JSONValueEncoder().encode(error) }
        return .object(members)
    }

    /// Reads a result document.
    public static func decode(_ data: Data) throws -> ResultDocument {
        try JSONDecoder().decode(ResultDocument.self, from: data)
    }

}

/// RFC 3339 UTC timestamps with milliseconds, as every document and the store write them.
public enum Timestamp {
    /// `2026-11-29T13:16:04.123Z`
    public static func string(_ date: Date) -> String {
        // Whole milliseconds, rounded: a time parsed from "…01.284Z" is 1.28399999… s in
        // binary and must print as .284 again.
        let totalMilliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (totalMilliseconds / 1000).rounded(.down)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(totalMilliseconds - seconds * 1000)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }

    /// Parses an RFC 3339 timestamp (`2026-11-29T13:16:04Z`, with optional fractional
    /// seconds and a `Z` or `±hh:mm` offset; a date alone means its midnight UTC). Nil when
    /// the text is not one. Used for `at:` in queries ("which version was in production then").
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D,
            let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
        var offset = 0
        var i = 10
        if b.count > 10 {
            guard b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, let h = digits(11, 2), b.count > 13, b[13] == 0x3A,
                let m = digits(14, 2), b.count > 16, b[16] == 0x3A, let s = digits(17, 2),
                h < 24, m < 60, s < 61
            else { return nil }
            hour = h
            minute = m
            second = s
            i = 19
            if i < b.count, b[i] == 0x2E {
                i += 1
                var scale = 0.1
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    fraction += Double(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
            guard i < b.count else { return nil }
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D, let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A,
                let om = digits(i + 4, 2), oh < 24, om < 60
            {
                offset = (oh * 3600 + om * 60) * (b[i] == 0x2D ? -1 : 1)
                i += 6
            } else {
                return nil
            }
            guard i == b.count else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 February to 3 March: refuse dates that do not exist.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
