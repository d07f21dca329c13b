import Foundation
import Glibc

@testable import MLOpsDaemon

/// Test support for everything that needs the real system: a running systemd-journald,
/// `journalctl`, `systemd-analyze`, and the repository's own files.
///
/// Tests that need journald are enabled with `.enabled(if: JournalHarness.journaldAvailable)`.
/// When journald cannot be started (no `/lib/systemd/systemd-journald`, no permission to
/// create `/run/systemd/journal`, no `journalctl`), those tests are skipped and the reason
/// is printed once as `SKIPPED: no journald (…)`: a missing journal on a developer machine
/// is an environment fact, not a failure of our code.
enum JournalHarness {
    /// The repository root, found from this file's path (Tests/MLOpsDaemonTests/Support/).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // MLOpsDaemonTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// A file of the repository, e.g. `repositoryFile("systemd/mlopsd.service")`.
    static func repositoryFile(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent(relativePath)
    }

    /// Whether a journald answers (starting one with scripts/ensure-journald.sh if
    /// needed). Evaluated once per test process.
    static var journaldAvailable: Bool { unavailableReason == nil }

    /// `nil` when journald answers; otherwise why not (printed once).
    private static let unavailableReason: String? = {
        let reason = journaldUnavailableReason()
        if let reason {
            print("SKIPPED: no journald (\(reason))")
        }
        return reason
    }()

    private static func journaldUnavailableReason() -> String? {
        guard
            FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl")
                || FileManager.default.isExecutableFile(atPath: "/bin/journalctl")
        else { return "journalctl is not installed" }
        let script = repositoryFile("scripts/ensure-journald.sh").path
        let result = run("/bin/sh", [script])
        guard result.status == 0 else {
            let output = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
            return "scripts/ensure-journald.sh exited \(result.status): \(output)"
        }
        return nil
    }

    /// The result of one command.
    struct CommandResult {
        /// Exit status (or 127 when the command could not be started).
        var status: Int32
        /// Everything written to standard output.
        var stdout: String
        /// Everything written to standard error.
        var stderr: String
    }

    /// Runs a command to completion and collects its output.
    ///
    /// Output goes through temporary files, not pipes, so a background process the
    /// command leaves behind (ensure-journald.sh starts journald) cannot keep us waiting
    /// for end-of-file.
    static func run(_ executable: String, _ arguments: [String]) -> CommandResult {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopsd-cmd-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return CommandResult(status: 127, stdout: "", stderr: "cannot create \(directory.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
        else {
            return CommandResult(status: 127, stdout: "", stderr: "cannot create output files in \(directory.path)")
        }

        // posix_spawn and waitpid on the one child, not Foundation's Process: its wait for
        // SIGCHLD once hung here with the child already a zombie (seen with headless
        // Chromium's processes coming and going in the same test run).
        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(
                executable,
                argv: [executable] + arguments,
                environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" },
                actions: [
                    .open(0, path: "/dev/null", flags: O_RDONLY),
                    .open(1, path: outURL.path, flags: O_WRONLY | O_TRUNC),
                    .open(2, path: errURL.path, flags: O_WRONLY | O_TRUNC),
                    .closeFrom(3),
                ]
            )
        } catch {
            return CommandResult(status: 127, stdout: "", stderr: "cannot run \(executable): \(error)")
        }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 {
            guard errno == EINTR else { return CommandResult(status: 127, stdout: "", stderr: "waitpid: \(errno)") }
        }
        let status: Int32 = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return CommandResult(status: status, stdout: stdout, stderr: stderr)
    }

    /// The journal entries whose fields equal all of `matching`, polling `journalctl`
    /// until at least one appears or `deadline` passes (then the empty array).
    ///
    /// Each entry maps field names to values. `journalctl -o json` renders values that are
    /// not printable UTF-8 as arrays of byte values, and repeated fields as arrays: bytes
    /// are decoded as UTF-8, and of repeated fields the first value is kept.
    static func journalEntries(
        matching: [String: String],
        deadline: ContinuousClock.Instant
    ) -> [[String: String]] {
        let matches = matching.keys.sorted().map { "\($0)=\(matching[$0] ?? "")" }
        while true {
            let result = run("/usr/bin/journalctl", ["-o", "json", "--all", "--no-pager"] + matches)
            let entries = result.stdout.split(separator: "\n").compactMap { line in
                decodeEntry(Data(line.utf8))
            }
            if !entries.isEmpty || ContinuousClock.now >= deadline {
                return entries
            }
            // Poll interval while waiting for the condition, bounded by the deadline.
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Decodes one line of `journalctl -o json`.
    static func decodeEntry(_ line: Data) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            return nil
        }
        var entry: [String: String] = [:]
        for (key, value) in object {
            if let text = decodeValue(value) { entry[key] = text }
        }
        return entry
    }

    private static func decodeValue(_ value: Any) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.stringValue }
        guard let array = value as? [Any], let first = array.first else { return nil }
        if array.allSatisfy({ $0 is NSNumber }) {
            let bytes = array.compactMap { ($0 as? NSNumber)?.uint8Value }
            return String(decoding: bytes, as: UTF8.self)
        }
        return decodeValue(first)
    }
}
