import Foundation
import Glibc
import MLOpsClient
import MLOpsCore

/// Removes at start-up the temp files of writes a `kill -9` cut short
/// (`.<name>.<pid>.tmp`, ``TempFileName``), which nothing else would remove before the
/// pruner's retention (90 days for results).
///
/// A file goes only when all hold: its name is exactly that pattern (and, where a filter is
/// given, for a file the daemon writes there), it is a regular file, its pid is not this
/// process and no live process has it, and it was last written before `startedAt`. The
/// spool's `tmp/` is never swept: it holds the submitters' half-written jobs, and
/// `mlopsctl submit` names its temp files with the same pattern (docs/spool.md (Start-up cleanup)).
enum StaleTempFiles {
    /// One directory to sweep and which targets' temp files are the daemon's there (nil:
    /// all, for a directory only the daemon writes).
    struct Place {
        var directory: DirectoryHandle
        var targets: Set<String>?
    }

    /// The places of a daemon with `spool` writing its metrics to `metricsFile` (empty:
    /// none): `results/`, `alerts/`, `reports/`, `status.json` in the spool's root and the
    /// metrics file in its directory (shared, maybe, with other exporters).
    static func places(spool: Spool, metricsFile: String) -> [Place] {
        var places = [
            Place(directory: spool.results, targets: nil),
            Place(directory: spool.alerts, targets: nil),
            Place(directory: spool.reports, targets: nil),
            Place(directory: spool.top, targets: ["status.json"]),
        ]
        if !metricsFile.isEmpty {
            let url = URL(fileURLWithPath: metricsFile)
            if let directory = try? DirectoryHandle(path: url.deletingLastPathComponent().path) {
                places.append(Place(directory: directory, targets: [url.lastPathComponent]))
            }
        }
        return places
    }

    /// Removes the stale temp files of `places`; returns how many went.
    static func remove(from places: [Place], startedAt: Date) -> Int {
        let me = getpid()
        var removed = 0
        for place in places {
            guard let names = try? place.directory.names() else { continue }
            for name in names {
                guard let (target, pid) = TempFileName.parse(name), pid != me,
                    place.targets.map({ $0.contains(target) }) ?? true, !isAlive(pid),
                    let st = try? place.directory.status(of: name), st.st_mode & S_IFMT == S_IFREG,
                    st.modificationTime < startedAt.timeIntervalSince1970
                else { continue }
                if (try? place.directory.remove(name)) != nil { removed += 1 }
            }
        }
        return removed
    }

    /// Whether a process `pid` exists (one of another user counts: EPERM).
    private static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
