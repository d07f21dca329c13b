import Foundation
import Logging
import Testing

@testable import MLOpsDaemon

/// The stderr path of ``JournalLogHandler``: its line format, `.stderr` mode, and the
/// fallback of `.automatic` mode when the journal refuses a send. (libsystemd always sends
/// to /run/systemd/journal/socket, so a refusing journal is simulated with the handler's
/// test-only sender returning -ECONNREFUSED, the value libsystemd returns when journald is
/// gone — see NOTES.md "journald".)
struct JournalFallbackTests {
    /// Logs through `handler` factory into a pipe and returns what arrived.
    private func capture(
        _ makeHandler: @escaping @Sendable (String, Int32) -> JournalLogHandler,
        _ body: (Logger) -> Void
    ) throws -> String {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        body(Logger(label: "fallback") { makeHandler($0, descriptor) })
        try pipe.fileHandleForWriting.close()
        let data = try pipe.fileHandleForReading.readToEnd() ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func fallbackLineHasLevelEventMessageAndSortedKeys() {
        let line = JournalLogHandler.fallbackLine(
            level: .info,
            message: "job done",
            metadata: ["model": "m", "event": "job_succeeded", "job": "j1"]
        )
        #expect(line == "info [job_succeeded] job done job=j1 model=m")
    }

    @Test func fallbackLineWithoutEventHasNoBrackets() {
        let line = JournalLogHandler.fallbackLine(level: .warning, message: "hm", metadata: [:])
        #expect(line == "warning hm")
    }

    @Test func fallbackLineStaysOnOneLineAndQuotesAwkwardValues() {
        let line = JournalLogHandler.fallbackLine(
            level: .error,
            message: "two\nlines",
            metadata: ["out": "a b", "tb": "x\ny", "empty": "", "q": "say \"hi\"", "eq": "a=b"]
        )
        #expect(!line.contains("\n"))
        #expect(line == #"error two\nlines empty="" eq="a=b" out="a b" q="say \"hi\"" tb="x\ny""#)
    }

    @Test func stderrModeWritesOneLinePerEntry() throws {
        let makeHandler: @Sendable (String, Int32) -> JournalLogHandler = { label, fd in
            JournalLogHandler(label: label, mode: .stderr, fallbackDescriptor: fd)
        }
        let output = try capture(makeHandler) { logger in
            logger.info("first", metadata: ["event": "daemon_ready"])
            logger.error("second", metadata: ["job": "j2"])
            logger.debug("hidden below the default level")
        }
        #expect(output == "info [daemon_ready] first\nerror second job=j2\n")
    }

    @Test func automaticModeFallsBackWhenJournalRefuses() throws {
        let makeHandler: @Sendable (String, Int32) -> JournalLogHandler = { label, fd in
            JournalLogHandler(
                label: label,
                mode: .automatic,
                fallbackDescriptor: fd,
                sender: { _ in -ECONNREFUSED }
            )
        }
        let output = try capture(makeHandler) { logger in
            logger.warning("no journal", metadata: ["event": "spool_overflow", "run": "r"])
        }
        #expect(output == "warning [spool_overflow] no journal run=r\n")
    }

    @Test func automaticModeRetriesTheJournalForEveryEntry() throws {
        let recorder = JournalSenderRecorder()
        let makeHandler: @Sendable (String, Int32) -> JournalLogHandler = { label, fd in
            JournalLogHandler(
                label: label,
                mode: .automatic,
                fallbackDescriptor: fd,
                sender: { fields in recorder.record(fields) == 1 ? -ECONNREFUSED : 0 }
            )
        }
        let output = try capture(makeHandler) { logger in
            logger.info("while down")
            logger.info("after journald came back")
        }
        #expect(recorder.attempts == 2)
        #expect(output == "info while down\n")
    }

    @Test func journalModeNeverWritesToStderr() throws {
        let makeHandler: @Sendable (String, Int32) -> JournalLogHandler = { label, fd in
            JournalLogHandler(
                label: label,
                mode: .journal,
                fallbackDescriptor: fd,
                sender: { _ in -ECONNREFUSED }
            )
        }
        let output = try capture(makeHandler) { logger in
            logger.critical("lost")
        }
        #expect(output.isEmpty)
    }

    @Test func swiftLogErrorBecomesErrorField() throws {
        struct Broken: Error {}
        let captured = JournalSenderRecorder()
        let logger = Logger(label: "e") { label in
            JournalLogHandler(
                label: label,
                mode: .journal,
                fallbackDescriptor: -1,
                sender: { fields in
                    captured.record(fields)
                    return 0
                }
            )
        }
        logger.error("failed", error: Broken(), metadata: ["job": "j"])
        let fields = captured.lastFields
        #expect(fields.contains { $0.name == "MLOPSD_ERROR" && $0.value.contains("Broken") })
        #expect(fields.contains { $0.name == "MLOPSD_JOB" && $0.value == "j" })
    }

    @Test func callMetadataOverridesProviderWhichOverridesHandlerMetadata() {
        let captured = JournalSenderRecorder()
        var logger = Logger(label: "merge") { label in
            JournalLogHandler(
                label: label,
                mode: .journal,
                metadataProvider: Logger.MetadataProvider { ["run": "provided", "model": "provided"] },
                fallbackDescriptor: -1,
                sender: { fields in
                    captured.record(fields)
                    return 0
                }
            )
        }
        logger[metadataKey: "model"] = "handler"
        logger[metadataKey: "version"] = "1.0.0"
        logger.info("merged", metadata: ["run": "call"])
        let fields = Dictionary(captured.lastFields.map { ($0.name, $0.value) }) { first, _ in first }
        #expect(fields["MLOPSD_VERSION"] == "1.0.0")
        #expect(fields["MLOPSD_MODEL"] == "provided")
        #expect(fields["MLOPSD_RUN"] == "call")
    }
}
