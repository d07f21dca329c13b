import Glibc

/// Reads what the supervisor needs about processes from Linux's `/proc`.
///
/// Why not `kill(-pgid, 0)` alone: a zombie (exited, not yet reaped by its parent) still
/// counts as a member of its process group, so "is anything of this group left?" needs the
/// process state, and "is this process ours?" needs its session and environment, which only
/// `/proc` tells. Every function here is a snapshot: a process may exit or start right after.
public enum ProcessTable {
    /// The fields of `/proc/<pid>/stat` the supervisor uses.
    public struct Entry: Sendable, Equatable {
        /// The process id.
        public var pid: pid_t
        /// The one-letter state (field 3): `R`, `S`, `D`, `T`, `Z` (zombie), `X` (dead), …
        public var state: Character
        /// The process group id (field 5).
        public var processGroup: pid_t
        /// The session id (field 6).
        public var session: pid_t
        /// The start time in clock ticks after boot (field 22): with the pid, it names one
        /// process for good, since a reused pid gets a later start time.
        public var startTime: UInt64

        /// Whether the process still runs code: not a zombie waiting to be reaped, not dead.
        public var isLive: Bool { state != "Z" && state != "X" }
    }

    /// The `/proc/<pid>/stat` fields of `pid`, or nil when there is no such process (or its
    /// stat cannot be read or parsed).
    public static func entry(for pid: pid_t) -> Entry? {
        guard let bytes = readFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return parseStat(bytes, pid: pid)
    }

    /// Parses the text of `/proc/<pid>/stat`.
    ///
    /// The command name (field 2) is in parentheses and may itself contain spaces and
    /// parentheses, so fields are counted from the last `)`.
    static func parseStat(_ bytes: [UInt8], pid: pid_t) -> Entry? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field n is rest[n - 3].
        guard rest.count >= 20, let stateByte = rest[0].first else { return nil }
        func number<T: FixedWidthInteger>(_ field: Int, as: T.Type) -> T? {
            T(String(decoding: rest[field - 3], as: UTF8.self))
        }
        guard let group = number(5, as: pid_t.self), let session = number(6, as: pid_t.self),
            let start = number(22, as: UInt64.self)
        else { return nil }
        return Entry(
            pid: pid,
            state: Character(Unicode.Scalar(stateByte)),
            processGroup: group,
            session: session,
            startTime: start
        )
    }

    /// The ids of all processes now in `/proc`.
    public static func allPIDs() -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [pid_t] = []
        while let entry = readdir(dir) {
            let pid = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) {
                    pid_t(String(cString: $0))
                }
            }
            if let pid { pids.append(pid) }
        }
        return pids
    }

    /// The processes whose session id is `session`, zombies included.
    public static func members(ofSession session: pid_t) -> [Entry] {
        allPIDs().compactMap(entry(for:)).filter { $0.session == session }
    }

    /// The live (not zombie) processes whose process group id is `group`.
    public static func liveMembers(ofGroup group: pid_t) -> [Entry] {
        allPIDs().compactMap(entry(for:)).filter { $0.processGroup == group && $0.isLive }
    }

    /// Whether any live process is in process group `group`.
    ///
    /// Cheap when the group is empty (one `kill(-group, 0)` that fails with ESRCH); scans
    /// `/proc` only when the kernel still knows a member, which may be a zombie.
    public static func groupHasLiveMembers(_ group: pid_t) -> Bool {
        guard group > 1 else { return false }
        if kill(-group, 0) != 0 && errno == ESRCH { return false }
        return !liveMembers(ofGroup: group).isEmpty
    }

    /// Whether the initial environment of `pid` (`/proc/<pid>/environ`) holds exactly the
    /// entry `NAME=value`. False when it cannot be read (another user's process, a zombie,
    /// no such process).
    public static func environment(of pid: pid_t, contains entry: String) -> Bool {
        let wanted = Array(entry.utf8)
        return environment(of: pid)?.contains { $0.elementsEqual(wanted) } ?? false
    }

    /// The value of `name` in the initial environment of `pid` (its first `name=` entry), or
    /// nil when there is none or the environment cannot be read.
    public static func environmentValue(of pid: pid_t, name: String) -> String? {
        let prefix = Array((name + "=").utf8)
        guard let entry = environment(of: pid)?.first(where: { $0.starts(with: prefix) }) else { return nil }
        return String(decoding: entry.dropFirst(prefix.count), as: UTF8.self)
    }

    /// The `NAME=value` entries of `/proc/<pid>/environ`; nil when it cannot be read.
    static func environment(of pid: pid_t) -> [ArraySlice<UInt8>]? {
        readFile("/proc/\(pid)/environ", limit: 4 * 1024 * 1024)?.split(separator: 0, omittingEmptySubsequences: true)
    }

    /// The user id that owns `pid` (the owner of `/proc/<pid>`: its real user), or nil when
    /// there is no such process.
    public static func owner(of pid: pid_t) -> uid_t? {
        var info = stat()
        guard stat("/proc/\(pid)", &info) == 0 else { return nil }
        return info.st_uid
    }

    /// Reads a whole (small, `/proc`) file, at most `limit` bytes; nil when it cannot be opened.
    static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                result.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                break
            } else if errno != EINTR {
                return result.isEmpty ? nil : result
            }
        }
        return result
    }
}
