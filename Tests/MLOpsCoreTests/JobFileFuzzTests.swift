import Foundation
import Testing

@testable import MLOpsCore

#if canImport(Glibc)
import Glibc
#endif

/// The job-file fuzzer of the reliability work (docs/reliability.md, "Fuzzing the job files").
///
/// Deterministic: seeded from every `examples/**/*.yaml`, every job text embedded in the
/// test sources, hand-written jobs of every kind and generated hostile files (alias bombs,
/// 1,000+ levels of nesting, a 10 MB scalar, NUL bytes, invalid UTF-8, a BOM, CRLF,
/// duplicate keys, tabs, long lines, many documents, tags, anchors). Each corpus file runs
/// once as is, then byte-level mutations of the corpus fill the run.
///
/// Every input goes the daemon's way: the byte checks (`JobText.decode`, what `JobFile.read`
/// does after reading) and then `JobValidator.validate` with every kind's declaration (``JobKind/declaration``). Per
/// input: no crash, under `perInputBudget`, and either valid or rejected with errors that
/// each carry a line and column inside the input — except the whole-file errors
/// (`too_large`, `not_utf8`), which must name their reason. Over the run: the RSS measured
/// from /proc/self/statm stays bounded.
///
/// CI form: 10,000 inputs. Long form: `MLOPSD_FUZZ_INPUTS=100000` (`make fuzz`).
@Suite struct JobFileFuzzTests {
    // MARK: Configuration

    static let defaultInputs = 10_000
    static let perInputBudget: Duration = .seconds(2)
    /// The daemon's default `max_job_bytes`.
    static let maxJobBytes = 1 << 20
    /// An administrator who raised `max_job_bytes`: lets the 10 MB scalar reach the YAML layer.
    static let raisedMaxJobBytes = 16 << 20
    static let limits = YAMLLimits()
    /// Corpus files larger than this run once as they are but are not mutated.
    static let mutableSeedLimit = 64 << 10
    /// RSS bounds over the run.
    static let maxPeakGrowthBytes = 512 << 20
    static let maxFinalGrowthBytes = 192 << 20

    // MARK: The corpus

    struct Seed {
        var label: String
        var bytes: [UInt8]
        /// The byte limit the input is read under (raised for the 10 MB scalar's YAML run).
        var maxBytes: Int = JobFileFuzzTests.maxJobBytes
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Every `examples/**/*.yaml` of the repository.
    static func exampleSeeds() -> [Seed] {
        let root = repositoryRoot.appendingPathComponent("examples")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var seeds: [Seed] = []
        for case let url as URL in walker where url.pathExtension == "yaml" || url.pathExtension == "yml" {
            if let data = FileManager.default.contents(atPath: url.path) {
                seeds.append(Seed(label: "examples/" + url.path.dropFirst(root.path.count + 1), bytes: [UInt8](data)))
            }
        }
        return seeds.sorted { $0.label < $1.label }
    }

    /// The job texts written as string literals in the test sources (`"kind: …"` and
    /// multi-line literals holding `kind:`), interpolations replaced by a word.
    static func embeddedTestSeeds() -> [Seed] {
        let root = repositoryRoot.appendingPathComponent("Tests")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var texts: Set<String> = []
        for case let url as URL in walker
        where url.pathExtension == "swift" && url.lastPathComponent != "JobFileFuzzTests.swift" {
            guard let data = FileManager.default.contents(atPath: url.path),
                let source = String(validating: data, as: UTF8.self)
            else { continue }
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i < lines.count {
                let line = lines[i]
                if line.hasSuffix("\"\"\"") && line.filter({ $0 == "\"" }).count == 3 {
                    // A multi-line literal: up to the closing delimiter, its indentation removed.
                    var body: [Substring] = []
                    var j = i + 1
                    while j < lines.count, !lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("\"\"\"") {
                        body.append(lines[j])
                        j += 1
                    }
                    if j < lines.count {
                        let indent = lines[j].prefix { $0 == " " }.count
                        let text =
                            body.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }.joined(
                                separator: "\n"
                            ) + "\n"
                        if text.contains("kind:") { texts.insert(unescape(Substring(text), multiLine: true)) }
                    }
                    i = j + 1
                    continue
                }
                var rest = line[...]
                while let start = rest.range(of: "\"kind:") {
                    let literal = rest[rest.index(after: start.lowerBound)...]
                    let (text, end) = parseLiteral(literal)
                    texts.insert(text)
                    rest = literal[end...]
                }
                i += 1
            }
        }
        return texts.sorted().enumerated().map {
            Seed(label: "test literal \($0.offset)", bytes: Array($0.element.utf8))
        }
    }

    /// A one-line Swift string literal's text (from after its opening quote) and where it ends.
    static func parseLiteral(_ s: Substring) -> (String, Substring.Index) {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { return (out, s.index(after: i)) }
            if c == "\\" {
                let (piece, next) = escape(s, at: i)
                out += piece
                i = next
                continue
            }
            out.append(c)
            i = s.index(after: i)
        }
        return (out, s.endIndex)
    }

    static func unescape(_ s: Substring, multiLine: Bool) -> String {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "\\" {
                let (piece, next) = escape(s, at: i)
                out += piece
                i = next
            } else {
                out.append(s[i])
                i = s.index(after: i)
            }
        }
        return out
    }

    /// The text of the escape starting at the backslash `at`, and the index after it.
    static func escape(_ s: Substring, at: Substring.Index) -> (String, Substring.Index) {
        let i = s.index(after: at)
        guard i < s.endIndex else { return ("\\", i) }
        let next = s.index(after: i)
        switch s[i] {
        case "n": return ("\n", next)
        case "t": return ("\t", next)
        case "r": return ("\r", next)
        case "0": return ("\0", next)
        case "\"": return ("\"", next)
        case "'": return ("'", next)
        case "\\": return ("\\", next)
        case "(":
            var depth = 1
            var j = next
            while j < s.endIndex, depth > 0 {
                if s[j] == "(" { depth += 1 } else if s[j] == ")" { depth -= 1 }
                j = s.index(after: j)
            }
            return ("x1", j)
        case "u":
            guard next < s.endIndex, s[next] == "{", let close = s[next...].firstIndex(of: "}") else {
                return ("u", next)
            }
            let hex = s[s.index(after: next)..<close]
            let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) ?? "?"
            return (String(Character(scalar)), s.index(after: close))
        default: return (String(s[i]), next)
        }
    }

    /// Jobs of every kind, valid and nearly valid (hand-written).
    static let handWritten: [String] = [
        "kind: register-model\nmodel: m\nparams:\n  task: regression\n  features:\n    - name: a\n      type: numerical\n  target: y\n",
        "kind: register-model\nmodel: chest-xray\nid: r-1\nreason: x\nparams:\n  task: binary_classification\n  features: [{name: age, type: numerical, min: 0, max: 120}, {name: site, type: categorical, values: [a, b]}]\n  target: label\n  classes: [normal, pneumonia]\n  segments: {equipment: [scanner], population: [sex]}\n  metric: f1\n  policy: {window_size: 500, min_samples: 100, promotion: {min_metric: 0.8, require_ab_test: true}}\n",
        "kind: create-version\nmodel: m\nparams:\n  artifact: /data/a\n  version: 1.0.0\n",
        "kind: list-versions\nmodel: m\nparams:\n  limit: 3\n",
        "kind: promote-version\nmodel: m\nparams: {version: 1.1.0}\n",
        "kind: rollback\nmodel: m\n",
        "kind: archive-versions\nmodel: m\nparams: {dry_run: true}\n",
        "kind: get-production-model\nmodel: m\n",
        "kind: log-predictions\nmodel: m\nparams:\n  file: /data/p.csv\n",
        "kind: log-ground-truth\nmodel: m\nparams:\n  labels:\n    - {id: q-3, label: a}\n",
        "kind: monitor-model\nmodel: m\n",
        "kind: monitor-all\n",
        "kind: list-alerts\n",
        "kind: acknowledge-alert\nparams: {alert: 12}\n",
        "kind: run-pipeline\nmodel: m\nparams:\n  pipeline: default\n",
        "kind: cancel-pipeline\nmodel: m\n",
        "kind: pipeline-history\n",
        "kind: check-retrain\nmodel: m\n",
        "kind: retraining-start\nmodel: m\n",
        "kind: retraining-stop\n",
        "kind: retraining-trigger\nmodel: m\n",
        "kind: retraining-history\nmodel: m\nparams: {include_suppressed: false}\n",
        "kind: retraining-stats\n",
        "# comments only\n",
        "",
        "- just\n- a\n- list\n",
    ]

    /// Hostile files, generated.
    static func hostileSeeds() -> [Seed] {
        var seeds: [Seed] = []
        func add(_ label: String, _ text: String, maxBytes: Int = maxJobBytes) {
            seeds.append(Seed(label: label, bytes: Array(text.utf8), maxBytes: maxBytes))
        }
        func addBytes(_ label: String, _ bytes: [UInt8]) { seeds.append(Seed(label: label, bytes: bytes)) }
        let job = "kind: monitor-model\nmodel: m\n"

        // Alias bombs and anchors.
        var laughs =
            "kind: monitor-all\nlol0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...9 {
            laughs +=
                "lol\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }
        add("billion laughs", laughs)
        add(
            "billion laughs (block)",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        )
        add("merge key", "base: &b {kind: monitor-all}\n<<: *b\n")
        add("alias only", "kind: *k\n")
        add("anchor without alias (scalar)", "kind: &k monitor-all\n")
        add("anchor without alias (mapping)", "kind: monitor-model\nmodel: m\nparams: &p {}\n")
        add("anchor on the document", "&doc\nkind: monitor-all\n")
        add("self-referencing anchor", "a: &a [*a]\n")

        // Deep nesting.
        for depth in [33, 1_000, 10_000, 100_000] {
            add("\(depth) × [ (unclosed)", job + "params: " + String(repeating: "[", count: depth) + "\n")
            add(
                "\(depth) × [ ]",
                job + "params: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
            )
            add("\(depth) × {", job + "params: " + String(repeating: "{a: ", count: depth) + "\n")
            add("\(depth) × - on one line", job + "params:\n  x: " + String(repeating: "- ", count: depth) + "x\n")
        }
        for depth in [33, 1_000] {
            var blockSeq = job + "params:\n  x:\n"
            var blockMap = job + "params:\n"
            for level in 0..<depth {
                blockSeq += String(repeating: " ", count: 2 * level + 4) + "-\n"
                blockMap += String(repeating: " ", count: 2 * level + 2) + "k:\n"
            }
            add("\(depth) levels of block - ", blockSeq)
            add("\(depth) levels of block mappings", blockMap)
        }

        // Size.
        let tenMB = String(repeating: "x", count: 10 << 20)
        add("10 MB plain scalar (default max_job_bytes)", "kind: monitor-all\nreason: " + tenMB + "\n")
        add(
            "10 MB plain scalar (raised max_job_bytes)",
            "kind: monitor-all\nreason: " + tenMB + "\n",
            maxBytes: raisedMaxJobBytes
        )
        add(
            "10 MB quoted scalar (raised max_job_bytes)",
            "kind: monitor-all\nreason: \"" + tenMB + "\"\n",
            maxBytes: raisedMaxJobBytes
        )
        add("10 MB key (raised max_job_bytes)", "kind: monitor-all\n" + tenMB + ": 1\n", maxBytes: raisedMaxJobBytes)
        add("1 MiB + 1 byte", "kind: monitor-all\nreason: " + String(repeating: "y", count: maxJobBytes - 25) + "\n")
        add("very long line (900 KB key)", "kind: monitor-all\n" + String(repeating: "k", count: 900_000) + ": v\n")
        add(
            "very long line (reason of 900 KB)",
            "kind: monitor-all\nreason: " + String(repeating: "r ", count: 450_000) + "\n"
        )
        add(
            "long flow list (over the node limit)",
            job + "params: [" + Array(repeating: "1", count: 250_000).joined(separator: ",") + "]\n"
        )
        add("60,000 keys", job + "params:\n" + (0..<60_000).map { "  k\($0): 1\n" }.joined())
        add("many documents (100,000 ---)", String(repeating: "---\n", count: 100_000))
        add("two documents", job + "---\n" + job)
        add("many documents with content", String(repeating: job + "---\n", count: 10_000))
        add("document end markers", job + String(repeating: "...\n", count: 10_000))

        // NUL bytes.
        add("NUL at the end", job + "\0")
        add("NUL in a key", "ki\0nd: monitor-all\n")
        add("NUL in a value", "kind: monitor-all\nreason: a\0b\n")
        add("NUL in a quoted value", "kind: monitor-all\nreason: \"a\0b\"\n")
        add("only NULs", String(repeating: "\0", count: 4096))

        // Invalid UTF-8.
        let prefix = Array("kind: monitor-all\nreason: ".utf8)
        for (label, bad) in [
            ("lone continuation byte", [UInt8]([0x80])), ("overlong /", [0xC0, 0xAF]), ("overlong NUL", [0xC0, 0x80]),
            ("surrogate", [0xED, 0xA0, 0x80]), ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("0xF5", [0xF5, 0x80, 0x80, 0x80]),
            ("0xFF", [0xFF]), ("truncated 3-byte at the end", [0xE2, 0x82]), ("lead then ASCII", [0xE2, 0x41, 0x42]),
            ("Latin-1 é", [0xE9]),
        ] {
            addBytes("invalid UTF-8: \(label)", prefix + bad + [0x0A])
            addBytes("invalid UTF-8 at the start: \(label)", bad + Array(job.utf8))
        }
        addBytes("UTF-16LE with BOM", [0xFF, 0xFE] + Array(job.utf8).flatMap { [$0, 0] })
        addBytes("UTF-16BE with BOM", [0xFE, 0xFF] + Array(job.utf8).flatMap { [0, $0] })

        // Encodings and line ends.
        add("UTF-8 BOM", "\u{FEFF}" + job)
        add("UTF-8 BOM twice", "\u{FEFF}\u{FEFF}" + job)
        add("UTF-8 BOM inside", "kind: monitor-model\n\u{FEFF}model: m\n")
        add("CRLF", job.replacingOccurrences(of: "\n", with: "\r\n"))
        add("CR only", job.replacingOccurrences(of: "\n", with: "\r"))
        add("mixed line ends", "kind: monitor-model\r\nmodel: m\rreason: x\n")
        add("NEL and line separators", "kind: monitor-model\u{85}model: m\u{2028}reason: x\u{2029}\n")
        add("non-ASCII keys and values", "kind: monitor-model\nmodel: m\nreason: ü 🧪 ∑\n")

        // Keys and indentation.
        add("duplicate top-level key", "kind: monitor-model\nmodel: m\nkind: monitor-all\n")
        add("duplicate param key", "kind: list-versions\nmodel: m\nparams:\n  limit: 1\n  limit: 2\n")
        add(
            "duplicate key after 10,000",
            "kind: monitor-all\nparams:\n" + (0..<10_000).map { "  k\($0): 1\n" }.joined() + "  k0: 2\n"
        )
        add("duplicate flow key", "kind: monitor-all\nparams: {a: 1, a: 2}\n")
        add("tabs for indentation", "kind: list-versions\nmodel: m\nparams:\n\tlimit: 3\n")
        add("tab after spaces", "kind: list-versions\nmodel: m\nparams:\n  \tlimit: 3\n")
        add("complex key", "? [a, b]\n: 1\n")
        add("mapping as key", "{a: 1}: 2\n")

        // Tags and directives.
        add("!!str tag", "kind: !!str monitor-all\n")
        add("python tag", "kind: monitor-all\nreason: !!python/object/apply:os.system [\"rm -rf /\"]\n")
        add("local tag", "kind: monitor-all\nparams: !custom {}\n")
        add("verbatim tag", "kind: !<tag:yaml.org,2002:str> monitor-all\n")
        add("%TAG directive", "%TAG !e! tag:example.com,2000:\n---\nkind: !e!x monitor-all\n")
        add("%YAML 1.1", "%YAML 1.1\n---\n" + job)
        add("%YAML 2.0", "%YAML 2.0\n---\n" + job)
        add("only whitespace", "   \n\n  \n")
        add("only ---", "---\n")
        return seeds
    }

    // MARK: Mutations

    /// SplitMix64: reproducible across runs and platforms.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let fragments: [[UInt8]] =
        [
            ":", "-", " ", "\n", "\t", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "!!str ", "!x ", "'", "\"", "#",
            "|", ">", "---\n", "...\n",
            "yes", "~", "1e309", ".nan", "-0", "0x1F", "é", "\u{0}", "kind", "params", "model", "id", ": :", "- - -",
            "? k", "%YAML 1.2\n",
            "\u{FEFF}", "\r\n", "\r", "\u{85}", "\u{2028}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "{a: {a: {a: {a: {a: {a: {a: ",
            "kind: monitor-all\n", "params:\n  ", "\\u0000", "\"\\x00\"", "🧪",
        ].map { Array($0.utf8) } + [
            [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
        ]

    static func mutate(_ input: [UInt8], other: [UInt8], _ r: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + r.below(3)) {
            switch r.below(13) {
            case 0 where !bytes.isEmpty:
                bytes.remove(at: r.below(bytes.count))
            case 1:
                bytes.insert(UInt8(truncatingIfNeeded: r.next()), at: r.below(bytes.count + 1))
            case 2 where !bytes.isEmpty:
                bytes[r.below(bytes.count)] = UInt8(truncatingIfNeeded: r.next() & 0x7F)
            case 3, 4:
                bytes.insert(contentsOf: fragments[r.below(fragments.count)], at: r.below(bytes.count + 1))
            case 5 where bytes.count > 2:
                let a = r.below(bytes.count)
                let b = r.below(bytes.count)
                bytes.insert(contentsOf: Array(bytes[min(a, b)..<max(a, b)]), at: r.below(bytes.count + 1))
            case 6:  // Duplicate a whole line (duplicate keys, repeated items).
                let lines = lineRanges(bytes)
                if let line = lines.isEmpty ? nil : lines[r.below(lines.count)] {
                    bytes.insert(contentsOf: Array(bytes[line]) + [0x0A], at: line.lowerBound)
                }
            case 7:  // A line's indentation becomes a tab, or gains a space.
                let lines = lineRanges(bytes)
                if let line = lines.isEmpty ? nil : lines[r.below(lines.count)] {
                    let indent = bytes[line].prefix { $0 == 0x20 }.count
                    if indent > 0, r.below(2) == 0 {
                        bytes.replaceSubrange(line.lowerBound..<(line.lowerBound + indent), with: [0x09])
                    } else {
                        bytes.insert(0x20, at: line.lowerBound)
                    }
                }
            case 8:  // CRLF line ends.
                bytes = bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
            case 9:  // Splice with another seed.
                let cut = r.below(bytes.count + 1)
                let from = r.below(other.count + 1)
                bytes = Array(bytes[..<cut]) + Array(other[from...])
            case 10 where !bytes.isEmpty:
                bytes.removeSubrange(r.below(bytes.count)...)
            case 11:  // Wrap the document (or a value) in nesting.
                let depth = 1 + r.below(64)
                if r.below(2) == 0 {
                    bytes =
                        Array(String(repeating: "[", count: depth).utf8) + bytes
                        + Array(String(repeating: "]", count: depth).utf8)
                } else {
                    bytes = Array(String(repeating: "- ", count: depth).utf8) + bytes
                }
            default:
                let lines = lineRanges(bytes)
                if let line = lines.isEmpty ? nil : lines[r.below(lines.count)] {
                    bytes.insert(0x20, at: line.upperBound)
                }
            }
        }
        return bytes
    }

    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            ranges.append(start..<i)
            start = i + 1
        }
        if start < bytes.count { ranges.append(start..<bytes.count) }
        return ranges
    }

    // MARK: Checks

    /// The lines an error may point at: YAML breaks lines at LF, CR, CRLF, NEL, LS and PS,
    /// and an error at the end of the stream sits on the line after the last break.
    static func lineBound(_ text: String) -> Int {
        var breaks = 0
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": if !previousCR { breaks += 1 }
            case "\r", "\u{85}", "\u{2028}", "\u{2029}": breaks += 1
            default: break
            }
            previousCR = scalar == "\r"
        }
        return breaks + 1
    }

    static func residentBytes() -> Int {
        guard let data = FileManager.default.contents(atPath: "/proc/self/statm"),
            let text = String(validating: data, as: UTF8.self)
        else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Nodes and depth of a composed tree, walked without recursion.
    static func shape(_ root: YAMLNode) -> (nodes: Int, depth: Int) {
        var nodes = 0
        var deepest = 0
        var stack: [(YAMLNode, Int)] = [(root, 0)]
        while let (node, depth) = stack.popLast() {
            switch node.content {
            case .scalar:
                nodes += 1
            case .sequence(let items):
                nodes += 1
                deepest = max(deepest, depth + 1)
                stack.append(contentsOf: items.map { ($0, depth + 1) })
            case .mapping(let pairs):
                nodes += 1
                deepest = max(deepest, depth + 1)
                for pair in pairs {
                    stack.append((pair.key, depth + 1))
                    stack.append((pair.value, depth + 1))
                }
            }
        }
        return (nodes, deepest)
    }

    struct Stats {
        var inputs = 0
        var valid = 0
        var rejectedInputs = 0
        var byCode: [JobErrorCode: Int] = [:]
        var slowest: Duration = .zero
        var slowestLabel = ""
        var peakRSS = 0
        /// Inputs over a quarter of the budget, for the report.
        var slow: [(String, Duration)] = []
    }

    /// CPU time consumed by the calling thread so far.
    static func threadCPUTime() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    /// One input through the daemon's path, with every per-input assertion.
    static func run(_ bytes: [UInt8], maxBytes: Int, label: String, checkShape: Bool, stats: inout Stats) {
        // CPU time of this thread, not wall time: a hang or a blow-up burns CPU, while a
        // busy machine (CI with parallel tests, 2 shared cores) only delays us; wall time
        // failed the 2 s budget at load 7 for an input that needs 0.6 s of CPU.
        let start = threadCPUTime()
        var errors: [JobError] = []
        var valid = false
        var composed: YAMLNode?
        var text: String?
        switch JobText.decode(bytes, maxBytes: maxBytes) {
        case .failure(let error):
            errors = [error]
        case .success(let decoded):
            text = decoded
            switch JobValidator.validate(text: decoded, fileName: "fuzz.yaml", limits: limits) {
            case .valid: valid = true
            case .rejected(_, _, _, let failure): errors = failure.errors
            }
        }
        let elapsed = threadCPUTime() - start
        // The test's own re-composition for the shape check is not the daemon's cost.
        if checkShape, let text { composed = try? YAMLComposer.compose(text, limits: limits) }

        stats.inputs += 1
        if elapsed > stats.slowest {
            stats.slowest = elapsed
            stats.slowestLabel = label
        }
        #expect(elapsed < perInputBudget, "\(label): took \(elapsed)")
        if elapsed > perInputBudget / 4 { stats.slow.append((String(label.prefix(80)), elapsed)) }
        if let composed {
            let (nodes, depth) = shape(composed)
            #expect(nodes <= limits.maxNodes && depth <= limits.maxDepth, "\(label): \(nodes) nodes, depth \(depth)")
        }
        if valid {
            stats.valid += 1
            return
        }
        stats.rejectedInputs += 1
        #expect(!errors.isEmpty, "\(label): rejected without a reason")
        for error in errors { stats.byCode[error.code, default: 0] += 1 }

        guard let text else {
            // Whole-file errors: only these two, each naming its reason.
            guard let error = errors.first else { return }
            switch error.code {
            case .tooLarge:
                #expect(bytes.count > maxBytes && error.message.contains("limit"), "\(label): \(error)")
            case .notUTF8:
                #expect(
                    String(validating: bytes, as: UTF8.self) == nil && error.message.contains("UTF-8"),
                    "\(label): \(error)"
                )
                #expect(error.line != nil, "\(label): not_utf8 without the position of the first bad byte")
                if let line = error.line {
                    let lines = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                    #expect(line >= 1 && line <= lines && (error.column ?? 0) >= 1, "\(label): \(error)")
                }
            default:
                Issue.record("\(label): the byte layer refused with \(error.code)")
            }
            return
        }
        // Valid UTF-8 within the limit reached the validator: every error has a position inside the input.
        let lines = lineBound(text)
        for error in errors {
            guard let line = error.line, let column = error.column else {
                Issue.record("\(label): \(error.code) without a line and column: \(error.message)")
                continue
            }
            #expect(
                line >= 1 && line <= lines && column >= 1 && column <= bytes.count + 1,
                "\(label): \(error.code) at line \(line), column \(column) outside \(lines) lines: \(error.message)"
            )
        }
    }

    /// The input as one line of ASCII for messages.
    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.map {
            $0.isASCII && $0.value >= 0x20 && $0 != "\\" ? String($0) : $0.escaped(asASCII: true)
        }.joined()
    }

    static var inputCount: Int {
        ProcessInfo.processInfo.environment["MLOPSD_FUZZ_INPUTS"].flatMap { Int($0) }.map { max($0, 1) }
            ?? defaultInputs
    }

    @Test func everyKindIsDeclaredUnderItsOwnName() {
        for kind in JobKind.allCases {
            #expect(kind.declaration.kind == kind)
        }
    }

    @Test func corpusHoldsEveryExampleAndTestJob() {
        let examples = Self.exampleSeeds()
        #expect(examples.contains { $0.label == "examples/register-chest-xray.yaml" })
        #expect(examples.contains { $0.label == "examples/pipelines/python.yaml" })
        #expect(Self.embeddedTestSeeds().count > 50)
    }

    @Test func everyJobFileIsValidOrRejectedWithAPositionInTime() {
        let clock = ContinuousClock()
        let started = clock.now
        let corpus =
            Self.exampleSeeds()
            + Self.embeddedTestSeeds()
            + Self.handWritten.enumerated().map {
                Seed(label: "hand-written \($0.offset)", bytes: Array($0.element.utf8))
            }
            + Self.hostileSeeds()
        let mutable = corpus.filter { $0.bytes.count <= Self.mutableSeedLimit }
        let total = max(Self.inputCount, corpus.count)

        var stats = Stats()
        let baseline = Self.residentBytes()
        stats.peakRSS = baseline
        var r = Random(state: 0x6D6C_6F70_7364_667A)
        for i in 0..<total {
            if i < corpus.count {
                let seed = corpus[i]
                Self.run(
                    seed.bytes,
                    maxBytes: seed.maxBytes,
                    label: "corpus: \(seed.label)",
                    checkShape: true,
                    stats: &stats
                )
            } else {
                let seed = mutable[r.below(mutable.count)]
                let other = mutable[r.below(mutable.count)]
                let input = Self.mutate(seed.bytes, other: other.bytes, &r)
                Self.run(
                    input,
                    maxBytes: Self.maxJobBytes,
                    label: "mutation \(i) of \(seed.label): \(Self.printable(input.prefix(300)))",
                    checkShape: i % 10 == 0,
                    stats: &stats
                )
            }
            if i % 250 == 0 { stats.peakRSS = max(stats.peakRSS, Self.residentBytes()) }
        }
        let final = Self.residentBytes()
        stats.peakRSS = max(stats.peakRSS, final)
        let wall = clock.now - started

        #expect(
            stats.peakRSS - baseline < Self.maxPeakGrowthBytes,
            "RSS grew from \(baseline) to a peak of \(stats.peakRSS) bytes"
        )
        #expect(final - baseline < Self.maxFinalGrowthBytes, "RSS grew from \(baseline) to \(final) bytes over the run")
        // Both outcomes, and the main codes, must be exercised or the run proves little.
        #expect(stats.valid > total / 100)
        for code in [
            JobErrorCode.yamlSyntax, .aliasRefused, .tooDeep, .duplicateKey, .notUTF8, .tooLarge, .unknownKey,
            .missingField,
        ] {
            #expect(stats.byCode[code, default: 0] > 0, "no input was rejected with \(code.rawValue)")
        }

        let codes = stats.byCode.sorted { $0.value > $1.value }.map { "\($0.key.rawValue)=\($0.value)" }.joined(
            separator: " "
        )
        let ms = { (d: Duration) in
            String(format: "%.1f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        print(
            """
            JobFileFuzzTests: \(stats.inputs) inputs (\(corpus.count) corpus files, \(stats.inputs - min(corpus.count, stats.inputs)) mutations) \
            in \(String(format: "%.1f", Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)) s; \
            valid \(stats.valid), rejected \(stats.rejectedInputs); errors by code: \(codes); \
            slowest \(ms(stats.slowest)) (\(stats.slowestLabel.prefix(80))); \
            RSS \(baseline >> 20) MiB → peak \(stats.peakRSS >> 20) MiB, end \(final >> 20) MiB
            """
        )
        for (label, time) in stats.slow { print("JobFileFuzzTests: slow input \(ms(time)): \(label)") }
    }
}
