import Foundation
import Glibc

/// The test side of `scripts/faults/faultshim.c`: builds the LD_PRELOAD library, maps its
/// shared control block and arms one fault at a time in the real `mlopsd` binary.
///
/// A fault is "the next call of `function` on a path matching `pattern` fails with
/// `errno`" (after `skip` matching calls are let through), across every thread of the
/// daemon. The daemon has no fault switch of its own; only this preloaded library, which
/// no installed system has, can make its calls fail.
final class FaultShim: @unchecked Sendable {
    // @unchecked Sendable: one test owns it and uses it from its one task; the mapped
    // control block is shared with the daemon process by design (see faultshim.c).

    /// One write-side call site: a function and a path pattern (fnmatch(3)).
    struct Site: Hashable, Comparable, CustomStringConvertible {
        var function: String
        var pattern: String
        var description: String { "\(function) \(pattern)" }
        static func < (a: Site, b: Site) -> Bool { (a.pattern, a.function) < (b.pattern, b.function) }
    }

    let library: String
    let controlPath: String
    let logPath: String
    /// Only calls on paths under this prefix count.
    let prefix: String
    private let control: UnsafeMutableRawPointer
    static let size = 1024

    /// Builds the library into `directory` (with `cc`) and creates its control block.
    init(directory: String, prefix: String) throws {
        library = directory + "/faultshim.so"
        controlPath = directory + "/faultshim.control"
        logPath = directory + "/faultshim.log"
        self.prefix = prefix
        let source = JournalHarness.repositoryFile("scripts/faults/faultshim.c").path
        let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let cc else { throw TestFailure("no C compiler (cc) to build \(source)") }
        let built = JournalHarness.run(cc, ["-shared", "-fPIC", "-O1", "-Wall", "-o", library, source, "-ldl"])
        guard built.status == 0 else { throw TestFailure("building the fault shim failed: \(built.stderr)") }
        try writeFile(controlPath, Data(count: FaultShim.size))
        let fd = open(controlPath, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw TestFailure("open \(controlPath): \(errno)") }
        defer { close(fd) }
        guard let map = mmap(nil, FaultShim.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw TestFailure("mmap \(controlPath): \(errno)")
        }
        control = map
    }

    deinit { munmap(control, FaultShim.size) }

    /// The daemon's environment additions.
    var environment: [String: String] {
        [
            "LD_PRELOAD": library, "FAULTSHIM_CONTROL": controlPath, "FAULTSHIM_PREFIX": prefix,
            "FAULTSHIM_LOG": logPath, "FAULTSHIM_COMM": "mlopsd",
        ]
    }

    private func putString(_ text: String, at offset: Int, capacity: Int) {
        let bytes = Array(text.utf8.prefix(capacity - 1)) + [0]
        for (i, byte) in bytes.enumerated() { control.storeBytes(of: byte, toByteOffset: offset + i, as: UInt8.self) }
    }

    private func string(at offset: Int, capacity: Int) -> String {
        var bytes: [UInt8] = []
        for i in 0..<capacity {
            let byte = control.load(fromByteOffset: offset + i, as: UInt8.self)
            if byte == 0 { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Arms one fault: the next call of `site.function` on a path matching `site.pattern`
    /// (after `skip` such calls) fails with `errno`.
    func arm(_ site: Site, errno: Int32, skip: Int32 = 0) {
        control.storeBytes(of: 0, toByteOffset: 0, as: Int32.self)
        control.storeBytes(of: errno, toByteOffset: 4, as: Int32.self)
        control.storeBytes(of: skip, toByteOffset: 12, as: Int32.self)
        putString(site.function, at: 32, capacity: 32)
        putString(site.pattern, at: 64, capacity: 448)
        putString("", at: 512, capacity: 512)
        control.storeBytes(of: 1, toByteOffset: 0, as: Int32.self)
    }

    /// Takes back a fault that did not fire.
    func disarm() { control.storeBytes(of: 0, toByteOffset: 0, as: Int32.self) }

    /// Whether the armed fault has not fired yet.
    var armed: Bool { control.load(fromByteOffset: 0, as: Int32.self) != 0 }
    /// Calls seen under the prefix, all functions, since the control block was made.
    var calls: UInt64 { control.load(fromByteOffset: 16, as: UInt64.self) }
    /// Faults injected so far.
    var injected: UInt64 { control.load(fromByteOffset: 24, as: UInt64.self) }
    /// "function path" of the last injected fault.
    var hit: String { string(at: 512, capacity: 512) }

    /// Starts or stops logging every call (function and path) to `logPath`.
    func record(_ on: Bool) { control.storeBytes(of: on ? 1 : 0, toByteOffset: 8, as: Int32.self) }

    /// The distinct call sites logged so far, as patterns over `root` (see ``site(function:path:root:)``).
    func recordedSites(root: String) -> [Site] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        var sites = Set<Site>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2, let site = FaultShim.site(function: parts[0], path: parts[1], root: root) else {
                continue
            }
            sites.insert(site)
        }
        return sites.sorted()
    }

    /// A call site from one logged call: the path with what varies between jobs made a
    /// wildcard (file names in spool directories keep only their kind and extension,
    /// hexadecimal digests and numbers become `*`), so the same site is hit by the next job.
    static func site(function: String, path: String, root: String) -> Site? {
        guard path.hasPrefix(root + "/") else { return nil }
        let relative = path.dropFirst(root.count + 1).split(separator: "/").map(String.init)
        let spoolSubdirectories: Set<String> = ["incoming", "active", "done", "failed", "results", "alerts", "tmp"]
        var parts: [String] = []
        for (index, component) in relative.enumerated() {
            let inSpoolSubdirectory =
                index == 2 && relative.first == "spool" && spoolSubdirectories.contains(relative[1])
            if inSpoolSubdirectory {
                let temp = component.hasPrefix(".") && component.hasSuffix(".tmp")
                let ext =
                    temp
                    ? ".tmp"
                    : (component.split(separator: ".").count > 1
                        ? "." + (component.split(separator: ".").last.map(String.init) ?? "") : "")
                parts.append(temp ? ".*.tmp" : "*" + ext)
            } else {
                parts.append(wildcarded(component))
            }
        }
        return Site(function: function, pattern: root + "/" + parts.joined(separator: "/"))
    }

    /// `component` with hexadecimal runs of 8 or more and every number made `*`.
    static func wildcarded(_ component: String) -> String {
        var text = component
        for pattern in ["[0-9a-f]{8,}", "[0-9]+"] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            text = regex.stringByReplacingMatches(
                in: text,
                range: NSRange(text.startIndex..., in: text),
                withTemplate: "*"
            )
        }
        while text.contains("**") { text = text.replacingOccurrences(of: "**", with: "*") }
        return text
    }
}
