import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// Job files whose names are not valid UTF-8 or hold a control character: the real daemon
/// handles them by their bytes, gives each exactly one `invalid_id` result under an id
/// derived from the bytes, and moves it to `failed/` (docs/spool.md (File names)).
@Suite(.serialized) struct SpoolNameBytesTests {
    /// The hostile names: Latin-1, newline, SOH, DEL, an overlong encoding of `/`, a lone
    /// continuation byte.
    static let names: [[UInt8]] = [
        Array("h-latin1-caf".utf8) + [0xE9] + Array(".yaml".utf8),
        Array("h-new\nline.yaml".utf8),
        Array("h-soh".utf8) + [0x01] + Array(".yaml".utf8),
        Array("h-del".utf8) + [0x7F] + Array(".yaml".utf8),
        Array("h-overlong-".utf8) + [0xC0, 0xAF] + Array(".yaml".utf8),
        Array("h-cont-".utf8) + [0x80] + Array(".yaml".utf8),
    ]

    /// The id the docs promise for a short name: `name-` and the bytes in hex.
    static func derivedID(_ bytes: [UInt8]) -> String {
        "name-"
            + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
    }

    /// Creates `directory/<bytes>` holding `text`, through the raw system call (a Swift
    /// String cannot hold such a name).
    static func create(_ directory: String, _ bytes: [UInt8], _ text: String) throws {
        let path: [CChar] = (Array(directory.utf8) + [0x2F] + bytes + [0]).map { CChar(bitPattern: $0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestFailure("create \(directory)/\(bytes): errno \(errno)") }
        defer { close(fd) }
        let data = Array(text.utf8)
        guard write(fd, data, data.count) == data.count else { throw TestFailure("write: errno \(errno)") }
    }

    /// Every entry of `directory` as raw bytes, hidden ones included.
    static func entries(_ directory: String) -> [[UInt8]] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [[UInt8]] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes != [0x2E] && bytes != [0x2E, 0x2E] { out.append(bytes) }
        }
        return out
    }

    @Test func everyNameThatIsNotUTF8OrHoldsAControlCharacterGetsOneRejectedResult() throws {
        let d = try DaemonHarness()
        try d.start()
        for name in Self.names { try Self.create(d.spool + "/incoming", name, "kind: list-alerts\n") }
        for name in Self.names {
            let id = Self.derivedID(name)
            let result = try d.waitForResult(id)
            #expect(result.status == .rejected)
            #expect(result.error?.code == "invalid_id")
            let message = result.error?.message ?? ""
            #expect(message.contains("not valid UTF-8") || message.contains("control character"), "\(message)")
        }
        let failed = Set(Self.names.map(Self.derivedID))
        try waitUntil(timeout: 10, "every file in failed/ under its derived id") {
            Set(d.names(in: "failed")) == failed && Self.entries(d.spool + "/incoming").isEmpty
                && Self.entries(d.spool + "/active").isEmpty
        }
        #expect(d.names(in: "results").count == Self.names.count)
        try d.drop("after.yaml", "kind: list-alerts\n")
        #expect(try d.waitForResult("after").status == .succeeded)
        let latin = try #require(d.result(Self.derivedID(Self.names[0])))
        #expect(latin.error?.message.contains("h-latin1-caf\\xe9.yaml") == true)
        #expect(latin.file == "h-latin1-caf\\xe9.yaml")
        let newline = try #require(d.result(Self.derivedID(Self.names[1])))
        #expect(newline.error?.message.contains("control character") == true)
        #expect(newline.file == "h-new\\nline.yaml")
        d.cleanUp()
    }

    @Test func aNameDroppedWhileTheDaemonIsDownIsRejectedAtStart() throws {
        let d = try DaemonHarness()
        try DirectoryHandle.makeDirectories(d.spool + "/incoming")
        try Self.create(d.spool + "/incoming", Self.names[0], "kind: list-alerts\n")
        try d.start()
        let result = try d.waitForResult(Self.derivedID(Self.names[0]))
        #expect(result.status == .rejected)
        #expect(result.error?.code == "invalid_id")
        try waitUntil(timeout: 10, "incoming/ empty") { Self.entries(d.spool + "/incoming").isEmpty }
        d.cleanUp()
    }

    @Test func aHiddenOrTempNameWithABadByteIsLeftAlone() throws {
        let d = try DaemonHarness()
        try d.start()
        let hidden = Array(".caf".utf8) + [0xE9] + Array(".yaml".utf8)
        let temp = Array("caf".utf8) + [0xE9] + Array(".yaml.tmp".utf8)
        try Self.create(d.spool + "/incoming", hidden, "kind: list-alerts\n")
        try Self.create(d.spool + "/incoming", temp, "kind: list-alerts\n")
        try d.drop("marker.yaml", "kind: list-alerts\n")
        #expect(try d.waitForResult("marker").status == .succeeded)
        #expect(Set(Self.entries(d.spool + "/incoming")) == [hidden, temp])
        d.cleanUp()
    }

    @Test func killedAtAnyPointEveryBadNameStillGetsExactlyOneResult() throws {
        let d = try DaemonHarness()
        try d.start()
        var all: [[UInt8]] = []
        for round in 0..<6 {
            for i in 0..<15 {
                let name = Array("k\(round)-\(i)-".utf8) + [0xFF, 0x0A] + Array(".yaml".utf8)
                all.append(name)
                try Self.create(d.spool + "/incoming", name, "kind: list-alerts\n")
            }
            // Kill at a different point of the work each round.
            usleep(UInt32(round * 7_000))
            try d.kill9()
            try d.start()
        }
        for name in all {
            let result = try d.waitForResult(Self.derivedID(name))
            #expect(result.status == .rejected)
            #expect(result.error?.code == "invalid_id")
        }
        try waitUntil(timeout: 20, "every file in failed/") {
            d.names(in: "failed").count == all.count && Self.entries(d.spool + "/incoming").isEmpty
                && Self.entries(d.spool + "/active").isEmpty
        }
        #expect(Set(d.names(in: "failed")) == Set(all.map(Self.derivedID)))
        #expect(d.names(in: "results").count == all.count)
        d.cleanUp()
    }
}

extension SpoolNameBytesTests {
    @Test func aFileLeftInActiveByACrashAfterItsClaimIsRejectedAtRestart() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.kill9()
        // Where the claim's rename put it, the daemon killed before anything else.
        let claimed = RawFileName(Self.names[1]).activeName
        try writeFile(d.spool + "/active/" + claimed, Data("kind: list-alerts\n".utf8))
        try d.start()
        let result = try d.waitForResult(Self.derivedID(Self.names[1]))
        #expect(result.status == .rejected)
        #expect(result.error?.code == "invalid_id")
        #expect(result.file == "h-new\\nline.yaml")
        try waitUntil(timeout: 10, "the file in failed/") {
            d.names(in: "failed") == [Self.derivedID(Self.names[1])] && Self.entries(d.spool + "/active").isEmpty
        }
        d.cleanUp()
    }
}
