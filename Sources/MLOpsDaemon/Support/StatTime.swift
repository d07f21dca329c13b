import Glibc

extension stat {
    /// The modification time in seconds since the epoch, with nanoseconds (the spool's
    /// readiness and pruning rules).
    var modificationTime: Double {
        Double(st_mtim.tv_sec) + Double(st_mtim.tv_nsec) / 1e9
    }
}
