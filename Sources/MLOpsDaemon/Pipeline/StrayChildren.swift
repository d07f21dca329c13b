import Foundation
import Glibc
import Logging

/// Ends the pipeline children a previous daemon left running when it died (kill -9, a
/// crash, the OOM killer): run once at daemon start, before new stages run.
///
/// Why: a stage child runs in its own session (``ChildSupervisor``), so it survives the
/// daemon; docs/design.md §7 says an interrupted run's children are not left running. Under systemd
/// the unit's `KillMode=mixed` already kills the whole cgroup when the daemon's main process
/// dies or the unit stops; this covers the daemon run without systemd, and a daemon that
/// `Restart=` brings back while something of the old cgroup survived.
///
/// Input: what the supervisor's `onStart` recorded for every child still marked running —
/// its process group (also its session), its start time, and its run id. A process counts
/// as ours only when BOTH hold:
/// - its session id (field 6 of `/proc/<pid>/stat`) is the recorded process group, and
/// - its initial environment (`/proc/<pid>/environ`) contains `MLOPSD_RUN_ID=<run id>`,
///   which the pipeline sets for every child and children inherit.
/// Together these guard against pid reuse: a later, unrelated process that got the same pid
/// is neither in that session nor started with that variable. When the leader itself still
/// exists with another start time than recorded, the session belongs to someone else and
/// the record is skipped. A process that cleared its environment is not recognised (under
/// systemd the cgroup catches it).
///
/// A child the earlier daemon started but died before recording (kill -9 between the spawn
/// and the store commit of its ``ChildStart``) has no record; ``unrecorded(runIDs:)`` finds
/// such children of the runs about to be marked `interrupted` by their `MLOPSD_RUN_ID`
/// alone (run ids are unique), among the processes of the daemon's own user.
///
/// The recognised processes get SIGTERM; whatever of them is still running after the grace
/// (and any member that appeared meanwhile) gets SIGKILL. Zombies are ignored: they are
/// already dead and their parent (or init) reaps them.
public enum StrayChildren {
    /// One child recorded as running by an earlier daemon.
    public struct Record: Sendable, Equatable {
        /// The child's process group id, which is also its session id.
        public var processGroup: pid_t
        /// The leader's start time (field 22 of `/proc/<pid>/stat`, see ``ChildStart``);
        /// 0 when unknown.
        public var leaderStartTime: UInt64
        /// The run the child belongs to (the value of its `MLOPSD_RUN_ID`).
        public var runID: String

        /// A record.
        public init(processGroup: pid_t, leaderStartTime: UInt64, runID: String) {
            self.processGroup = processGroup
            self.leaderStartTime = leaderStartTime
            self.runID = runID
        }
    }

    /// One process that was signalled.
    public struct Killed: Sendable, Equatable {
        /// Its pid.
        public var pid: pid_t
        /// The recorded process group (session) it belonged to.
        public var processGroup: pid_t
        /// Its run.
        public var runID: String
        /// The last signal sent to it: SIGTERM when that was enough, else SIGKILL.
        public var signal: Int32

        /// A killed process.
        public init(pid: pid_t, processGroup: pid_t, runID: String, signal: Int32) {
            self.pid = pid
            self.processGroup = processGroup
            self.runID = runID
            self.signal = signal
        }
    }

    /// Finds the recorded groups' processes, sends them SIGTERM, waits up to `grace`
    /// seconds for them to end, then sends SIGKILL to what is left. Returns every process
    /// signalled (empty when nothing of the records was running), for the caller to log as
    /// `childKilled` events (see ``log(_:logger:)``).
    ///
    /// The waiting happens on a thread of its own (``killWaiting(_:grace:)``), never on the
    /// cooperative pool.
    public static func kill(_ records: [Record], grace: Double = 5) async -> [Killed] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: killWaiting(records, grace: grace))
            }
        }
    }

    /// ``kill(_:grace:)`` on the calling thread, which it blocks for up to `grace` + 2
    /// seconds: for the daemon's start, before the engine serves.
    public static func killWaiting(_ records: [Record], grace: Double = 5) -> [Killed] {
        var killed: [pid_t: Killed] = [:]
        var order: [pid_t] = []
        func note(_ entry: ProcessTable.Entry, _ record: Record, _ signo: Int32) {
            if killed[entry.pid] == nil { order.append(entry.pid) }
            killed[entry.pid] = Killed(
                pid: entry.pid,
                processGroup: record.processGroup,
                runID: record.runID,
                signal: signo
            )
        }

        var terminated: [(ProcessTable.Entry, Record)] = []
        for record in records {
            for entry in members(of: record) where Glibc.kill(entry.pid, SIGTERM) == 0 {
                note(entry, record, SIGTERM)
                terminated.append((entry, record))
            }
        }
        guard !terminated.isEmpty else { return [] }

        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(max(0, grace.isFinite ? grace : 0))
        while clock.now < deadline, terminated.contains(where: { stillRunning($0.0) }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        // Whatever still runs, and whatever of the sessions appeared meanwhile.
        var forced: [ProcessTable.Entry] = []
        for record in records {
            for entry in members(of: record) where Glibc.kill(entry.pid, SIGKILL) == 0 {
                note(entry, record, SIGKILL)
                forced.append(entry)
            }
        }
        // SIGKILL is delivered asynchronously: wait (briefly) until they no longer run, so
        // that nothing of the earlier daemon runs once the caller goes on.
        let killDeadline = clock.now + .seconds(2)
        while clock.now < killDeadline, forced.contains(where: stillRunning) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return order.compactMap { killed[$0] }
    }

    /// Records for the live processes of this user whose initial environment holds
    /// `MLOPSD_RUN_ID=<one of runIDs>`, one per (session, run): children an earlier daemon
    /// started but never recorded. Pass only runs that have no other owner any more (those
    /// about to become `interrupted`; not a Slurm run, whose batch job may run on this host
    /// with the same variable). The daemon's own session is never included.
    public static func unrecorded(runIDs: Set<String>) -> [Record] {
        guard !runIDs.isEmpty else { return [] }
        let ownSession = getsid(0)
        let ownPID = getpid()
        let user = geteuid()
        var records: [Record] = []
        var seen = Set<String>()
        for pid in ProcessTable.allPIDs() where pid != ownPID {
            guard let entry = ProcessTable.entry(for: pid), entry.isLive, entry.session > 1,
                entry.session != ownSession,
                ProcessTable.owner(of: pid) == user,
                let run = ProcessTable.environmentValue(of: pid, name: "MLOPSD_RUN_ID"), runIDs.contains(run),
                seen.insert("\(entry.session) \(run)").inserted
            else { continue }
            records.append(Record(processGroup: entry.session, leaderStartTime: 0, runID: run))
        }
        return records
    }

    /// Logs one `childKilled` warning per process.
    public static func log(_ killed: [Killed], logger: Logger) {
        for process in killed {
            logger.warning(
                "killed process \(process.pid) of run \(process.runID), left by an earlier daemon in process group \(process.processGroup) (\(ChildOutcome.signalName(process.signal)))",
                metadata: [
                    "event": LogEvent.childKilled.metadataValue, "run": .string(process.runID),
                    "reason": "stray", "pid": .stringConvertible(process.pid),
                    "pgid": .stringConvertible(process.processGroup),
                    "signal": .string(ChildOutcome.signalName(process.signal)),
                ]
            )
        }
    }

    /// The live processes of `record`'s session that carry its run id; none when the
    /// record cannot be ours (our own session, a reused leader pid).
    static func members(of record: Record) -> [ProcessTable.Entry] {
        let group = record.processGroup
        guard group > 1, group != getpid(), group != getsid(0), !record.runID.isEmpty else { return [] }
        if record.leaderStartTime != 0, let leader = ProcessTable.entry(for: group),
            leader.startTime != record.leaderStartTime
        {
            return []
        }
        let token = "MLOPSD_RUN_ID=\(record.runID)"
        return ProcessTable.members(ofSession: group).filter { entry in
            entry.isLive && entry.pid != getpid() && ProcessTable.environment(of: entry.pid, contains: token)
        }
    }

    /// Whether the process signalled earlier is still the same, live process.
    static func stillRunning(_ entry: ProcessTable.Entry) -> Bool {
        guard let now = ProcessTable.entry(for: entry.pid) else { return false }
        return now.startTime == entry.startTime && now.isLive
    }
}
