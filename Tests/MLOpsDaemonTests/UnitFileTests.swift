import Foundation
import Testing

@testable import MLOpsDaemon

/// The files under systemd/: the unit verifies and is hardened (exposure ≤ 2.0), sysusers
/// and tmpfiles lines are accepted by systemd's own tools and build the intended spool,
/// and the catalog compiles. Each check needs systemd's tools; without them it is skipped
/// with a printed reason.
struct UnitFileTests {
    // Debian 12 has a merged /usr: systemd's tools live in /usr/bin.
    private static let analyze = "/usr/bin/systemd-analyze"
    private static let sysusers = "/usr/bin/systemd-sysusers"
    private static let tmpfiles = "/usr/bin/systemd-tmpfiles"
    private static let journalctl = "/usr/bin/journalctl"

    private static func tool(_ path: String) -> Bool {
        let present = FileManager.default.isExecutableFile(atPath: path)
        if !present { print("SKIPPED: \(path) is not installed") }
        return present
    }

    private static var isRoot: Bool {
        let root = geteuid() == 0
        if !root { print("SKIPPED: creating the spool with owners needs root") }
        return root
    }

    private func unitText() throws -> String {
        try String(contentsOf: JournalHarness.repositoryFile("systemd/mlopsd.service"), encoding: .utf8)
    }

    /// The unit copied into a fresh directory, with ExecStart pointed at a binary that
    /// exists (verify checks that it does); everything else unchanged.
    private func testableUnit() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = try unitText().replacingOccurrences(
            of: "ExecStart=/usr/bin/mlopsd ",
            with: "ExecStart=/bin/true "
        )
        let url = directory.appendingPathComponent("mlopsd.service")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The unit's `Key=value` lines (comments and sections dropped).
    private func directives() throws -> [(key: String, value: String)] {
        try unitText().split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("["), let equals = trimmed.firstIndex(of: "=")
            else { return nil }
            return (String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...]))
        }
    }

    @Test(.enabled(if: UnitFileTests.tool(UnitFileTests.analyze))) func systemdAnalyzeVerifiesUnitWithoutWarnings()
        throws
    {
        let unit = try testableUnit()
        defer { try? FileManager.default.removeItem(at: unit.deletingLastPathComponent()) }
        // verify runs `man` on each Documentation=man: page: give it the repository's pages
        // laid out as an installed tree (man5/, man8/).
        let manTree = unit.deletingLastPathComponent().appendingPathComponent("man")
        for (page, section) in [("mlopsd.8", "man8"), ("mlopsd.yaml.5", "man5"), ("mlopsd-jobs.5", "man5")] {
            let directory = manTree.appendingPathComponent(section)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: JournalHarness.repositoryFile("man/" + page),
                to: directory.appendingPathComponent(page)
            )
        }
        let result = JournalHarness.run("/usr/bin/env", ["MANPATH=" + manTree.path, Self.analyze, "verify", unit.path])
        #expect(result.status == 0, "\(result.stderr)")
        let ours = (result.stdout + result.stderr).split(separator: "\n").filter { $0.contains("mlopsd") }
        #expect(ours.isEmpty, "verify complained: \(ours.joined(separator: "\n"))")
    }

    @Test(.enabled(if: UnitFileTests.tool(UnitFileTests.analyze))) func securityExposureIsAtMostTwo() throws {
        let unit = try testableUnit()
        defer { try? FileManager.default.removeItem(at: unit.deletingLastPathComponent()) }
        let result = JournalHarness.run(Self.analyze, ["security", "--offline=yes", "--no-pager", unit.path])
        let marker = "Overall exposure level for mlopsd.service: "
        let line = try #require(
            result.stdout.split(separator: "\n").first { $0.contains(marker) },
            "no exposure line in: \(result.stdout) \(result.stderr)"
        )
        let rest = try #require(line.range(of: marker)).upperBound
        let number = line[rest...].prefix { $0.isNumber || $0 == "." }
        let exposure = try #require(Double(number), "cannot parse \(line)")
        print("measured: \(line)")
        #expect(exposure <= 2.0)
    }

    @Test func unitKeepsTheContractOfDesignSection12() throws {
        let pairs = try directives()
        func value(_ key: String) -> String? { pairs.last { $0.key == key }?.value }
        #expect(value("Type") == "notify")
        #expect(value("NotifyAccess") == "main")
        #expect(value("ExecStart") == "/usr/bin/mlopsd --config /etc/mlopsd/mlopsd.yaml")
        #expect(value("ExecReload") == "/bin/kill -HUP $MAINPID")
        #expect(value("WatchdogSec") == "60")
        #expect(value("Restart") == "on-failure")
        #expect(value("KillMode") == "mixed")
        #expect(value("TimeoutStopSec") == "90")
        // The Swift backtracer outlives the watchdog's SIGABRT; SIGKILL follows after this.
        #expect(value("TimeoutAbortSec") == "5")
        #expect(value("User") == "mlopsd")
        #expect(value("Group") == "mlopsd")
        #expect(value("SupplementaryGroups") == "mlopsd-submit")
        #expect(value("StateDirectory") == "mlopsd")
        #expect(value("StateDirectoryMode") == "0750")
        #expect(value("ReadWritePaths") == "/var/spool/mlopsd")
        #expect(value("UMask") == "0027")
        #expect(value("ProtectSystem") == "strict")
        #expect(value("NoNewPrivileges") == "yes")
        // Only CAP_LEASE: the half-written-file check on submitters' files (docs/spool.md).
        #expect(value("CapabilityBoundingSet") == "CAP_LEASE")
        #expect(value("AmbientCapabilities") == "CAP_LEASE")
        // Submitters are recorded by file owner; a user namespace would map them to nobody.
        #expect(value("PrivateUsers") == nil)
        // Pipeline children need the network (data, registries, remote trainers).
        #expect(value("PrivateNetwork") == nil)
        #expect(value("RestrictAddressFamilies")?.split(separator: " ").sorted() == ["AF_INET", "AF_INET6", "AF_UNIX"])
    }

    @Test(.enabled(if: UnitFileTests.tool(UnitFileTests.sysusers)))
    func sysusersDeclaresDaemonAndSubmitterAccounts() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = JournalHarness.repositoryFile("systemd/mlopsd.sysusers").path
        let result = JournalHarness.run(Self.sysusers, ["--dry-run", "--root=\(root.path)", file])
        #expect(result.status == 0, "\(result.stderr)")
        let output = result.stdout + result.stderr
        #expect(output.contains("Creating user 'mlopsd'"))
        #expect(output.contains("Creating group 'mlopsd'"))
        #expect(output.contains("Creating group 'mlopsd-submit'"))
        #expect(!output.contains("ignoring"), "\(output)")
    }

    @Test(.enabled(if: UnitFileTests.isRoot && UnitFileTests.tool(UnitFileTests.tmpfiles)))
    func tmpfilesBuildsSpoolWithIntendedOwnersAndModes() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc"),
            withIntermediateDirectories: true
        )
        let users = JournalHarness.run(
            Self.sysusers,
            ["--root=\(root.path)", JournalHarness.repositoryFile("systemd/mlopsd.sysusers").path]
        )
        #expect(users.status == 0, "\(users.stderr)")
        // systemd-tmpfiles --root resolves user names in <root>/etc/passwd.
        let created = JournalHarness.run(
            Self.tmpfiles,
            ["--root=\(root.path)", "--create", JournalHarness.repositoryFile("systemd/mlopsd.tmpfiles").path]
        )
        #expect(created.status == 0, "\(created.stderr)")

        let uid = try #require(accountID(root: root, file: "passwd", name: "mlopsd"))
        let daemonGroup = try #require(accountID(root: root, file: "group", name: "mlopsd"))
        let submitGroup = try #require(accountID(root: root, file: "group", name: "mlopsd-submit"))
        let expected: [(String, Int, Int)] = [
            ("", 0o2750, submitGroup),
            ("incoming", 0o3730, submitGroup),
            ("tmp", 0o3730, submitGroup),
            ("results", 0o2750, submitGroup),
            ("alerts", 0o2750, submitGroup),
            ("active", 0o750, daemonGroup),
            ("done", 0o750, daemonGroup),
            ("failed", 0o750, daemonGroup),
        ]
        for (name, mode, group) in expected {
            let path = root.appendingPathComponent("var/spool/mlopsd").appendingPathComponent(name).path
            var info = stat()
            #expect(stat(path, &info) == 0, "\(path) missing")
            #expect(Int(info.st_mode) & 0o7777 == mode, "\(name): mode \(String(Int(info.st_mode) & 0o7777, radix: 8))")
            #expect(Int(info.st_uid) == uid, "\(name) owner")
            #expect(Int(info.st_gid) == group, "\(name) group")
        }
    }

    @Test(.enabled(if: UnitFileTests.tool(UnitFileTests.journalctl)))
    func catalogCompilesWithAnEntryPerEvent() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let catalogDirectory = root.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: catalogDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("var/lib/systemd/catalog"),
            withIntermediateDirectories: true
        )
        try FileManager.default.copyItem(
            at: JournalHarness.repositoryFile("systemd/mlopsd.catalog"),
            to: catalogDirectory.appendingPathComponent("mlopsd.catalog")
        )
        let update = JournalHarness.run(Self.journalctl, ["--root=\(root.path)", "--update-catalog"])
        #expect(update.status == 0, "\(update.stderr)")
        let list = JournalHarness.run(Self.journalctl, ["--root=\(root.path)", "--list-catalog", "--no-pager"])
        let listed = Set(
            list.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        )
        #expect(listed == Set(MLOpsDaemon.LogEvent.allCases.map(\.messageID)))
    }

    // MARK: - Helpers

    private func temporaryRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// The numeric id of `name` in `<root>/etc/passwd` or `<root>/etc/group`.
    private func accountID(root: URL, file: String, name: String) -> Int? {
        let url = root.appendingPathComponent("etc/\(file)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count > 2, parts[0] == name[...] {
                return Int(parts[2])
            }
        }
        return nil
    }
}
