import Foundation
import Testing

@testable import MLOpsCore

/// Slurm's answers, as printed by Slurm 22.05 (NOTES.md, measured), and what each means
/// for the stage.
@Suite struct SlurmJobStatusTests {
    static func line(_ state: String, _ exit: String, reason: String = "None") -> String {
        "JobId=7 JobName=mlopsd-r1-train UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) "
            + "JobState=\(state) Reason=\(reason) Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=\(exit) "
            + "RunTime=00:00:01 TimeLimit=00:01:00 NodeList=node1 Command=/var/lib/mlopsd/runs/a b/train/slurm-job.sh "
            + "WorkDir=/var/lib/mlopsd/runs/a b/train StdErr=/x/stderr.log"
    }

    @Test func scontrolFieldsKeepValuesWithSpaces() {
        let fields = SlurmJobStatus.scontrolFields(Self.line("RUNNING", "0:0"))
        #expect(fields["Command"] == "/var/lib/mlopsd/runs/a b/train/slurm-job.sh")
        #expect(fields["WorkDir"] == "/var/lib/mlopsd/runs/a b/train")
        #expect(fields["JobName"] == "mlopsd-r1-train")
        #expect(fields["UserId"] == "root(0)")
    }

    @Test func runningPendingAndCompletingAreNotFinished() throws {
        for state in ["PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "REQUEUED"] {
            let status = try #require(SlurmJobStatus.parseScontrol(Self.line(state, "0:0")))
            #expect(!status.isFinished, "\(state)")
            #expect(status.ending == nil)
        }
        #expect(SlurmJobStatus.parseScontrol(Self.line("PENDING", "0:0", reason: "Resources"))?.hasStarted == false)
        #expect(SlurmJobStatus.parseScontrol(Self.line("COMPLETING", "0:0"))?.hasStarted == true)
    }

    @Test func statesAndExitCodesMapOntoTheStageOutcome() {
        func ending(_ state: String, _ exit: String) -> SlurmJobStatus.Ending? {
            SlurmJobStatus.parseScontrol(Self.line(state, exit))?.ending
        }
        #expect(ending("COMPLETED", "0:0") == .succeeded)
        #expect(ending("FAILED", "3:0") == .failed(exitStatus: 3, signal: 0, why: "FAILED with exit code 3:0"))
        #expect(ending("CANCELLED", "0:15") == .cancelled)
        #expect(ending("CANCELLED", "0:9") == .cancelled)
        #expect(ending("TIMEOUT", "0:15") == .timedOut)
        #expect(ending("NODE_FAIL", "0:0") == .nodeFailure(why: "NODE_FAIL on node1"))
        #expect(ending("BOOT_FAIL", "0:0") == .nodeFailure(why: "BOOT_FAIL on node1"))
        if case .failed(_, _, let why)? = ending("OUT_OF_MEMORY", "0:125") {
            #expect(why.contains("--mem"))
        } else {
            Issue.record("OOM")
        }
        if case .failed(let code, let signal, _)? = ending("FAILED", "0:9") {
            #expect(code == 0 && signal == 9)
        } else {
            Issue.record("signal")
        }
    }

    @Test func aLineWithoutAJobStateIsNotAStatus() {
        #expect(SlurmJobStatus.parseScontrol("slurm_load_jobs error: Invalid job id specified") == nil)
        #expect(SlurmJobStatus.parseScontrol("") == nil)
    }

    @Test func accountingAnswersForTheJobNotItsSteps() throws {
        let output = "7|FAILED|3:0\n7.batch|FAILED|3:0\n8|CANCELLED by 0|0:0\n"
        let seven = try #require(SlurmJobStatus.parseAccounting(output, id: "7"))
        #expect(seven.state == "FAILED" && seven.exitStatus == 3 && seven.fromAccounting)
        #expect(SlurmJobStatus.parseAccounting(output, id: "8")?.ending == .cancelled)
        #expect(SlurmJobStatus.parseAccounting(output, id: "9") == nil)
    }

    static func timedLine(_ state: String, submit: String, start: String, end: String) -> String {
        "JobId=7 JobName=mlopsd-r1-train JobState=\(state) Reason=None ExitCode=0:0 RunTime=00:00:01 "
            + "SubmitTime=\(submit) EligibleTime=\(submit) AccrueTime=Unknown StartTime=\(start) EndTime=\(end) "
            + "Deadline=N/A SuspendTime=None NodeList=node1"
    }

    static func utc(_ text: String) -> Date? { SlurmJobStatus.parseTime(text, timeZone: .gmt) }

    @Test func slurmTimesAreReadInTheGivenTimeZone() throws {
        let utc = try #require(Self.utc("2026-12-06T10:30:12"))
        #expect(utc.timeIntervalSince1970 == 1_796_553_012)
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(SlurmJobStatus.parseTime("2026-12-06T19:30:12", timeZone: tokyo) == utc)
        #expect(SlurmJobStatus.parseTime(" 2026-12-06T10:30:12 ", timeZone: .gmt) == utc)
    }

    @Test func unknownNoneAndMalformedTimesAreNoTimes() {
        for text in [
            "Unknown", "None", "N/A", "", "(null)", "2026-12-06", "2026-12-06T10:30", "2026-13-06T10:30:12",
            "2026-02-30T10:30:12", "2026-12-06T24:00:00", "2026-12-06T10:30:12Z", "2026-12-06T1O:30:12",
            "+2026-12-06T10:30:12", "2026-12-06T10:30:12:00",
        ] {
            #expect(Self.utc(text) == nil, "\(text)")
        }
    }

    @Test func aFinishedJobCarriesSlurmsSubmitStartAndEnd() throws {
        let line = Self.timedLine(
            "COMPLETED",
            submit: "2026-12-06T10:30:00",
            start: "2026-12-06T10:30:12",
            end: "2026-12-06T10:30:14"
        )
        let status = try #require(SlurmJobStatus.parseScontrol(line, timeZone: .gmt))
        #expect(status.submitTime == Self.utc("2026-12-06T10:30:00"))
        #expect(status.startTime == Self.utc("2026-12-06T10:30:12"))
        #expect(status.endTime == Self.utc("2026-12-06T10:30:14"))
    }

    @Test func aPendingJobsExpectedStartAndARunningJobsExpectedEndAreNotTimes() throws {
        // Slurm prints a pending job's expected start and a running job's start + time limit.
        let pending = try #require(
            SlurmJobStatus.parseScontrol(
                Self.timedLine(
                    "PENDING",
                    submit: "2026-12-06T10:30:00",
                    start: "2026-12-06T11:00:00",
                    end: "2026-12-06T12:00:00"
                ),
                timeZone: .gmt
            )
        )
        #expect(pending.submitTime == Self.utc("2026-12-06T10:30:00"))
        #expect(pending.startTime == nil)
        #expect(pending.endTime == nil)
        let running = try #require(
            SlurmJobStatus.parseScontrol(
                Self.timedLine(
                    "RUNNING",
                    submit: "2026-12-06T10:30:00",
                    start: "2026-12-06T10:30:12",
                    end: "2026-12-06T10:40:12"
                ),
                timeZone: .gmt
            )
        )
        #expect(running.startTime == Self.utc("2026-12-06T10:30:12"))
        #expect(running.endTime == nil)
    }

    @Test func unknownOrMissingTimesLeaveTheStatusWithoutThem() throws {
        let unknown = try #require(
            SlurmJobStatus.parseScontrol(
                Self.timedLine("RUNNING", submit: "Unknown", start: "Unknown", end: "Unknown"),
                timeZone: .gmt
            )
        )
        #expect(unknown.submitTime == nil && unknown.startTime == nil && unknown.endTime == nil)
        #expect(unknown.state == "RUNNING")
        let missing = try #require(SlurmJobStatus.parseScontrol(Self.line("COMPLETED", "0:0"), timeZone: .gmt))
        #expect(missing.submitTime == nil && missing.startTime == nil && missing.endTime == nil)
        #expect(missing.ending == .succeeded)
    }

    @Test func aJobCancelledWhilePendingHasNoStartAndNoEndBeforeIt() throws {
        let status = try #require(
            SlurmJobStatus.parseScontrol(
                Self.timedLine("CANCELLED", submit: "2026-12-06T10:30:00", start: "None", end: "2026-12-06T10:31:00"),
                timeZone: .gmt
            )
        )
        #expect(status.startTime == nil)
        #expect(status.endTime == Self.utc("2026-12-06T10:31:00"))
    }

    @Test func accountingTimesAreReadAndAShortOrOldLineHasNone() throws {
        let output = "7|COMPLETED|0:0|2026-12-06T10:30:12|2026-12-06T10:30:14\n7.batch|COMPLETED|0:0|Unknown|Unknown\n"
        let status = try #require(SlurmJobStatus.parseAccounting(output, id: "7", timeZone: .gmt))
        #expect(status.startTime == Self.utc("2026-12-06T10:30:12"))
        #expect(status.endTime == Self.utc("2026-12-06T10:30:14"))
        #expect(status.submitTime == nil)
        let old = try #require(SlurmJobStatus.parseAccounting("7|FAILED|3:0\n", id: "7", timeZone: .gmt))
        #expect(old.startTime == nil && old.endTime == nil)
        #expect(old.exitStatus == 3)
        let unknown = try #require(SlurmJobStatus.parseAccounting("7|CANCELLED by 0|0:0|None|Unknown", id: "7"))
        #expect(unknown.startTime == nil && unknown.endTime == nil)
        #expect(unknown.state == "CANCELLED")
    }
}
