import Logging
import Testing

@testable import MLOpsDaemon

/// Metadata keys become journald field names journald accepts (it silently drops others).
struct JournalFieldMappingTests {
    /// journald's own rule: 1–64 characters of `[A-Z0-9_]`, not starting with `_` or a digit.
    private func journaldAccepts(_ name: String) -> Bool {
        guard (1...64).contains(name.count), let first = name.first, first != "_",
            !first.isNumber
        else { return false }
        return name.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    @Test func knownKeysMapToDesignFields() {
        let expected = [
            "job": "MLOPSD_JOB", "model": "MLOPSD_MODEL", "version": "MLOPSD_VERSION",
            "run": "MLOPSD_RUN", "alert": "MLOPSD_ALERT", "severity": "MLOPSD_SEVERITY",
            "health": "MLOPSD_HEALTH", "event": "MLOPSD_EVENT",
        ]
        for (key, field) in expected {
            #expect(JournalLogHandler.fieldName(forMetadataKey: key) == field)
        }
    }

    @Test func otherKeysAreUppercasedPrefixedAndSanitised() {
        #expect(JournalLogHandler.fieldName(forMetadataKey: "lower_case.key") == "MLOPSD_LOWER_CASE_KEY")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "stage-name") == "MLOPSD_STAGE_NAME")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "ab test/é") == "MLOPSD_AB_TEST__")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "MLOPSD_JOB") == "MLOPSD_JOB")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "_private") == "MLOPSD__PRIVATE")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "1st") == "MLOPSD_1ST")
    }

    @Test func everyMappedNameIsAcceptedByJournald() {
        let keys = [
            "", "a", "_", "9", "ключ", "emoji🙂key", "with space", "dots.and-dashes",
            String(repeating: "x", count: 200), "MLOPSD_", "mlopsd_x", "\n", "=",
        ]
        for key in keys {
            let name = JournalLogHandler.fieldName(forMetadataKey: key)
            #expect(journaldAccepts(name), "\(key.debugDescription) → \(name)")
        }
        #expect(JournalLogHandler.fieldName(forMetadataKey: String(repeating: "x", count: 200)).count == 64)
    }

    @Test func valuesAreFlattenedCompactly() {
        #expect(JournalLogHandler.flatten(.string("s")) == "s")
        #expect(JournalLogHandler.flatten(.stringConvertible(42)) == "42")
        #expect(JournalLogHandler.flatten(["a", ["b", "c"]]) == "[a,[b,c]]")
        #expect(JournalLogHandler.flatten(["z": "1", "a": ["x": "2"]]) == "{a:{x:2},z:1}")
    }

    @Test func messageIDOnlyForKnownEvents() {
        let handler = JournalLogHandler(label: "t", mode: .stderr)
        func names(_ metadata: Logger.Metadata) -> [String] {
            handler.fields(level: .info, message: "m", metadata: metadata, file: "f", function: "g", line: 1)
                .map(\.name)
        }
        #expect(names(["event": "job_claimed"]).contains("MESSAGE_ID"))
        #expect(names(["event": "job_claimed"]).contains("MLOPSD_EVENT"))
        #expect(!names(["event": "not_an_event"]).contains("MESSAGE_ID"))
        #expect(names(["event": "not_an_event"]).contains("MLOPSD_EVENT"))
        #expect(!names([:]).contains("MESSAGE_ID"))
    }
}
