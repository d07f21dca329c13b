import Foundation
import Testing

@testable import MLOpsCore

/// A deterministic mutation fuzzer over the job validator: every input, however mangled,
/// is either valid or rejected with a reason — never a crash or a hang — and every
/// rejection of YAML or schema problems points at a line and column inside the input.
/// (The long form with libFuzzer belongs to the reliability work; this runs in CI.)
@Suite struct JobValidatorFuzzTests {
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

    static let seeds: [String] = [
        "kind: register-model\nmodel: m\nparams:\n  task: regression\n  features:\n    - name: a\n      type: numerical\n  target: y\n",
        "kind: register-model\nmodel: chest-xray\nid: r-1\nreason: x\nparams:\n  task: binary_classification\n  features: [{name: age, type: numerical, min: 0, max: 120}, {name: site, type: categorical, values: [a, b]}]\n  target: label\n  classes: [normal, pneumonia]\n  segments: {equipment: [scanner], population: [sex]}\n  metric: f1\n  policy: {window_size: 500, min_samples: 100, promotion: {min_metric: 0.8}}\n",
        "kind: monitor-model\nmodel: m\n",
        "kind: run-pipeline\nmodel: m\nparams:\n  pipeline: default\n",
        "a: &x [1, 2]\nb: *x\n",
        "kind: [\n",
        "- just\n- a\n- list\n",
    ]

    static let fragments = [
        ":", "-", " ", "\n", "\t", "[", "]", "{", "}", "&a", "*a", "!!str", "'", "\"", "#", "|", ">", "---", "...",
        "yes", "~", "1e309", "-0", "0x1F", "é", "\u{0}", "kind", "params", "model", ": :", "- - -", "? k", "%YAML 1.2",
    ]

    func mutate(_ text: String, _ r: inout Random) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + r.below(2)) {
            switch r.below(6) {
            case 0 where !bytes.isEmpty: bytes.remove(at: r.below(bytes.count))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: r.next()), at: r.below(bytes.count + 1))
            case 2 where !bytes.isEmpty: bytes[r.below(bytes.count)] = UInt8(truncatingIfNeeded: r.next() & 0x7F)
            case 3:
                let f = Array(Self.fragments[r.below(Self.fragments.count)].utf8)
                bytes.insert(contentsOf: f, at: r.below(bytes.count + 1))
            case 4 where bytes.count > 2:
                let a = r.below(bytes.count)
                let b = r.below(bytes.count)
                let range = min(a, b)..<max(a, b)
                bytes.insert(contentsOf: Array(bytes[range]), at: r.below(bytes.count + 1))
            default:
                if let nl = bytes.indices.filter({ bytes[$0] == 0x0A }).randomElementIndex(&r) {
                    bytes.insert(0x20, at: nl + 1)
                }
            }
        }
        // The daemon only validates UTF-8 text; invalid bytes are rejected before (JobFile).
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func tenThousandMutatedJobsAreEachValidOrRejectedWithAPosition() {
        var r = Random(state: 0x6D6C_6F70_7364)
        var valid = 0
        var rejected = 0
        let positional: Set<JobErrorCode> = [
            .yamlSyntax, .aliasRefused, .tooDeep, .duplicateKey, .unknownKey,
            .wrongType, .invalidValue, .unknownKind, .notAMapping,
        ]
        for i in 0..<10_000 {
            let input = mutate(Self.seeds[i % Self.seeds.count], &r)
            // YAML line breaks are LF, CR and CRLF; an error at the end may sit one line past the last.
            let lineCount =
                input.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars
                .filter { $0 == "\n" || $0 == "\r" }.count + 2
            switch JobValidator.validate(text: input, fileName: "fuzz-\(i).yaml") {
            case .valid:
                valid += 1
            case .rejected(_, _, _, let failure):
                rejected += 1
                #expect(!failure.errors.isEmpty, "input \(i) rejected without a reason: \(input.debugDescription)")
                for error in failure.errors where positional.contains(error.code) {
                    guard let line = error.line, let column = error.column else {
                        Issue.record("input \(i): \(error.code) without a position: \(input.debugDescription)")
                        continue
                    }
                    #expect(
                        line >= 1 && line <= lineCount && column >= 1,
                        "input \(i): \(error) in \(input.debugDescription)"
                    )
                }
            }
        }
        // The mutations must exercise both outcomes, or the test proves nothing.
        #expect(valid > 100)
        #expect(rejected > 5_000)
    }
}

extension Array {
    fileprivate func randomElementIndex(_ r: inout JobValidatorFuzzTests.Random) -> Element? {
        isEmpty ? nil : self[r.below(count)]
    }
}
