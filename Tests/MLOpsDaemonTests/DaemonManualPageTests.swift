import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// `man/mlopsd.8` is written by hand: it must name every option the binary has, every exit
/// status a start can end with, and the unit must point at the three pages.
@Suite struct DaemonManualPageTests {
    static let repository = PipelineDaemonTests.repository

    static var page: String {
        (try? String(contentsOfFile: repository + "/man/mlopsd.8", encoding: .utf8)) ?? ""
    }

    @Test func thePageNamesEveryOptionOfMlopsdHelp() throws {
        let prefix = "/tmp/mlopsd-tests/help.\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: "/tmp/mlopsd-tests", withIntermediateDirectories: true)
        let p = try ChildProcess(
            DaemonHarness.binDirectory + "/mlopsd",
            ["--help"],
            environment: [:],
            logPrefix: prefix
        )
        _ = try p.waitForExit(timeout: 30)
        let help = (try? String(contentsOfFile: prefix + ".out", encoding: .utf8)) ?? ""
        defer {
            unlink(prefix + ".out")
            unlink(prefix + ".err")
        }
        var options: [String] = []
        for line in help.split(separator: "\n") {
            for word in line.split(separator: " ") where word.hasPrefix("-") {
                options.append(String(word.trimmingCharacters(in: CharacterSet(charactersIn: ",<>"))))
            }
        }
        #expect(options.contains("--check-config") && options.contains("--config"), "\(help)")
        for option in Set(options) {
            #expect(Self.page.contains(option.replacingOccurrences(of: "-", with: #"\-"#)), "mlopsd.8 lacks \(option)")
        }
    }

    @Test func thePageListsEveryExitStatusOfAStart() {
        let errors: [Daemon.StartError] = [.config(""), .spool(""), .store(""), .alreadyRunning("")]
        for code in errors.map(\.exitCode) + [0, 64] {
            #expect(Self.page.contains(".B \(code)\n"), "mlopsd.8 lacks exit status \(code)")
        }
    }

    @Test func theUnitPointsAtTheThreePages() throws {
        let unit = try String(contentsOfFile: Self.repository + "/systemd/mlopsd.service", encoding: .utf8)
        let documentation = unit.split(separator: "\n").filter { $0.hasPrefix("Documentation=") }
            .flatMap { $0.dropFirst("Documentation=".count).split(separator: " ") }.map(String.init)
        #expect(Array(documentation.prefix(3)) == ["man:mlopsd(8)", "man:mlopsd.yaml(5)", "man:mlopsd-jobs(5)"])
        for page in ["mlopsd.8", "mlopsd.yaml.5", "mlopsd-jobs.5"] {
            #expect(FileManager.default.fileExists(atPath: Self.repository + "/man/" + page), "man/\(page)")
        }
    }
}
