import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// Process groups left by an earlier daemon, played by real sessions started outside the
/// supervisor (`setsid` via ``ProcessLauncher``): those carrying the recorded run id are
/// ended, others are left alone.
@Suite struct StrayChildrenTests {
    /// A session led by `/bin/sh -c script` (pid = pgid = sid), with `runID` in its environment.
    final class StraySession {
        let leader: pid_t
        private var reaped = false

        init(_ script: String, runID: String, expectedMembers: Int) async throws {
            leader = try ProcessLauncher.spawn(
                "/usr/bin/setsid",
                arguments: ["/bin/sh", "-c", script],
                environment: ["MLOPSD_RUN_ID=\(runID)", "PATH=/usr/bin:/bin"],
                stdout: "/dev/null"
            )
            let leader = self.leader
            try await eventually(timeout: 10, "\(expectedMembers) processes in session \(leader)") {
                liveSessionMembers(leader).count == expectedMembers
            }
        }

        var members: Set<pid_t> { Set(liveSessionMembers(leader).map(\.pid)) }

        var startTime: UInt64 { ProcessTable.entry(for: leader)?.startTime ?? 0 }

        /// Waits until the leader exits and reaps it.
        func reap(timeout: Double = 10) async throws {
            guard !reaped else { return }
            var status: Int32 = 0
            let leader = self.leader
            try await eventually(timeout: timeout, "leader \(leader) to exit") {
                waitpid(leader, &status, WNOHANG) == leader
            }
            reaped = true
        }

        /// Kills whatever is left and reaps the leader (cleanup for tests that keep it alive).
        func destroy() async throws {
            kill(-leader, SIGKILL)
            try await reap()
        }
    }

    @Test func strayGroupCarryingTheRunIdIsEndedWithEverythingInIt() async throws {
        let stray = try await StraySession("sleep 1000 & sleep 1000 & wait", runID: "r1", expectedMembers: 3)
        let members = stray.members
        let killed = await StrayChildren.kill(
            [StrayChildren.Record(processGroup: stray.leader, leaderStartTime: stray.startTime, runID: "r1")],
            grace: 5
        )
        #expect(Set(killed.map(\.pid)) == members)
        #expect(killed.allSatisfy { $0.signal == SIGTERM && $0.runID == "r1" && $0.processGroup == stray.leader })
        try await eventually(timeout: 5, "the stray session to be empty") { liveSessionMembers(stray.leader).isEmpty }
        try await stray.reap()
    }

    @Test func strayGroupIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let stray = try await StraySession("trap '' TERM; sleep 1000 & wait", runID: "r2", expectedMembers: 2)
        let clock = ContinuousClock()
        let start = clock.now
        let killed = await StrayChildren.kill(
            [StrayChildren.Record(processGroup: stray.leader, leaderStartTime: stray.startTime, runID: "r2")],
            grace: 0.3
        )
        #expect(clock.now - start >= .milliseconds(300))
        #expect(killed.count == 2)
        #expect(killed.allSatisfy { $0.signal == SIGKILL })
        try await eventually(timeout: 5, "the stray session to be empty") { liveSessionMembers(stray.leader).isEmpty }
        try await stray.reap()
    }

    @Test func groupWithoutTheRecordedRunIdIsLeftAlone() async throws {
        let stray = try await StraySession("sleep 1000 & wait", runID: "someone-else", expectedMembers: 2)
        let before = stray.members
        let killed = await StrayChildren.kill(
            [StrayChildren.Record(processGroup: stray.leader, leaderStartTime: stray.startTime, runID: "r1")],
            grace: 0.2
        )
        #expect(killed.isEmpty)
        #expect(stray.members == before)
        try await stray.destroy()
    }

    @Test func recordWhoseLeaderStartedAtAnotherTimeIsLeftAlone() async throws {
        let stray = try await StraySession("sleep 1000 & wait", runID: "r3", expectedMembers: 2)
        let before = stray.members
        let killed = await StrayChildren.kill(
            [StrayChildren.Record(processGroup: stray.leader, leaderStartTime: stray.startTime + 1, runID: "r3")],
            grace: 0.2
        )
        #expect(killed.isEmpty)
        #expect(stray.members == before)
        try await stray.destroy()
    }

    @Test func unrecordedChildOfAnInterruptedRunIsFoundByItsRunIdAndEnded() async throws {
        // The earlier daemon died between spawning the child and recording it: no record,
        // only the run id in the child's environment.
        let run = "unrecorded-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let orphan = try await StraySession("sleep 1000 & wait", runID: run, expectedMembers: 2)
        let bystander = try await StraySession("sleep 1000 & wait", runID: run + "-other", expectedMembers: 2)
        let records = StrayChildren.unrecorded(runIDs: [run])
        #expect(records == [StrayChildren.Record(processGroup: orphan.leader, leaderStartTime: 0, runID: run)])
        let members = orphan.members
        let killed = await StrayChildren.kill(records, grace: 5)
        #expect(Set(killed.map(\.pid)) == members)
        #expect(liveSessionMembers(orphan.leader).isEmpty)
        try await orphan.reap()
        #expect(bystander.members.count == 2)
        try await bystander.destroy()
    }

    @Test func recordOfAGroupThatIsGoneKillsNothing() async throws {
        let stray = try await StraySession("exit 0", runID: "r4", expectedMembers: 0)
        try await stray.reap()
        let killed = await StrayChildren.kill(
            [StrayChildren.Record(processGroup: stray.leader, leaderStartTime: 0, runID: "r4")],
            grace: 0.2
        )
        #expect(killed.isEmpty)
    }
}
