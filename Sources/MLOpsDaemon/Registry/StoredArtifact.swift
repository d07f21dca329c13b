/// An artifact as the store holds it: its identity and where model servers find it.
///
/// Returned by ``ArtifactStore/ingest(directory:)`` and recorded with the model version,
/// so the registry can tell a new model (`modelSHA256` changed) from a metadata-only change
/// (only `sha256` changed: `metrics.json` differs) when it derives the next version.
public struct StoredArtifact: Sendable, Equatable, Codable {
    /// SHA-256 of the artifact's manifest (every regular file: relative path, size,
    /// content hash); also the name of its directory in the store.
    public var sha256: String
    /// The same manifest hash without the top-level `metrics.json`.
    public var modelSHA256: String
    /// Absolute path of the stored, read-only directory.
    public var path: String
    /// Number of regular files.
    public var files: Int
    /// Total size of the regular files in bytes.
    public var bytes: Int64
    /// True when identical content was already stored and the new copy was discarded.
    public var reused: Bool

    /// An artifact record from its parts.
    public init(sha256: String, modelSHA256: String, path: String, files: Int, bytes: Int64, reused: Bool) {
        self.sha256 = sha256
        self.modelSHA256 = modelSHA256
        self.path = path
        self.files = files
        self.bytes = bytes
        self.reused = reused
    }

    enum CodingKeys: String, CodingKey {
        case sha256
        case modelSHA256 = "model_sha256"
        case path, files, bytes, reused
    }
}
