import Foundation
import Logging
import Synchronization

/// Whether the daemon's writes to disk currently work, shared by every writer.
///
/// Each writer (the job batches, alert files, `status.json`, the metrics file) reports a
/// failed write here: the journal gets a `storage_write_failed` entry at once (PRIORITY 3,
/// naming the path and the errno), because the journal needs no space on our disk. The
/// store's `storage_write_failed` alert is opened by the engine as soon as the store takes
/// a write (it may not while the disk is full), and resolved once every writer that failed
/// has written successfully again (``Engine`` settles it; docs/reliability.md (Disk full and I/O errors)).
public final class StorageHealth: Sendable {
    /// A run of failures from the first one until every writer works again.
    public struct Episode: Sendable, Equatable {
        /// When the first failure of the episode happened.
        public var firstAt: Date
        /// Failed writes so far (0 for an alert inherited from an earlier daemon process).
        public var failures: Int
        /// The latest failure's message (path and errno).
        public var lastMessage: String
        /// The latest failure's path and errno name.
        public var lastPath: String
        public var lastErrno: String
    }

    private struct State {
        /// Writers whose latest write failed, with that failure's message.
        var failing: [String: String] = [:]
        var episode: Episode?
        /// When each writer's failure was last logged (periodic writers are rate-limited).
        var lastLogged: [String: Date] = [:]
    }

    private let state = Mutex(State())

    /// A healthy state.
    public init() {}

    /// Records a failed write by `site` ("job batch", "alerts", "status.json", "metrics")
    /// on `path` with `errno`, and logs it unless `site` already logged within
    /// `rateLimit` seconds (periodic writers would otherwise log every few seconds).
    public func failed(
        site: String,
        path: String,
        errno: Int32?,
        message: String,
        logger: Logger,
        rateLimit: TimeInterval = 0
    ) {
        let now = Date()
        let errnoName = errno.map(StorageFailure.errnoName) ?? "unknown"
        let shouldLog = state.withLock { state -> Bool in
            state.failing[site] = message
            if var episode = state.episode {
                episode.failures += 1
                episode.lastMessage = message
                episode.lastPath = path
                episode.lastErrno = errnoName
                state.episode = episode
            } else {
                state.episode = Episode(
                    firstAt: now,
                    failures: 1,
                    lastMessage: message,
                    lastPath: path,
                    lastErrno: errnoName
                )
            }
            if let last = state.lastLogged[site], now.timeIntervalSince(last) < rateLimit { return false }
            state.lastLogged[site] = now
            return true
        }
        guard shouldLog else { return }
        var metadata: Logger.Metadata = [
            "event": LogEvent.storageWriteFailed.metadataValue, "path": .string(path), "errno": .string(errnoName),
            "writer": .string(site),
        ]
        if let errno { metadata["errno_number"] = .string(String(errno)) }
        logger.log(level: LogEvent.storageWriteFailed.logLevel, "\(message)", metadata: metadata)
    }

    /// Records that `site` wrote successfully.
    public func succeeded(site: String) {
        state.withLock { state in
            if state.failing.removeValue(forKey: site) != nil { state.lastLogged[site] = nil }
        }
    }

    /// Starts an episode for an alert an earlier daemon process left open, so that the
    /// engine resolves it once writes work.
    public func inheritOpenAlert() {
        state.withLock { state in
            if state.episode == nil {
                state.episode = Episode(
                    firstAt: Date(),
                    failures: 0,
                    lastMessage: "reported by an earlier daemon process",
                    lastPath: "",
                    lastErrno: ""
                )
            }
        }
    }

    /// The writers failing now (site → message) and the current episode, if any.
    public func snapshot() -> (failing: [String: String], episode: Episode?) {
        state.withLock { ($0.failing, $0.episode) }
    }

    /// Ends the episode the engine just resolved, unless a failure came after it looked.
    public func endEpisode(ifFailuresAre failures: Int) {
        state.withLock { state in
            if state.failing.isEmpty, state.episode?.failures == failures { state.episode = nil }
        }
    }
}
