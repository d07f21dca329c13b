import Foundation
import Glibc
import MLOpsClient

/// One daemon per spool and per state directory.
///
/// Two daemons on one spool would both claim jobs and both write the store's rows for
/// them; two on one state directory would share the store, the serving links and the
/// records of each other's children. Either breaks exactly-once. The lock is an exclusive
/// `flock` on each directory itself (no lock file to go stale): the kernel drops it when
/// the process dies, `kill -9` included, so a restart never finds a stale lock. The
/// descriptors are `O_CLOEXEC`, so pipeline children never inherit the lock.
public final class InstanceLock: Sendable {
    /// Why the lock could not be taken.
    public enum LockError: Error, CustomStringConvertible {
        /// Another process holds the lock on `path`.
        case held(what: String, path: String)
        /// The directory could not be opened or locked for another reason.
        case failed(what: String, path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let what, let path):
                return "another mlopsd is already running on the \(what) \(path) (it holds the directory's lock); "
                    + "stop it first (systemctl stop mlopsd), or give this one its own spool_dir and state_dir"
            case .failed(let what, let path, let reason):
                return "cannot lock the \(what) \(path): \(reason)"
            }
        }
    }

    private let handles: [DirectoryHandle]

    /// Takes the lock on `spoolDir` and `stateDir` (both must exist), without waiting.
    public init(spoolDir: String, stateDir: String) throws(LockError) {
        var handles: [DirectoryHandle] = []
        for (what, path) in [("spool", spoolDir), ("state directory", stateDir)] {
            let handle: DirectoryHandle
            do {
                handle = try DirectoryHandle(path: path)
            } catch {
                throw .failed(what: what, path: path, reason: "\(error)")
            }
            while flock(handle.fd, LOCK_EX | LOCK_NB) != 0 {
                let error = errno
                if error == EINTR { continue }
                if error == EWOULDBLOCK { throw .held(what: what, path: path) }
                throw .failed(what: what, path: path, reason: String(cString: strerror(error)))
            }
            handles.append(handle)
        }
        self.handles = handles
    }
}
