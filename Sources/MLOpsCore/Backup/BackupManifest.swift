/// The table of contents of a backup directory (`MANIFEST.json`, written last): every file
/// with its size and SHA-256, so a restore can prove the copy whole before it touches the
/// state directory. A directory without it is not a backup (a copy cut short).
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest's file name in a backup directory.
    public static let fileName = "MANIFEST.json"
    /// The store copy's path in a backup directory.
    public static let databaseName = "mlopsd.sqlite"
    /// Where artifacts are in a backup directory (`artifacts/<sha256>/…`, as in the state directory).
    public static let artifactsName = "artifacts"
    /// The layout this daemon writes and reads.
    public static let currentFormat = 1

    /// One file of the backup.
    public struct Entry: Codable, Sendable, Equatable {
        /// Relative to the backup directory.
        public var path: String
        /// Its size in bytes.
        public var size: Int
        /// Its SHA-256, lowercase hex.
        public var sha256: String

        /// An entry.
        public init(path: String, size: Int, sha256: String) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The layout (``currentFormat``).
    public var format: Int
    /// The mlopsd that wrote it.
    public var mlopsdVersion: String
    /// The `backup` job.
    public var job: String
    /// When the store was read (RFC 3339).
    public var snapshotAt: String
    /// The store's newest migration in the copy.
    public var schema: String
    /// Every file, the store first, then artifacts in path order.
    public var files: [Entry]

    /// A manifest.
    public init(
        format: Int = BackupManifest.currentFormat,
        mlopsdVersion: String,
        job: String,
        snapshotAt: String,
        schema: String,
        files: [Entry]
    ) {
        self.format = format
        self.mlopsdVersion = mlopsdVersion
        self.job = job
        self.snapshotAt = snapshotAt
        self.schema = schema
        self.files = files
    }

    /// What is wrong with a backup whose files measure `found` (path → size and SHA-256 of
    /// every regular file under the directory except the manifest): missing, changed and
    /// unlisted files, a store missing from the list, an unknown format. Empty: it is whole.
    public func problems(found: [String: (size: Int, sha256: String)]) -> [String] {
        var problems: [String] = []
        if format != Self.currentFormat {
            problems.append("format \(format) is not one this mlopsd reads (\(Self.currentFormat))")
        }
        if !files.contains(where: { $0.path == Self.databaseName }) {
            problems.append("the manifest does not list the store (\(Self.databaseName))")
        }
        var listed: Set<String> = []
        for entry in files {
            listed.insert(entry.path)
            guard let file = found[entry.path] else {
                problems.append("\(entry.path) is missing")
                continue
            }
            if file.size != entry.size {
                problems.append("\(entry.path) is \(file.size) bytes, the manifest says \(entry.size)")
            } else if file.sha256 != entry.sha256 {
                problems.append("\(entry.path) does not have the SHA-256 the manifest lists")
            }
        }
        for path in found.keys.sorted() where !listed.contains(path) {
            problems.append("\(path) is not listed in the manifest")
        }
        return problems
    }

    enum CodingKeys: String, CodingKey {
        case format
        case mlopsdVersion = "mlopsd_version"
        case job
        case snapshotAt = "snapshot_at"
        case schema
        case files
    }
}
