import Foundation
import Glibc

/// What the supervisor knows about a child the moment it started, handed to the caller's
/// `onStart` so that it can be recorded durably before the stage runs on.
///
/// After a daemon crash, ``StrayChildren`` needs exactly these facts to find and end the
/// group the child left behind: the process group id, and the leader's start time to tell
/// the recorded leader from a later process that got the same pid.
public struct ChildStart: Sendable, Equatable {
    /// The child's process id.
    public var pid: pid_t
    /// The child's process group id; also its session id (the child leads its own session).
    public var processGroup: pid_t
    /// The child's start time, clock ticks after boot (field 22 of `/proc/<pid>/stat`);
    /// 0 when it could not be read.
    public var startTime: UInt64
    /// The wall-clock moment of the start.
    public var started: Date

    /// A start record.
    public init(pid: pid_t, processGroup: pid_t, startTime: UInt64, started: Date) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTime = startTime
        self.started = started
    }
}
