import Glibc
import MLOpsClient

/// A write the disk refused (full, over quota, an I/O error, read-only): the work that
/// needed it is retried once the disk takes writes again, never failed for good.
///
/// Handlers throw it (instead of failing the job) when a system call of theirs fails with
/// a storage errno; ``JobProcessor`` lets it through so the whole batch rolls back and
/// its job files stay in `active/` to be retried with backoff.
public struct StorageFailure: Error, Sendable, CustomStringConvertible {
    /// The failed call: what was being done, on which path, and the errno.
    public var error: SystemError

    /// Wraps `error`.
    public init(_ error: SystemError) {
        self.error = error
    }

    /// The failed call's text: "write /var/lib/mlopsd/…: No space left on device".
    public var description: String { "\(error)" }

    /// Whether `errno` means the storage could not take a write (retry later) rather than
    /// that the request itself is wrong.
    public static func isStorageErrno(_ errno: Int32) -> Bool {
        errno == ENOSPC || errno == EDQUOT || errno == EIO || errno == EROFS || errno == EFBIG
    }

    /// `error` as a StorageFailure when its errno is a storage errno, else nil.
    public static func from(_ error: SystemError) -> StorageFailure? {
        isStorageErrno(error.errno) ? StorageFailure(error) : nil
    }

    /// The errno's symbolic name ("ENOSPC"), for journal fields and messages.
    public static func errnoName(_ errno: Int32) -> String {
        switch errno {
        case ENOSPC: "ENOSPC"
        case EDQUOT: "EDQUOT"
        case EIO: "EIO"
        case EROFS: "EROFS"
        case EFBIG: "EFBIG"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        default: "errno \(errno)"
        }
    }
}
