/// The `max_data_file_bytes` rule: a data file a job names is measured when it is opened
/// (its `fstat` size) and one larger than the limit is refused before any byte is read, so
/// that one large file cannot hold the engine (and every job queued behind it) for seconds
/// and take gigabytes of memory (issue 23).
public enum DataFileSizeLimit {
    /// The refusal of a file of `size` bytes under a limit of `limit` bytes, naming `file`
    /// (as the job names it), its size, the limit and the fix; nil when the file fits.
    public static func refusal(file: String, size: Int, limit: Int) -> (message: String, fix: String)? {
        guard size > limit else { return nil }
        let message =
            "\(file) is \(size) bytes (\(mebibytes(size))); data files of at most \(limit) bytes "
            + "(\(mebibytes(limit))) are read (max_data_file_bytes)"
        let fix =
            "split the file into several jobs of at most \(mebibytes(limit)) each, "
            + "or raise max_data_file_bytes in the daemon's config"
        return (message, fix)
    }

    /// `bytes` in mebibytes with one decimal ("5.0 MiB"), for messages.
    public static func mebibytes(_ bytes: Int) -> String {
        let tenths = (Double(bytes) / 1_048_576 * 10).rounded()
        let whole = Int(tenths) / 10
        let fraction = Int(tenths) % 10
        return "\(whole).\(fraction) MiB"
    }
}
