import Foundation
import Glibc
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// The metrics file of the real `mlopsd`: written after jobs, parseable line by line in the
/// textfile-collector format, `mlopsd_up 0` after a graceful stop.
@Suite(.serialized) struct DaemonMetricsTests {
    /// One sample line: name, label text (without braces) and value.
    struct Sample: Equatable {
        var name: String
        var labels: String
        var value: Double
    }

    /// Parses the exposition text strictly: every line is `# HELP`, `# TYPE` or a sample of
    /// a family whose TYPE came first; no blank lines, no timestamps.
    static func parse(_ text: String) throws -> [Sample] {
        var types: [String: String] = [:]
        var samples: [Sample] = []
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                #expect(parts.count == 4, "HELP without text: \(line)")
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                try #require(parts.count == 4, "bad TYPE line: \(line)")
                #expect(["counter", "gauge"].contains(parts[3]), "\(line)")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(PrometheusText.isValidMetricName(name), "bad name in \(line)")
            #expect(types[name] != nil, "sample before its TYPE: \(line)")
            var labels = ""
            var rest = line.dropFirst(name.count)
            if rest.hasPrefix("{") {
                let close = try #require(rest.lastIndex(of: "}"), "unclosed labels: \(line)")
                labels = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            }
            let fields = rest.split(separator: " ")
            try #require(fields.count == 1, "expected exactly one value and no timestamp: \(line)")
            let value = try #require(Double(fields[0]), "bad value: \(line)")
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return samples
    }

    @Test func theMetricsFileAppearsAfterAJobAndParsesLineByLine() throws {
        let d = try DaemonHarness()
        // The harness's root is known once it exists: point metrics_file into it.
        try d.writeConfig("metrics_file: \(d.root)/m.prom")
        try d.start()
        try d.drop("metrics-one.yaml", Jobs.registerModel("metered", id: "metrics-one"))
        _ = try d.waitForResult("metrics-one")
        let path = d.root + "/m.prom"
        let line = #"mlopsd_jobs_total{kind="register-model",status="succeeded"} 1"#
        var text = ""
        try waitUntil(timeout: 10, "\(line) in \(path)") {
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").contains { $0 == line }
        }
        let samples = try Self.parse(text)
        func value(_ name: String, _ labels: String = "") -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value("mlopsd_up") == 1)
        #expect(value("mlopsd_models") == 1)
        #expect(value("mlopsd_queue_depth") == 0)
        #expect(value("mlopsd_build_info", #"version="\#(MLOpsDaemonInfo.version)""#) == 1)
        let now = Date().timeIntervalSince1970
        #expect(try #require(value("mlopsd_start_time_seconds")) > now - 300)
        #expect(try #require(value("mlopsd_last_batch_timestamp_seconds")) > now - 300)
        #expect(try d.stop() == 0)
        // Written by rename: no temp file is left beside it for the collector to trip on.
        // (Checked once the daemon has stopped: while it runs, its status timer may be
        // between creating and renaming one at the moment we list the directory.)
        let names = try FileManager.default.contentsOfDirectory(atPath: d.root)
        #expect(!names.contains { $0.hasPrefix(".m.prom") })
        let final = try Self.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(final.first { $0.name == "mlopsd_up" }?.value == 0)
        d.cleanUp()
    }

    @Test func aRejectedJobIsCountedWithStatusRejected() throws {
        let d = try DaemonHarness()
        try d.start()
        try d.drop("broken.yaml", "kind: register-model\nmodel: m\nparams: [\n")
        _ = try d.waitForResult("broken")
        let line = #"mlopsd_jobs_total{kind="register-model",status="rejected"} 1"#
        let unknown = #"mlopsd_jobs_total{kind="unknown",status="rejected"} 1"#
        try waitUntil(timeout: 10, "the rejection in the metrics") {
            let text = (try? String(contentsOfFile: d.root + "/mlopsd.prom", encoding: .utf8)) ?? ""
            return text.contains(line) || text.contains(unknown)
        }
        d.cleanUp()
    }

    @Test func everyCatalogNameIsValidAndUnique() {
        let names = MetricsWriter.catalog.map(\.name)
        #expect(Set(names).count == names.count)
        for definition in MetricsWriter.catalog {
            #expect(PrometheusText.isValidMetricName(definition.name), "\(definition.name)")
            #expect(definition.labelNames.allSatisfy(PrometheusText.isValidLabelName), "\(definition.name)")
            #expect(definition.kind != .counter || definition.name.hasSuffix("_total"), "\(definition.name)")
        }
    }
}
