import Foundation
import GRDB
import Logging
import Testing

@testable import MLOpsCore
@testable import MLOpsDaemon

/// The per-column drift and per-model metric gauges of the metrics file, read from each
/// model's latest stored check, and the Grafana dashboard in contrib/grafana that queries them.
@Suite(.serialized) struct FeatureMetricsTests {
    /// What one real daemon run left behind once stopped: its last metrics file and the
    /// latest stored report of the monitored model.
    struct DaemonRun: Sendable {
        var text: String
        var report: MonitoringReport
    }

    /// One daemon run shared by the tests that read it (it takes a few seconds): a failed
    /// pipeline run of `chest-xray`, and `xray` in production with 1,000 labelled predictions
    /// whose scanner_kv shifted and whose scanners include an unseen one, then a check.
    static let daemonRun = Result<DaemonRun, any Error> { try runDaemon() }

    static func runDaemon() throws -> DaemonRun {
        let h = try PipelineDaemonTests.harness(
            ["broken": PipelineDaemonTests.scripted("echo 'trainer: out of memory' >&2; exit 3")],
            name: "featuremetrics"
        )
        defer { h.cleanUp() }
        func succeeded(_ id: String, _ status: ResultDocument.Status = .succeeded, timeout: Double = 30) throws {
            let doc = try h.waitForResult(id, timeout: timeout)
            guard doc.status == status else {
                throw TestFailure("\(id): \(doc.status.rawValue) \(doc.error?.message ?? "")")
            }
        }
        try h.drop(
            "bad.yaml",
            "kind: run-pipeline\nmodel: chest-xray\nparams:\n  pipeline: broken\n  data: \(h.root)/data/train.csv\n"
        )
        try h.drop("reg-x.yaml", Jobs.registerModel("xray"))
        try succeeded("reg-x")
        let dir = h.root + "/data/v1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data("w".utf8))
        try writeFile(dir + "/metrics.json", Data(#"{"accuracy": 0.9}"#.utf8))
        try writeFile(dir + "/reference.csv", Data(MonitoringData.reference(rows: 2000).utf8))
        try h.drop("cv.yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
        try succeeded("cv")
        try h.drop("p.yaml", "kind: promote-version\nmodel: xray\nparams: {version: 1.0.0}\n")
        try succeeded("p")
        var traffic = MonitoringData.Traffic()
        traffic.kvpShift = 6
        traffic.scanners = ["S0", "S1", "S2", "UNSEEN"]
        traffic.accuracy = 0.85
        try writeFile(
            h.root + "/data/preds.csv",
            Data(MonitoringData.predictions(prefix: "x", rows: 1000, seed: 5, traffic: traffic).utf8)
        )
        try h.drop("log.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/preds.csv\n")
        try succeeded("log")
        try h.drop("mon.yaml", "kind: monitor-model\nmodel: xray\n")
        try succeeded("mon")
        try succeeded("bad", .failed, timeout: 60)
        // The graceful stop writes the file once more, from the store as it is then: the
        // file and the store read below describe the same latest check.
        guard try h.stop() == 0 else { throw TestFailure("mlopsd did not stop cleanly") }
        let text = try String(contentsOfFile: h.root + "/mlopsd.prom", encoding: .utf8)
        let stored = try h.readStore { db in try CheckStore.latest(db, model: "xray") }
        guard let json = stored?["report"] as String? else { throw TestFailure("xray has no stored check") }
        let report = try JSONDecoder().decode(MonitoringReport.self, from: Data(json.utf8))
        return DaemonRun(text: text, report: report)
    }

    // MARK: The dashboard

    static let dashboardPath = PipelineDaemonTests.repository + "/contrib/grafana/mlopsd-dashboard.json"

    /// Every PromQL expression of the dashboard: each panel target's `expr` (rows' panels
    /// included) and each query variable's query.
    static func expressions(_ dashboard: JSONValue) -> [String] {
        var out: [String] = []
        func panels(_ list: JSONValue?) {
            guard case .array(let items)? = list else { return }
            for panel in items {
                if case .array(let targets)? = panel["targets"] {
                    out += targets.compactMap { $0["expr"]?.stringValue }
                }
                panels(panel["panels"])
            }
        }
        panels(dashboard["panels"])
        if case .array(let variables)? = dashboard["templating"]?["list"] {
            for variable in variables where variable["type"]?.stringValue == "query" {
                if let query = variable["query"]?["query"]?.stringValue ?? variable["query"]?.stringValue {
                    out.append(query)
                }
            }
        }
        return out
    }

    @Test func everyMetricTheDashboardQueriesIsOneTheDaemonWrites() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.dashboardPath))
        let dashboard = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(dashboard["schemaVersion"]?.doubleValue == 39)
        guard case .array(let variables)? = dashboard["templating"]?["list"] else {
            Issue.record("no template variables")
            return
        }
        for name in ["model", "column"] {
            let variable = try #require(variables.first { $0["name"]?.stringValue == name }, "no $\(name)")
            let query = try #require(variable["query"]?["query"]?.stringValue, "$\(name) has no query")
            #expect(query.hasPrefix("label_values(") && query.hasSuffix(", \(name))"), "\(query)")
        }
        let expressions = Self.expressions(dashboard)
        #expect(expressions.count >= 15, "\(expressions.count) expressions")
        var names = Set<String>()
        for expression in expressions {
            let found = PromQLNames.scan(expression)
            #expect(found.foreign.isEmpty, "`\(expression)` names \(found.foreign), not mlopsd_ metrics")
            #expect(!found.metrics.isEmpty, "`\(expression)` queries no metric")
            names.formUnion(found.metrics)
        }
        let run = try Self.daemonRun.get()
        let written = Set(
            run.text.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(separator: " ")
                return parts.count == 4 && parts[0] == "#" && parts[1] == "TYPE" ? String(parts[2]) : nil
            }
        )
        let missing = names.subtracting(written).sorted()
        #expect(missing.isEmpty, "the dashboard queries metrics the daemon did not write: \(missing)")
        // The panels the brief asks for are there.
        for metric in [
            "mlopsd_model_health_score", "mlopsd_model_drift_share", "mlopsd_alerts_open",
            "mlopsd_column_drift_p_adjusted", "mlopsd_column_psi", "mlopsd_column_drifting",
            "mlopsd_model_metric_lower", "mlopsd_model_metric_upper", "mlopsd_pipeline_runs_total",
        ] {
            #expect(names.contains(metric), "no panel queries \(metric)")
        }
        // Every panel and target reads the datasource variable, so the import asks for one.
        func datasources(_ list: JSONValue?) -> [JSONValue] {
            guard case .array(let items)? = list else { return [] }
            return items.flatMap { panel -> [JSONValue] in
                var found = panel["type"]?.stringValue == "row" ? [] : [panel["datasource"] ?? .null]
                if case .array(let targets)? = panel["targets"] { found += targets.map { $0["datasource"] ?? .null } }
                return found + datasources(panel["panels"])
            }
        }
        let sources = datasources(dashboard["panels"])
        #expect(!sources.isEmpty)
        #expect(sources.allSatisfy { $0["uid"]?.stringValue == "${DS_PROMETHEUS}" })
    }

    @Test func theScannerFindsMetricsAndRefusesOtherIdentifiers() {
        let scanned = PromQLNames.scan(
            #"sum by (state) (increase(mlopsd_pipeline_runs_total{instance=~"$instance",a="b{c}"}[$__rate_interval]))"#
        )
        #expect(scanned.metrics == ["mlopsd_pipeline_runs_total"])
        #expect(scanned.foreign.isEmpty)
        let joined = PromQLNames.scan(
            #"mlopsd_column_psi{model=~"$model"} and on (instance, model, column) (mlopsd_column_drifting == 1)"#
        )
        #expect(joined.metrics == ["mlopsd_column_drifting", "mlopsd_column_psi"])
        #expect(PromQLNames.scan(#"label_values(mlopsd_up, instance)"#).metrics == ["mlopsd_up"])
        #expect(PromQLNames.scan("node_load1 / mlopsd_up").foreign == ["node_load1"])
        #expect(PromQLNames.scan("rate(up[5m]) > 0.5e3").foreign == ["up"])
        #expect(PromQLNames.scan("mlopsd_up offset 1h").foreign.isEmpty)
    }

    // MARK: The values

    /// The samples of `text` with their labels read back (escapes undone) into a dictionary.
    static func samples(_ text: String) throws -> [(name: String, labels: [String: String], value: Double)] {
        try DaemonMetricsTests.parse(text).map { sample in
            (sample.name, try LabelText.parse(sample.labels), sample.value)
        }
    }

    @Test func theColumnAndMetricGaugesCarryTheStoredLatestReport() throws {
        let run = try Self.daemonRun.get()
        let report = run.report
        let samples = try Self.samples(run.text)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            let matching = samples.filter { $0.name == name && $0.labels == labels }
            #expect(matching.count <= 1, "\(name) \(labels) written \(matching.count) times")
            return matching.first?.value
        }
        // The check saw what the traffic did: the shifted feature and the segment with the
        // unseen scanner drift, the others were tested, the labels give an interval.
        #expect(report.status == .ok)
        #expect(report.drifted.contains("scanner_kv"))
        #expect(Set(report.columns.compactMap(\.test)) == [.ks, .chiSquare])
        #expect(report.columns.count == 4)
        for column in report.columns {
            let labels = ["model": "xray", "column": column.name, "kind": column.kind.rawValue]
            #expect(value("mlopsd_column_drift_p_adjusted", labels) == column.pAdjusted, "\(column.name)")
            #expect(value("mlopsd_column_psi", labels) == column.psi, "\(column.name)")
            #expect(value("mlopsd_column_drifting", labels) == (column.drift ? 1 : 0), "\(column.name)")
            var tested = labels
            tested["test"] = column.test?.rawValue
            #expect(value("mlopsd_column_drift_statistic", tested) == column.statistic, "\(column.name)")
        }
        #expect(samples.filter { $0.name.hasPrefix("mlopsd_column_") }.count == 4 * report.columns.count)
        let decay = report.decay
        let metric = ["model": "xray", "metric": "accuracy"]
        let interval = try #require(decay.interval)
        #expect(value("mlopsd_model_metric", metric) == decay.current)
        #expect(value("mlopsd_model_metric_lower", metric) == interval.lower)
        #expect(value("mlopsd_model_metric_upper", metric) == interval.upper)
        #expect(value("mlopsd_model_metric_baseline", metric) == 0.9)
        #expect(value("mlopsd_model_decayed", metric) == (decay.decayed ? 1 : 0))
        #expect(value("mlopsd_model_window_labelled", ["model": "xray"]) == Double(report.labelled))
        #expect(value("mlopsd_model_window_predictions", ["model": "xray"]) == 1000)
        #expect(value("mlopsd_model_drift_share", ["model": "xray"]) == report.driftShare)
        // chest-xray was never checked: none of its series exist.
        #expect(!samples.contains { $0.labels["model"] == "chest-xray" && $0.name.hasPrefix("mlopsd_column_") })
    }

    // MARK: Rendering from a snapshot

    /// A report of `columns` columns with every figure filled in (`feature_<i>`, every
    /// tenth drifting), as a check of a wide model stores it.
    static func report(columns: Int, seed: Double = 0) -> MonitoringReport {
        var drift: [MonitoringReport.ColumnDrift] = []
        for i in 0..<columns {
            let numerical = i % 2 == 0
            let x = Double(i)
            let column = MonitoringReport.ColumnDrift(
                name: "feature_\(i)",
                kind: numerical ? ColumnKind.numerical : ColumnKind.categorical,
                test: numerical ? DriftTest.ks : DriftTest.chiSquare,
                statistic: 0.01 * x + seed,
                pValue: 1 / (x + 2),
                pAdjusted: min(1, 3 / (x + 2)),
                psi: 0.001 * x * x,
                jensenShannon: numerical ? nil : 0.02,
                missing: i,
                drift: i % 10 == 0,
                explanation: "KS D \(x / 100) > 0.1 and adjusted p 0.001 < 0.05: the distribution of feature_\(i) moved"
            )
            drift.append(column)
        }
        let drifted = drift.filter(\.drift).map(\.name)
        let none = MonitoringReport.SegmentChange(newValues: [], shifted: [], perValue: [])
        return MonitoringReport(
            status: .ok,
            window: 1000,
            labelled: 400,
            referenceRows: 2000,
            columns: drift,
            driftShare: Double(drifted.count) / Double(max(columns, 1)),
            drifted: drifted,
            equipment: none,
            population: none,
            decay: MonitoringReport.Decay(
                status: .ok,
                metric: "accuracy",
                baseline: 0.9,
                current: 0.88,
                relativeDrop: 0.022,
                interval: WilsonInterval(lower: 0.845, upper: 0.908, proportion: 0.88, confidence: 0.95),
                labelled: 400,
                decayed: false
            ),
            health: HealthScore(drifted: drifted.count, monitored: columns, relativeDrop: 0.022, decayThreshold: 0.1)
        )
    }

    static func snapshot(_ checks: [MetricsSnapshot.LatestCheck]) -> MetricsSnapshot {
        var snapshot = MetricsSnapshot(
            up: true,
            version: "test",
            startTime: Date(timeIntervalSince1970: 1_700_000_000),
            lastBatch: nil,
            queueDepth: 0,
            models: checks.count,
            jobs: JobTally(),
            recovered: 0
        )
        snapshot.checks = checks
        return snapshot
    }

    @Test func theEstimateAndTheMultivariateVerdictAreGaugesWhenTheCheckHasThem() throws {
        var report = Self.report(columns: 2)
        report.estimate = .init(
            status: .estimated,
            metric: "accuracy",
            estimated: 0.7,
            samplingError: 0.01,
            lower: 0.67,
            upper: 0.73,
            realized: nil,
            baseline: 0.9,
            relativeDrop: 0.22,
            decayed: true,
            explanation: "accuracy estimated 0.7",
            metrics: nil
        )
        report.multivariate = .init(
            judged: true,
            columns: ["feature_0"],
            components: 1,
            result: .init(
                rows: 1000,
                error: 0.9,
                samplingError: 0.01,
                lower: 0.87,
                upper: 0.93,
                thresholdLower: 0.3,
                thresholdUpper: 0.4,
                drift: true
            ),
            drift: true,
            explanation: "drift"
        )
        var unavailable = Self.report(columns: 2)
        unavailable.estimate = .unavailable(metric: "accuracy", "no reference outputs")
        unavailable.multivariate = .init(
            judged: false,
            columns: [],
            components: 0,
            result: nil,
            drift: false,
            explanation: "not judged"
        )
        let samples = try Self.samples(
            MetricsWriter.text(
                Self.snapshot([
                    .init(model: "m", healthScore: 0.5, driftShare: 0, report: report),
                    .init(model: "n", healthScore: 1, driftShare: 0, report: unavailable),
                ])
            )
        )
        func value(_ name: String, _ model: String) -> Double? {
            samples.first { $0.name == name && $0.labels["model"] == model }?.value
        }
        #expect(value("mlopsd_model_metric_estimated", "m") == 0.7)
        #expect(value("mlopsd_model_metric_estimated_lower", "m") == 0.67)
        #expect(value("mlopsd_model_metric_estimated_upper", "m") == 0.73)
        #expect(value("mlopsd_model_estimated_decayed", "m") == 1)
        #expect(value("mlopsd_model_reconstruction_error", "m") == 0.9)
        #expect(value("mlopsd_model_multivariate_drifting", "m") == 1)
        let other = samples.filter {
            $0.labels["model"] == "n"
                && ($0.name.contains("estimat") || $0.name.contains("multivariate")
                    || $0.name.contains("reconstruction"))
        }
        #expect(other.isEmpty, "\(other)")
    }

    @Test func hostileColumnNamesAreEscapedAndReadBackIntact() throws {
        let hostile = "a\"b\\c\nd} x=\"1\""
        var report = Self.report(columns: 3)
        report.columns[1].name = hostile
        let text = MetricsWriter.text(
            Self.snapshot([
                .init(model: "m", healthScore: report.health.score, driftShare: report.driftShare, report: report)
            ])
        )
        #expect(text.contains(#"column="a\"b\\c\nd} x=\"1\"""#))
        // Parsed strictly line by line: a raw newline or quote would break the line.
        let samples = try Self.samples(text)
        for name in ["mlopsd_column_drift_statistic", "mlopsd_column_drift_p_adjusted", "mlopsd_column_psi"] {
            let columns = samples.filter { $0.name == name }.compactMap { $0.labels["column"] }
            #expect(columns.sorted() == ["feature_0", "feature_2", hostile].sorted(), "\(name)")
        }
        let flagged = samples.filter { $0.name == "mlopsd_column_drifting" }.map { $0.labels["column"] ?? "" }
        #expect(flagged.count == 3 && flagged.contains(hostile))
    }

    @Test func figuresACheckCouldNotComputeAreLeftOutNotWrittenAsNaN() throws {
        var report = Self.report(columns: 2)
        report.columns[0].test = nil
        report.columns[0].statistic = nil
        report.columns[0].pValue = nil
        report.columns[0].pAdjusted = nil
        report.columns[0].psi = nil
        report.decay.status = .insufficientLabels
        report.decay.current = nil
        report.decay.interval = nil
        report.decay.baseline = nil
        report.labelled = 0
        let text = MetricsWriter.text(
            Self.snapshot([.init(model: "m", healthScore: 1, driftShare: 0, report: report)])
        )
        #expect(!text.contains("NaN"))
        let samples = try Self.samples(text)
        let untested = samples.filter { $0.labels["column"] == "feature_0" }
        #expect(untested.map(\.name) == ["mlopsd_column_drifting"], "only the flag: it was not found drifting")
        #expect(samples.filter { $0.labels["column"] == "feature_1" }.count == 4)
        let metricSeries = samples.filter { $0.name.hasPrefix("mlopsd_model_metric") }
        #expect(metricSeries.isEmpty)
        #expect(samples.first { $0.name == "mlopsd_model_window_labelled" }?.value == 0)
        #expect(samples.first { $0.name == "mlopsd_model_decayed" }?.value == 0)
        // Without a readable report a model keeps its health gauges and has no others.
        let bare = try Self.samples(
            MetricsWriter.text(Self.snapshot([.init(model: "m", healthScore: 0.5, driftShare: 0.25)]))
        )
        #expect(Set(bare.map(\.name)).isSuperset(of: ["mlopsd_model_health_score", "mlopsd_model_drift_share"]))
        #expect(!bare.contains { $0.name.hasPrefix("mlopsd_column_") || $0.name.hasPrefix("mlopsd_model_metric") })
    }

    // MARK: Cost

    @Test func aMetricsWriteDecodesOnlyTheReportsOfNewChecksAndStaysCheapAtFiftyByFifty() throws {
        let root = "/tmp/mlopsd-tests/featuremetrics-cost-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try Store(path: root + "/mlopsd.sqlite")
        func check(_ model: Int, seed: Double) throws {
            let report = Self.report(columns: 50, seed: seed)
            try store.write { db in
                let at = Timestamp.string(Date())
                _ = try CheckStore.insert(
                    db,
                    model: "model-\(model)",
                    version: "1.0.0",
                    at: at,
                    trigger: "timer",
                    report: report,
                    job: nil
                )
                try MonitoringState.checked(
                    db,
                    model: "model-\(model)",
                    drifting: !report.drifted.isEmpty,
                    at: at,
                    healthScore: report.health.score,
                    driftShare: report.driftShare
                )
            }
        }
        // Older checks first, so the latest is one of many rows per model.
        for round in 0..<3 {
            for model in 0..<50 { try check(model, seed: Double(round)) }
        }
        let writer = MetricsWriter(logger: Logger(label: "test"))
        let path = root + "/mlopsd.prom"
        let clock = ContinuousClock()
        func write() -> Duration {
            clock.measure {
                writer.write(
                    {
                        var snapshot = Self.snapshot([])
                        (snapshot.checks, snapshot.openAlerts) = writer.monitoring(store)
                        return snapshot
                    }(),
                    to: path
                )
            }
        }
        let cold = write()
        #expect(writer.reports.decoded == 50)
        let warm = (0..<20).map { _ in write() }.sorted()
        #expect(writer.reports.decoded == 50, "no check was stored: nothing is decoded again")
        try check(7, seed: 9)
        _ = write()
        #expect(writer.reports.decoded == 51, "one new check, one report decoded")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("mlopsd_column_drifting{") }.count == 2500)
        #expect(
            lines.contains(
                #"mlopsd_column_drift_statistic{model="model-7",column="feature_1",kind="categorical",test="chi_square"} 9.01"#
            )
        )
        let median = warm[warm.count / 2]
        print(
            "metrics write, 50 models x 50 columns (\(lines.count) lines, \(text.utf8.count) bytes): first \(cold), then median \(median), max \(warm[warm.count - 1])"
        )
        #expect(median < .seconds(1))
    }
}

/// Reads the metric names out of a PromQL expression (or a Grafana `label_values(...)`
/// query), for checking that a dashboard queries only what mlopsd writes.
enum PromQLNames {
    /// Functions the dashboard may call (PromQL's, and Grafana's `label_values`).
    static let functions: Set<String> = [
        "abs", "absent", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
        "count", "count_over_time", "delta", "deriv", "floor", "group", "histogram_quantile", "idelta", "increase",
        "irate", "label_replace", "label_values", "last_over_time", "max", "max_over_time", "min", "min_over_time",
        "quantile", "rate", "resets", "round", "scalar", "sort", "sort_desc", "sum", "sum_over_time", "time",
        "timestamp", "topk", "vector",
    ]
    /// Keywords: binary operators and modifiers.
    static let keywords: Set<String> = ["and", "or", "unless", "bool", "offset", "inf", "nan"]
    /// Modifiers followed by a parenthesised list of label names.
    static let labelLists: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    /// The `mlopsd_[a-z_]+` metrics named, and every other identifier that is not a
    /// function, keyword or label name (which a dashboard of mlopsd metrics must not have).
    static func scan(_ expression: String) -> (metrics: Set<String>, foreign: Set<String>) {
        var metrics = Set<String>()
        var foreign = Set<String>()
        let chars = Array(expression.unicodeScalars)
        var i = 0
        // `label_values(selector, label)`: the last argument is a label name.
        var labelValuesDepth: Int?
        var depth = 0
        func isIdentStart(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
        func skip(from open: Unicode.Scalar, to close: Unicode.Scalar) {
            // Skips a balanced group, quoted strings inside included.
            var level = 0
            while i < chars.count {
                let c = chars[i]
                if c == "\"" || c == "'" || c == "`" {
                    skipString()
                    continue
                }
                if c == open { level += 1 }
                if c == close {
                    level -= 1
                    if level == 0 {
                        i += 1
                        return
                    }
                }
                i += 1
            }
        }
        func skipString() {
            let quote = chars[i]
            i += 1
            while i < chars.count && chars[i] != quote {
                if chars[i] == "\\" { i += 1 }
                i += 1
            }
            i += 1
        }
        func nextNonSpace(_ from: Int) -> Unicode.Scalar? {
            var j = from
            while j < chars.count && chars[j].properties.isWhitespace { j += 1 }
            return j < chars.count ? chars[j] : nil
        }
        var skipNextIdentifier = false
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" || c == "`" {
                skipString()
            } else if c == "{" {
                skip(from: "{", to: "}")
            } else if c == "[" {
                skip(from: "[", to: "]")
            } else if c == "$" {
                // A Grafana variable: $name, ${name} or $__name.
                i += 1
                if i < chars.count && chars[i] == "{" {
                    skip(from: "{", to: "}")
                } else {
                    while i < chars.count && isIdent(chars[i]) { i += 1 }
                }
            } else if ("0"..."9").contains(c) || (c == "." && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1]))
            {
                // A number or duration: 1, 0.05, 1e3, 5m.
                while i < chars.count && (isIdent(chars[i]) || chars[i] == ".") { i += 1 }
            } else if isIdentStart(c) {
                var word = ""
                while i < chars.count && isIdent(chars[i]) {
                    word.unicodeScalars.append(chars[i])
                    i += 1
                }
                let next = nextNonSpace(i)
                if skipNextIdentifier {
                    skipNextIdentifier = false
                } else if labelLists.contains(word) {
                    if next == "(" {
                        while i < chars.count && chars[i] != "(" { i += 1 }
                        skip(from: "(", to: ")")
                    }
                } else if next == "(" || functions.contains(word) {
                    // A call; or an aggregation written `sum by (label) (...)`.
                    if !functions.contains(word) { foreign.insert(word + "()") }
                    if word == "label_values" { labelValuesDepth = depth + 1 }
                } else if keywords.contains(word.lowercased()) {
                    continue
                } else if word.hasPrefix("mlopsd_"),
                    word.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" })
                {
                    metrics.insert(word)
                } else {
                    foreign.insert(word)
                }
            } else {
                if c == "(" { depth += 1 }
                if c == ")" {
                    if depth == labelValuesDepth { labelValuesDepth = nil }
                    depth -= 1
                }
                // label_values' second argument is a label name, not a metric.
                if c == "," && depth == labelValuesDepth { skipNextIdentifier = true }
                i += 1
            }
        }
        return (metrics, foreign)
    }
}

/// The label set of one sample line, read back as the exposition format defines it.
enum LabelText {
    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "malformed label set: \(text)" }
    }

    /// `a="x",b="y\"z"` → `["a": "x", "b": "y\"z"]` with `\\`, `\"` and `\n` undone.
    static func parse(_ text: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        let chars = Array(text.unicodeScalars)
        var i = 0
        while i < chars.count {
            var name = ""
            while i < chars.count && chars[i] != "=" {
                name.unicodeScalars.append(chars[i])
                i += 1
            }
            guard PrometheusText.isValidLabelName(name), i + 1 < chars.count, chars[i + 1] == "\"" else {
                throw Malformed(text: text)
            }
            i += 2
            var value = ""
            while i < chars.count && chars[i] != "\"" {
                if chars[i] == "\\" {
                    guard i + 1 < chars.count else { throw Malformed(text: text) }
                    switch chars[i + 1] {
                    case "\\": value += "\\"
                    case "\"": value += "\""
                    case "n": value += "\n"
                    default: throw Malformed(text: text)
                    }
                    i += 2
                } else {
                    value.unicodeScalars.append(chars[i])
                    i += 1
                }
            }
            guard i < chars.count, labels[name] == nil else { throw Malformed(text: text) }
            labels[name] = value
            i += 1
            if i < chars.count {
                guard chars[i] == "," else { throw Malformed(text: text) }
                i += 1
            }
        }
        return labels
    }
}
