import Foundation
import Logging
import Testing

@testable import MLOpsDaemon

/// Entries written through ``JournalLogHandler`` and read back from a real
/// systemd-journald with `journalctl`. Skipped (with a printed reason) where no journald
/// can be started; see ``JournalHarness``.
@Suite(.enabled(if: JournalHarness.journaldAvailable, "needs a running systemd-journald"))
struct JournalTests {
    /// A logger writing only to the journal (so a failure cannot hide behind stderr).
    private func journalLogger() -> Logger {
        var logger = Logger(label: "mlopsd.tests.journal") { label in
            JournalLogHandler(label: label, mode: .journal, level: .trace)
        }
        logger.logLevel = .trace
        return logger
    }

    private func uniqueID() -> String { "test-" + UUID().uuidString.lowercased() }

    private func entries(_ matching: [String: String]) -> [[String: String]] {
        JournalHarness.journalEntries(matching: matching, deadline: .now + .seconds(10))
    }

    @Test func entryCarriesMappedFieldsPriorityAndMessageID() throws {
        let job = uniqueID()
        journalLogger().info(
            "job done",
            metadata: ["event": "job_succeeded", "job": "\(job)", "model": "m", "lower_case.key": "v"]
        )
        let found = entries(["MLOPSD_JOB": job])
        let entry = try #require(found.first, "no journal entry with MLOPSD_JOB=\(job)")
        #expect(found.count == 1)
        #expect(entry["MESSAGE"] == "job done")
        #expect(entry["PRIORITY"] == "6")
        #expect(entry["MESSAGE_ID"] == MLOpsDaemon.LogEvent.jobSucceeded.messageID)
        #expect(entry["MLOPSD_EVENT"] == "job_succeeded")
        #expect(entry["SYSLOG_IDENTIFIER"] == "mlopsd")
        #expect(entry["MLOPSD_MODEL"] == "m")
        #expect(entry["MLOPSD_LOWER_CASE_KEY"] == "v")
        #expect(entry["MLOPSD_LOGGER"] == "mlopsd.tests.journal")
    }

    @Test func entryRecordsCodeLocation() throws {
        let job = uniqueID()
        let line = #line + 1
        journalLogger().notice("located", metadata: ["job": "\(job)"])
        let entry = try #require(entries(["MLOPSD_JOB": job]).first)
        #expect(entry["CODE_LINE"] == String(line))
        #expect(entry["CODE_FILE"]?.hasSuffix("JournalTests.swift") == true)
        #expect(entry["CODE_FUNC"]?.hasPrefix("entryRecordsCodeLocation") == true)
        #expect(entry["PRIORITY"] == "5")
    }

    @Test func errorLevelEntryHasPriority3() throws {
        let job = uniqueID()
        journalLogger().error("it broke", metadata: ["job": "\(job)", "event": "job_failed"])
        let entry = try #require(entries(["MLOPSD_JOB": job]).first)
        #expect(entry["PRIORITY"] == "3")
        #expect(entry["MESSAGE_ID"] == MLOpsDaemon.LogEvent.jobFailed.messageID)
    }

    @Test func levelsMapToSyslogPriorities() throws {
        let run = uniqueID()
        let levels: [(Logger.Level, String)] = [
            (.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"),
            (.warning, "4"), (.error, "3"), (.critical, "2"),
        ]
        let logger = journalLogger()
        for (level, _) in levels {
            logger.log(level: level, "level \(level.rawValue)", metadata: ["run": "\(run)"])
        }
        // Wait until all seven have arrived, then compare.
        let deadline = ContinuousClock.now + .seconds(10)
        var found: [[String: String]] = []
        repeat {
            found = JournalHarness.journalEntries(matching: ["MLOPSD_RUN": run], deadline: deadline)
        } while found.count < levels.count && ContinuousClock.now < deadline
        let byMessage = Dictionary(found.map { ($0["MESSAGE"] ?? "", $0["PRIORITY"] ?? "") }) { a, _ in a }
        for (level, priority) in levels {
            #expect(byMessage["level \(level.rawValue)"] == priority, "level \(level)")
        }
    }

    @Test func multiLineMetadataValueArrivesIntact() throws {
        let job = uniqueID()
        let traceback = "Traceback (most recent call last):\n  File \"train.py\", line 3\nValueError: bad\n\ttabbed"
        journalLogger().warning(
            "stage failed\nsecond line",
            metadata: ["job": "\(job)", "stage_output": "\(traceback)"]
        )
        let entry = try #require(entries(["MLOPSD_JOB": job]).first)
        #expect(entry["MLOPSD_STAGE_OUTPUT"] == traceback)
        #expect(entry["MESSAGE"] == "stage failed\nsecond line")
    }

    @Test func structuredMetadataIsFlattened() throws {
        let job = uniqueID()
        journalLogger().info(
            "flat",
            metadata: [
                "job": "\(job)",
                "columns": ["a", "b"],
                "scores": ["ks": "0.2", "psi": "0.1"],
                "health": .stringConvertible(0.75),
            ]
        )
        let entry = try #require(entries(["MLOPSD_JOB": job]).first)
        #expect(entry["MLOPSD_COLUMNS"] == "[a,b]")
        #expect(entry["MLOPSD_SCORES"] == "{ks:0.2,psi:0.1}")
        #expect(entry["MLOPSD_HEALTH"] == "0.75")
    }

    @Test func automaticModeWritesNothingToStderrWhileJournalAnswers() throws {
        let job = uniqueID()
        let pipe = Pipe()
        let logger = Logger(label: "mlopsd.tests.auto") { label in
            JournalLogHandler(
                label: label,
                mode: .automatic,
                fallbackDescriptor: pipe.fileHandleForWriting.fileDescriptor
            )
        }
        logger.info("auto", metadata: ["job": "\(job)"])
        #expect(entries(["MLOPSD_JOB": job]).count == 1)
        try pipe.fileHandleForWriting.close()
        let spilled = try pipe.fileHandleForReading.readToEnd() ?? Data()
        #expect(spilled.isEmpty, "fallback written: \(String(decoding: spilled, as: UTF8.self))")
    }

    @Test func customIdentifierIsUsed() throws {
        let job = uniqueID()
        let logger = Logger(label: "x") { label in
            JournalLogHandler(label: label, identifier: "mlopsd-test", mode: .journal)
        }
        logger.info("ident", metadata: ["job": "\(job)"])
        let entry = try #require(entries(["MLOPSD_JOB": job, "SYSLOG_IDENTIFIER": "mlopsd-test"]).first)
        #expect(entry["SYSLOG_IDENTIFIER"] == "mlopsd-test")
    }
}
