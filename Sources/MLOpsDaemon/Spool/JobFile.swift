import CPosix
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Synchronization

/// A claimed job file as read from `active/`: its text and who submitted it.
///
/// The submitter is the file's owner (`st_uid`), never a claim inside the file. The file is
/// opened with O_NOFOLLOW|O_NONBLOCK (a symlink fails, a FIFO cannot block us), must be a
/// regular file with exactly one link (a hard link to someone else's file must not run as
/// them; the link count is checked before the open), at most `maxBytes` long and valid
/// UTF-8. It is read under a read lease (refused while anyone has it open for writing) and
/// must not change while read (docs/reliability.md (Hostile submitters)).
public struct JobFile: Sendable {
    /// The name the file has in the spool (same in incoming/ and active/, except for a
    /// name claimed by its bytes: then its ``RawFileName/activeName``).
    public var name: String
    /// The name as the result shows it (escaped for a name claimed by its bytes).
    public var displayName: String
    /// The id of a file claimed by its bytes (``RawFileName/derivedID``), else nil.
    public var derivedID: String?
    /// The name the file gets in `done/` or `failed/` when not its own.
    public var retiredName: String?
    /// The file's content, when it could be read and passed the checks.
    public var text: String?
    /// Why the file cannot be a job (then `text` is nil).
    public var problem: JobError?
    /// Owner uid and its user name ("uid:1234" when the name cannot be resolved).
    public var ownerUID: UInt32
    public var submittedBy: String
    /// Modification time: when the submitter finished writing it.
    public var submittedAt: Date
    /// Identity of this submission, so a restart can tell it from a later file with the same id.
    public var device: UInt64
    public var inode: UInt64

    /// Inspects and reads `name` inside `directory`.
    public static func read(_ name: String, in directory: DirectoryHandle, maxBytes: Int) -> JobFile {
        var file = JobFile(
            name: name,
            displayName: name,
            derivedID: nil,
            retiredName: nil,
            text: nil,
            problem: nil,
            ownerUID: 0,
            submittedBy: "unknown",
            submittedAt: Date(),
            device: 0,
            inode: 0
        )
        var st = stat()
        guard fstatat(directory.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            file.problem = JobError(
                .unreadable,
                "the job file could not be examined: \(String(cString: strerror(errno)))"
            )
            return file
        }
        file.record(st)
        if let raw = RawFileName(activeName: name) {
            // Claimed by its bytes: rejected by its name alone, never opened.
            file.displayName = raw.escaped
            file.derivedID = raw.derivedID
            file.retiredName = raw.derivedID
            file.problem = JobError(
                .invalidID,
                "the job file's name `\(raw.escaped)` \(raw.problemDescription), so it cannot name a job; it was given the id `\(raw.derivedID)` and moved to failed/\(raw.derivedID)",
                fix: "name job files with letters, digits, `.`, `_` and `-` only (e.g. `my-job.yaml`)"
            )
            return file
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            file.problem = JobError(
                .notRegularFile,
                "the job file is a \(JobFile.describe(type)), not a regular file",
                fix: "write the job into a regular file and rename it into incoming/"
            )
            return file
        }
        // A hard link is refused before it is opened: the daemon never opens another user's
        // file through a link someone put into incoming/ (checked again on the descriptor,
        // for a file swapped in between).
        guard st.st_nlink == 1 else {
            file.problem = JobFile.hardLinkProblem(st.st_nlink)
            return file
        }
        let fd = openat(directory.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let error = errno
            if error == EACCES {
                file.problem = JobError(
                    .unreadable,
                    "mlopsd may not read the job file (mode \(String(st.st_mode & 0o7777, radix: 8)))",
                    fix:
                        "make it readable: chmod 0644, or create it in the spool's tmp/ (group mlopsd-submit) with mode 0640"
                )
            } else {
                let code: JobErrorCode = error == ELOOP ? .notRegularFile : .unreadable
                file.problem = JobError(code, "the job file could not be opened: \(String(cString: strerror(error)))")
            }
            return file
        }
        defer { close(fd) }
        // Re-check on the open descriptor: the name may have been swapped since fstatat.
        guard fstat(fd, &st) == 0 else {
            file.problem = JobError(
                .unreadable,
                "the job file could not be examined: \(String(cString: strerror(errno)))"
            )
            return file
        }
        file.record(st)
        guard st.st_mode & S_IFMT == S_IFREG else {
            file.problem = JobError(.notRegularFile, "the job file is not a regular file")
            return file
        }
        guard st.st_nlink == 1 else {
            file.problem = JobFile.hardLinkProblem(st.st_nlink)
            return file
        }
        guard Int(st.st_size) <= maxBytes else {
            file.problem = JobError(
                .tooLarge,
                "the job file is \(st.st_size) bytes; the limit is \(maxBytes) (max_job_bytes)",
                fix: "put large data in a file under a data root and name it in the job"
            )
            return file
        }
        // A read lease while we read: the kernel refuses it while any process has the file
        // open for writing (the submitter kept a descriptor from before the claim), and
        // holds back any later opener for writing until we let go, so the bytes we read are
        // the file as it stands. Without permission for a lease (no CAP_LEASE and not the
        // owner), the stat before and after the read tells a change instead.
        let leased = mlopsd_set_lease(fd, Int32(F_RDLCK)) == 0
        defer { if leased { _ = mlopsd_set_lease(fd, Int32(F_UNLCK)) } }
        if !leased, errno == EAGAIN {
            file.problem = JobError(
                .unreadable,
                "the job file was still open for writing by another process when mlopsd claimed it",
                fix:
                    "finish writing the job (in the spool's tmp/) before renaming it into incoming/, and do not reopen it afterwards"
            )
            return file
        }
        let data: Data
        do {
            data = try FileReader.readAll(fd: fd, limit: maxBytes, what: name)
        } catch {
            file.problem = JobError(.unreadable, "the job file could not be read: \(error)")
            return file
        }
        var after = stat()
        guard fstat(fd, &after) == 0, JobFile.sameContentState(st, after),
            Int(after.st_size) == data.count || data.count > maxBytes
        else {
            file.problem = JobError(
                .unreadable,
                "the job file changed while mlopsd read it (it was written to, truncated or appended to)",
                fix: "write the job completely before renaming it into incoming/, and do not change it afterwards"
            )
            return file
        }
        switch JobText.decode(data, maxBytes: maxBytes) {
        case .success(let text):
            file.text = text
        case .failure(let problem):
            file.problem = problem
        }
        return file
    }

    /// The rejection of a job file with `links` links.
    static func hardLinkProblem(_ links: nlink_t) -> JobError {
        JobError(
            .hardLink,
            "the job file has \(links) links; a job file must have exactly one",
            fix: "submit a copy of the file, not a hard link: the submitter is the file's owner"
        )
    }

    /// Whether two stats of one file show the same content: size, modification and change
    /// times (nanoseconds) all equal.
    static func sameContentState(_ a: stat, _ b: stat) -> Bool {
        a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec
            && a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec
    }

    private mutating func record(_ st: stat) {
        ownerUID = st.st_uid
        submittedBy = UserName.of(uid: st.st_uid)
        submittedAt = Date(timeIntervalSince1970: st.modificationTime)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFLNK: return "symbolic link"
        case S_IFIFO: return "FIFO"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFSOCK: return "socket"
        case S_IFDIR: return "directory"
        default: return "special file"
        }
    }

    /// The line and column of the first byte that is not UTF-8 (``JobText/firstInvalidUTF8(_:)``).
    static func firstInvalidUTF8(_ data: Data) -> SourceMark? { JobText.firstInvalidUTF8(data) }
}

extension String {
    /// Decodes UTF-8 strictly: nil when any byte sequence is invalid (no replacement characters).
    init?(validatingUTF8Data data: Data) {
        guard let s = String(validating: data, as: UTF8.self) else { return nil }
        self = s
    }
}

/// Resolves uids to user names (getpwuid_r), cached: the lookup reads /etc/passwd.
enum UserName {
    private static let cache = Mutex<[UInt32: String]>([:])

    static func of(uid: UInt32) -> String {
        if let name = cache.withLock({ $0[uid] }) { return name }
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let name: String
        if getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let pwName = pwd.pw_name {
            name = String(cString: pwName)
        } else {
            name = "uid:\(uid)"
        }
        cache.withLock { $0[uid] = name }
        return name
    }
}
