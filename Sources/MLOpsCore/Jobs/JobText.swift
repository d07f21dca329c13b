/// The byte-level checks a job file passes before it is YAML: its size and its encoding.
///
/// The daemon (`JobFile.read`) and the fuzz tests share this, so what the fuzzer proves
/// about bytes is what the spool does with them.
public enum JobText {
    /// The text of a job file's `bytes`, or the whole-file error that refuses them:
    /// `too_large` beyond `maxBytes`, `not_utf8` (pointing at the first bad byte) when the
    /// bytes are not strict UTF-8 — nothing is repaired with replacement characters.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, maxBytes: Int) -> Result<String, JobError> {
        guard bytes.count <= maxBytes else {
            return .failure(
                JobError(
                    .tooLarge,
                    "the job file is \(bytes.count) bytes; the limit is \(maxBytes) (max_job_bytes)",
                    fix: "put large data in a file under a data root and name it in the job"
                )
            )
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(
                JobError(
                    .notUTF8,
                    "the job file is not valid UTF-8 text",
                    at: firstInvalidUTF8(bytes),
                    fix: "save the file as UTF-8"
                )
            )
        }
        return .success(text)
    }

    /// The line and (byte) column of the first byte that is not UTF-8, so the error points at it.
    public static func firstInvalidUTF8<Bytes: Collection<UInt8>>(_ input: Bytes) -> SourceMark? {
        let bytes = Array(input)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return SourceMark(line: line, column: i - lineStart + 1)
            }
            if i + length > bytes.count { return SourceMark(line: line, column: i - lineStart + 1) }
            if length > 1, String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil {
                return SourceMark(line: line, column: i - lineStart + 1)
            }
            if b == 0x0A {
                line += 1
                lineStart = i + 1
            }
            i += length
        }
        return nil
    }
}
