import Foundation
import Logging
import Testing

@testable import MLOpsDaemon

/// The event catalogue: stable, well-formed MESSAGE_IDs, each explained by
/// systemd/mlopsd.catalog.
struct JournalLogEventTests {
    private typealias Event = MLOpsDaemon.LogEvent

    @Test func messageIDsAreUnique32CharLowercaseHex() {
        let ids = Event.allCases.map(\.messageID)
        #expect(Set(ids).count == ids.count)
        for event in Event.allCases {
            let id = event.messageID
            #expect(id.count == 32, "\(event)")
            #expect(id.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }, "\(event)")
        }
    }

    @Test func everyEventHasACatalogEntryAndNoOtherEntriesExist() throws {
        let text = try String(
            contentsOf: JournalHarness.repositoryFile("systemd/mlopsd.catalog"),
            encoding: .utf8
        )
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let headers = lines.filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        #expect(Set(headers) == Set(Event.allCases.map(\.messageID)))
        #expect(headers.count == Event.allCases.count)
        // Each entry has its Subject and Defined-By right after the header.
        for (index, line) in lines.enumerated() where line.hasPrefix("-- ") {
            let block = lines[(index + 1)...].prefix { !$0.hasPrefix("-- ") }
            #expect(block.contains { $0.hasPrefix("Subject: ") }, "\(line)")
            #expect(block.contains("Defined-By: mlopsd"), "\(line)")
            #expect(block.contains { $0.hasPrefix("Documentation: ") }, "\(line)")
        }
    }

    @Test func rawValuesAreSnakeCaseOfCaseNames() {
        for event in Event.allCases {
            let caseName = String(reflecting: event).split(separator: ".").last.map(String.init) ?? ""
            var snake = ""
            for character in caseName {
                if character.isUppercase { snake += "_" + character.lowercased() } else { snake.append(character) }
            }
            #expect(event.rawValue == snake)
            #expect("\(event)" == event.rawValue)
        }
    }

    @Test func defaultPrioritiesAreSyslogLevelsMatchingLogLevel() {
        for event in Event.allCases {
            #expect((0...7).contains(event.defaultPriority))
            #expect(JournalLogHandler.priority(for: event.logLevel) == event.defaultPriority, "\(event)")
        }
        #expect(Event.jobFailed.defaultPriority == 3)
        #expect(Event.jobSucceeded.defaultPriority == 6)
    }

    @Test func metadataValueIsRecognisedByTheHandler() {
        let handler = JournalLogHandler(label: "t", mode: .stderr)
        let fields = handler.fields(
            level: .info,
            message: "m",
            metadata: ["event": Event.modelUpdated.metadataValue],
            file: "f",
            function: "g",
            line: 1
        )
        #expect(fields.contains { $0.name == "MESSAGE_ID" && $0.value == Event.modelUpdated.messageID })
    }
}
