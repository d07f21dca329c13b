import MLOpsCore

/// Finished jobs counted by kind and final status since the daemon started
/// (`mlopsd_jobs_total`). Jobs whose finished result was only rewritten after a restart
/// (`replayed`) are not counted: they were counted by the process that ran them.
public struct JobTally: Sendable, Equatable {
    /// One `(kind, status)` pair.
    public struct Key: Hashable, Sendable, Comparable {
        /// The job's kind, or ``JobTally/unknownKind`` when the file never said one we know.
        public var kind: String
        /// `succeeded`, `failed` or `rejected`.
        public var status: String

        public static func < (a: Key, b: Key) -> Bool { (a.kind, a.status) < (b.kind, b.status) }
    }

    /// The kind label of jobs rejected before their kind was known (YAML errors, unreadable files).
    public static let unknownKind = "unknown"

    /// The counts, by key.
    public private(set) var counts: [Key: Int] = [:]

    /// An empty tally.
    public init() {}

    /// Counts one finished job; `running` is not a final status and is ignored.
    public mutating func add(kind: JobKind?, status: ResultDocument.Status) {
        guard status != .running else { return }
        counts[Key(kind: kind?.rawValue ?? Self.unknownKind, status: status.rawValue), default: 0] += 1
    }
}
