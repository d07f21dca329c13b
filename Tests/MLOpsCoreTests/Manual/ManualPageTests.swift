import Foundation
import Testing

@testable import MLOpsCore

/// The repository root, found from this file's path (Tests/MLOpsCoreTests/Manual/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `man/mlopsd.yaml.5` and `man/mlopsd-jobs.5` are generated from the declarations and
/// committed (packaging installs them from there): a key or kind added without
/// regenerating them fails here. `MLOPSD_UPDATE_MANUALS=1` rewrites them.
@Suite struct ManualPageTests {
    static let pages: [(path: String, text: String)] = [
        ("man/mlopsd.yaml.5", ConfigManualPage.render()),
        ("man/mlopsd-jobs.5", JobsManualPage.render()),
    ]

    @Test(arguments: pages.map(\.path)) func theCommittedPageIsTheGeneratedOne(path: String) throws {
        let text = try #require(Self.pages.first { $0.path == path }?.text)
        let url = repositoryRoot.appendingPathComponent(path)
        if ProcessInfo.processInfo.environment["MLOPSD_UPDATE_MANUALS"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(
            committed == text,
            "\(path) is out of date: MLOPSD_UPDATE_MANUALS=1 swift test --skip-build --filter ManualPageTests"
        )
    }

    @Test func theConfigurationPageNamesEveryKeyItsVariableAndTheAliases() {
        let page = ConfigManualPage.render()
        for key in DaemonConfig.allKeys {
            #expect(
                page.contains(ManualPage.bold(key.name) + " (" + ManualPage.bold(key.environmentName)),
                "\(key.name)"
            )
            if let alias = key.environmentAlias { #expect(page.contains(ManualPage.bold(alias))) }
        }
        #expect(page.contains(#"Default: \fB""\fR. Allowed: a systemd calendar expression"#))
        #expect(page.contains(#"Allowed: a number greater than 0 and less than 1."#))
    }

    @Test func theJobsPageNamesEveryKindAndEveryParameter() {
        let page = JobsManualPage.render()
        for kind in JobKind.allCases {
            #expect(page.contains(".SS " + kind.rawValue), "\(kind.rawValue)")
            for field in kind.declaration.schema.fields {
                #expect(page.contains(ManualPage.bold(field.name)), "\(kind.rawValue): \(field.name)")
            }
        }
    }

    @Test func pagesArePlainASCIIWithoutStrayRequests() {
        for (path, text) in Self.pages {
            let nonASCII = text.unicodeScalars.filter { !$0.isASCII }
            #expect(nonASCII.isEmpty, "\(path) has non-ASCII text: \(String(String.UnicodeScalarView(nonASCII)))")
            let known = [".TH", ".SH", ".SS", ".PP", ".TP", ".IP", ".RS", ".RE", ".nf", ".fi", #".\""#]
            for line in text.split(separator: "\n") where line.hasPrefix(".") || line.hasPrefix("'") {
                #expect(known.contains { line.hasPrefix($0) }, "\(path): a text line reads as a request: \(line)")
            }
        }
    }

    /// groff formats each page without a warning (`-ww`), as `man` and lintian would.
    @Test func groffFormatsEveryPageWithoutWarnings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else {
            print("SKIPPED: groff is not installed")
            return
        }
        for path in Self.pages.map(\.path) + ["man/mlopsd.8"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/groff")
            process.arguments = ["-man", "-Tutf8", "-ww", "-z", repositoryRoot.appendingPathComponent(path).path]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0 && text.isEmpty, "\(path): \(text)")
        }
    }
}
