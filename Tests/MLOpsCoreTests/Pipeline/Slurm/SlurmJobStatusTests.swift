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
}
