import Foundation
import Glibc
import Testing

/// The real `mlopsctl drift` binary on generated CSV files, its JSON checked against scipy
/// (scripts/statistics_reference.py `drift_files`, run with the first python3 on PATH).
@Suite struct MLOpsCtlDriftTests {
    /// A fresh directory for one test's files.
    static func scratch(_ name: String = #function) throws -> String {
        let base = "/tmp/mlopsd-tests"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let path = "\(base)/drift-\(name.prefix(24).filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// True when python3 on PATH imports scipy and numpy.
    static let scipyAvailable: Bool = {
        guard let dir = try? scratch("probe") else { return false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return (try? python(["-c", "import scipy, numpy"], in: dir).0) == 0
    }()

    /// Runs `/usr/bin/env python3 arguments…`; its exit status and standard error.
    static func python(_ arguments: [String], in dir: String) throws -> (Int32, String) {
        let child = try ChildProcess(
            "/usr/bin/env",
            ["python3"] + arguments,
            environment: ProcessInfo.processInfo.environment,
            logPrefix: dir + "/python"
        )
        let status = try child.waitForExit(timeout: 300)
        return (WaitStatus(raw: status).exitCode ?? -1, child.stderrText)
    }

    /// scipy's answer for the two files.
    static func scipyDrift(
        reference: String,
        current: String,
        categorical: [String],
        in dir: String
    ) throws -> [String: Any] {
        let request: [String: Any] = [
            "op": "drift_files",
            "cases": [
                [
                    "reference": reference, "current": current, "categorical": categorical, "threshold": 0.1,
                    "alpha": 0.01,
                ]
            ],
        ]
        try JSONSerialization.data(withJSONObject: request).write(to: URL(fileURLWithPath: dir + "/request.json"))
        let (status, errors) = try python(
            [
                repositoryRoot + "/scripts/statistics_reference.py", dir + "/request.json",
                dir + "/response.json",
            ],
            in: dir
        )
        guard status == 0 else { throw TestFailure("statistics_reference.py drift_files exited \(status): \(errors)") }
        let response = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/response.json"))
        )
        guard let results = (response as? [String: Any])?["results"] as? [[String: Any]], let first = results.first
        else {
            throw TestFailure("no result from drift_files")
        }
        return first
    }

    /// SplitMix64 with a normal variate: the same files on every run.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
        mutating func pick(_ items: [String], _ weights: [Double]) -> String {
            var u = uniform() * weights.reduce(0, +)
            for (item, w) in zip(items, weights) {
                if u < w { return item }
                u -= w
            }
            return items[items.count - 1]
        }
    }

    /// Columns: steady (no shift, 1% empty), shifted (+0.4 sd), ties (integers, small
    /// shift), grade (letters, mix shifted, some empty: categorical because it is text),
    /// code (numbers named categorical), scanner (named categorical, unchanged). The
    /// current file lists its columns in another order.
    static func write(_ path: String, rows: Int, seed: UInt64, current: Bool) throws {
        var rng = Random(state: seed)
        let order =
            current
            ? ["scanner", "grade", "shifted", "code", "steady", "ties"]
            : ["steady", "shifted", "ties", "grade", "code", "scanner"]
        var text = order.joined(separator: ",") + "\n"
        for _ in 0..<rows {
            var cells: [String: String] = [:]
            cells["steady"] = rng.uniform() < 0.01 ? "" : String(format: "%.5f", rng.normal())
            cells["shifted"] = String(format: "%.4f", 10 + rng.normal() + (current ? 0.4 : 0))
            cells["ties"] = String(Int((3 * rng.normal() + (current ? 0.3 : 0)).rounded()))
            cells["grade"] =
                rng.uniform() < 0.02 ? "" : rng.pick(["A", "B", "C", "D"], current ? [1, 1, 2, 3] : [3, 2, 1, 1])
            cells["code"] = rng.pick(["1", "2", "3"], [1, 1, 1])
            cells["scanner"] = rng.pick(["S0", "S1"], [1, 1])
            text += order.map { cells[$0] ?? "" }.joined(separator: ",") + "\n"
        }
        try writeFile(path, Data(text.utf8))
    }

    func close(_ a: Double?, _ b: Any?, _ tolerance: Double) -> Bool {
        guard let a, let b = b as? Double else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test(.enabled(if: scipyAvailable, "needs python3 with scipy and numpy on PATH (python3 -c 'import scipy' failed)"))
    func jsonMatchesScipyOnFilesWithAShiftedColumnACategoricalColumnAndMissingCells() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = dir + "/reference.csv"
        let current = dir + "/current.csv"
        try Self.write(reference, rows: 3000, seed: 1, current: false)
        try Self.write(current, rows: 2500, seed: 2, current: true)
        let run = try Ctl.run(
            ["drift", "--reference", reference, "--current", current, "--categorical", "code,scanner", "--json"],
            in: dir
        )
        #expect(run.exitCode == 0, "\(run)")
        let ours = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run)"
        )
        let scipy = try Self.scipyDrift(
            reference: reference,
            current: current,
            categorical: ["code", "scanner"],
            in: dir
        )
        let ourColumns = try #require(ours["columns"] as? [[String: Any]])
        let scipyColumns = try #require(scipy["columns"] as? [[String: Any]])
        #expect(ourColumns.map { $0["name"] as? String } == scipyColumns.map { $0["name"] as? String })
        for (o, s) in zip(ourColumns, scipyColumns) {
            let name = o["name"] as? String ?? "?"
            #expect(o["type"] as? String == s["type"] as? String, "\(name): \(o) vs \(s)")
            #expect(o["test"] as? String == (s["type"] as? String == "numerical" ? "ks" : "chi_square"), "\(name)")
            // Both files ≤ 10,000 rows: scipy's exact KS distribution, so p to 1e-6.
            let statisticTolerance = s["type"] as? String == "numerical" ? 1e-9 : 1e-9
            #expect(
                close(o["statistic"] as? Double, s["statistic"], statisticTolerance),
                "\(name) statistic: \(o) vs \(s)"
            )
            #expect(close(o["p_value"] as? Double, s["pvalue"], 1e-6), "\(name) p: \(o) vs \(s)")
            #expect(close(o["p_adjusted"] as? Double, s["p_adjusted"], 1e-6), "\(name) adjusted p: \(o) vs \(s)")
            if s["type"] as? String == "categorical" {
                #expect(close(o["jensen_shannon"] as? Double, s["jensenshannon"], 1e-9), "\(name) JS: \(o) vs \(s)")
            }
            let missing = o["missing"] as? [String: Any]
            #expect(missing?["reference"] as? Int == s["missing_reference"] as? Int, "\(name) missing: \(o) vs \(s)")
            #expect(missing?["current"] as? Int == s["missing_current"] as? Int, "\(name) missing: \(o) vs \(s)")
            #expect(o["drift"] as? Bool == s["drift"] as? Bool, "\(name) drift: \(o) vs \(s)")
            #expect(o["psi"] is Double, "\(name) has a PSI")
        }
        #expect(close(ours["drift_share"] as? Double, scipy["drift_share"], 1e-12))
        #expect(ours["rows_reference"] as? Int == 3000 && ours["rows_current"] as? Int == 2500)
        #expect(ours["threshold"] as? Double == 0.1 && ours["alpha"] as? Double == 0.01)
        // The data is built so that these drift and those do not; scipy agrees above.
        let drifted = Set(ourColumns.filter { $0["drift"] as? Bool == true }.compactMap { $0["name"] as? String })
        #expect(drifted == ["shifted", "grade"], "\(drifted)")
        let grade = ourColumns.first { $0["name"] as? String == "grade" }
        #expect((grade?["note"] as? String)?.contains("not a number") == true, "\(String(describing: grade))")
    }

    @Test func tableForPeopleListsEveryColumnAndTheShareOfDriftedOnes() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir + "/a.csv", rows: 800, seed: 3, current: false)
        try Self.write(dir + "/b.csv", rows: 700, seed: 4, current: true)
        let run = try Ctl.run(
            [
                "drift", "--reference", dir + "/a.csv", "--current", dir + "/b.csv", "--categorical", "code",
                "--categorical", "scanner",
            ],
            in: dir
        )
        #expect(run.exitCode == 0, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.hasPrefix("COLUMN") && $0.contains("ADJUSTED P") && $0.contains("DRIFT") },
            "\(run)"
        )
        for name in ["steady", "shifted", "ties", "grade", "code", "scanner"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "no row for \(name): \(run)")
        }
        #expect(lines.contains { $0.hasPrefix("shifted ") && $0.hasSuffix("DRIFT") }, "\(run)")
        #expect(lines.contains { $0.contains("of 6 columns drift") }, "\(run)")
        #expect(lines.contains { $0.contains("grade: read as categorical") }, "\(run)")
    }

    @Test func aColumnInOneFileOnlyExits65NamingTheColumnAndTheFile() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/a.csv", Data("x,y\n1,2\n3,4\n".utf8))
        try writeFile(dir + "/b.csv", Data("x,y,extra\n1,2,3\n".utf8))
        let run = try Ctl.run(["drift", "--reference", dir + "/a.csv", "--current", dir + "/b.csv"], in: dir)
        #expect(run.exitCode == 65, "\(run)")
        #expect(
            run.stderr.contains("\(dir)/a.csv: line 1: the column 'extra' of the current file is missing"),
            "\(run)"
        )
        #expect(run.stdout.isEmpty, "\(run)")
    }

    @Test func aBadFileExits65WithTheFileLineAndColumn() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/good.csv", Data("x,y\n1,2\n".utf8))
        try writeFile(dir + "/fields.csv", Data("x,y\n1,2\n3,4\n5,6,7\n".utf8))
        var notUTF8 = Data("x,y\n1,2\n3,é".utf8)
        notUTF8.append(contentsOf: [0xFF, 0x0A])
        try writeFile(dir + "/bytes.csv", notUTF8)
        try writeFile(dir + "/quote.csv", Data("x,y\n1,a\"b\n".utf8))
        let cases: [(String, String)] = [
            ("fields.csv", "fields.csv: line 4: this row has 3 fields but the header has 2"),
            ("bytes.csv", "bytes.csv: line 3, column 4: bytes that are not UTF-8 text"),
            ("quote.csv", "quote.csv: line 2, column 4: a \" inside a field that is not quoted"),
        ]
        for (file, message) in cases {
            let run = try Ctl.run(["drift", "--reference", dir + "/good.csv", "--current", dir + "/" + file], in: dir)
            #expect(run.exitCode == 65, "\(file): \(run)")
            #expect(run.stderr.contains(message), "\(file): \(run)")
            let swapped = try Ctl.run(
                ["drift", "--reference", dir + "/" + file, "--current", dir + "/good.csv", "--json"],
                in: dir
            )
            #expect(swapped.exitCode == 65 && swapped.stderr.contains(message), "\(file) as reference: \(swapped)")
        }
    }

    @Test func anUnreadableFileExits66AndBadArgumentsExit64() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFile(dir + "/a.csv", Data("x,y\n1,2\n".utf8))
        let missing = try Ctl.run(["drift", "--reference", dir + "/a.csv", "--current", dir + "/nope.csv"], in: dir)
        #expect(missing.exitCode == 66, "\(missing)")
        #expect(missing.stderr.contains("cannot read \(dir)/nope.csv"), "\(missing)")
        let directory = try Ctl.run(["drift", "--reference", dir, "--current", dir + "/a.csv"], in: dir)
        #expect(directory.exitCode == 66, "\(directory)")
        let unknown = try Ctl.run(
            ["drift", "--reference", dir + "/a.csv", "--current", dir + "/a.csv", "--categorical", "zz"],
            in: dir
        )
        #expect(unknown.exitCode == 64 && unknown.stderr.contains("'zz'"), "\(unknown)")
        let threshold = try Ctl.run(
            ["drift", "--reference", dir + "/a.csv", "--current", dir + "/a.csv", "--threshold", "2"],
            in: dir
        )
        #expect(threshold.exitCode == 64, "\(threshold)")
    }
}
