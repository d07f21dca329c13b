import Foundation
import Glibc
import MLOpsCore

/// Whether the submitter of a job could read a path themselves.
///
/// mlopsd reads the data files a job names with its own rights, which are usually wider than
/// the submitter's (the default data root lies inside its 0750 state directory). Without
/// this check a member of mlopsd-submit could have the daemon read, on their behalf, a file
/// they may not read — and learn its header or values from the job's result (a confused
/// deputy). So every job-named path, once resolved under the data roots, must be readable
/// to the submitter by its mode bits: each directory from `/` down searchable (`x`), the
/// last component readable (`r`, and `x` for a directory). Root (uid 0) may read anything.
/// POSIX ACLs are not evaluated: access an ACL alone grants is refused (the message says
/// which path), which errs on the safe side.
enum SubmitterAccess {
    /// Who the check is for: the uid and the groups of the file owner's account.
    struct Identity: Sendable {
        var uid: UInt32
        var name: String
        var groups: Set<UInt32>

        /// The identity of `uid` from the account database (primary and supplementary
        /// groups); a uid without an account has no groups.
        init(uid: UInt32) {
            self.uid = uid
            var pwd = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: 4096)
            guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let pwName = pwd.pw_name
            else {
                name = "uid:\(uid)"
                groups = []
                return
            }
            name = String(cString: pwName)
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(pwName, pwd.pw_gid, &list, &count) < 0 {
                list = [gid_t](repeating: 0, count: Int(max(count, 1)))
                _ = getgrouplist(pwName, pwd.pw_gid, &list, &count)
            }
            groups = Set(list.prefix(Int(max(count, 0))))
            groups.insert(pwd.pw_gid)
        }
    }

    /// Throws `bad_artifact` unless `uid` could read `path` (absolute, already resolved)
    /// by the mode bits of every component. `what` names the path in the message.
    static func check(_ path: String, uid: UInt32?, what: String, mark: SourceMark? = nil) throws(JobError) {
        guard let uid, uid != 0 else { return }
        let identity = Identity(uid: uid)
        var prefix = ""
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var directories = ["/"]
        for component in components.dropLast() {
            prefix += "/" + component
            directories.append(prefix)
        }
        for directory in directories {
            guard let mode = modeBits(of: directory, for: identity) else { continue }
            guard mode & 0o1 != 0 else { throw refusal(what, path, blocked: directory, identity: identity, mark: mark) }
        }
        guard !components.isEmpty, let mode = modeBits(of: path, for: identity) else { return }
        var st = stat()
        let isDirectory = fstatat(AT_FDCWD, path, &st, 0) == 0 && st.st_mode & S_IFMT == S_IFDIR
        let needed: mode_t = isDirectory ? 0o5 : 0o4
        guard mode & needed == needed else { throw refusal(what, path, blocked: path, identity: identity, mark: mark) }
    }

    /// The rwx bits (0...7) that apply to `identity` on `path`; nil when it cannot be
    /// examined (a missing path is reported by the open that follows).
    private static func modeBits(of path: String, for identity: Identity) -> mode_t? {
        var st = stat()
        guard fstatat(AT_FDCWD, path, &st, 0) == 0 else { return nil }
        if st.st_uid == identity.uid { return (st.st_mode >> 6) & 0o7 }
        if identity.groups.contains(st.st_gid) { return (st.st_mode >> 3) & 0o7 }
        return st.st_mode & 0o7
    }

    private static func refusal(
        _ what: String,
        _ path: String,
        blocked: String,
        identity: Identity,
        mark: SourceMark?
    ) -> JobError {
        let detail = blocked == path ? "may not read it" : "may not enter \(blocked)"
        return JobError(
            .badArtifact,
            "\(what) \(path): \(identity.name), who submitted the job, \(detail); mlopsd reads job data only where its submitter could",
            at: mark,
            fix:
                "name a file you can read yourself (check with: cat \(path) >/dev/null), or ask the owner to grant read access"
        )
    }
}
