import Testing

@testable import MLOpsCore

/// The Prometheus text exposition format, byte for byte: what node_exporter's textfile
/// collector reads.
@Suite struct PrometheusTextTests {
    @Test func familiesComeOutInOrderWithHelpTypeAndSamplesSortedByLabels() {
        let text = PrometheusText.render([
            MetricFamily(name: "b_up", help: "Up.", kind: .gauge, samples: [MetricSample([], 1)]),
            MetricFamily(
                name: "a_jobs_total",
                help: "Jobs.",
                kind: .counter,
                samples: [
                    MetricSample([MetricLabel("kind", "train"), MetricLabel("status", "failed")], 2),
                    MetricSample([MetricLabel("kind", "check"), MetricLabel("status", "succeeded")], 5),
                    MetricSample([MetricLabel("kind", "check"), MetricLabel("status", "failed")], 1),
                ]
            ),
        ])
        #expect(
            text == """
                # HELP b_up Up.
                # TYPE b_up gauge
                b_up 1
                # HELP a_jobs_total Jobs.
                # TYPE a_jobs_total counter
                a_jobs_total{kind="check",status="failed"} 1
                a_jobs_total{kind="check",status="succeeded"} 5
                a_jobs_total{kind="train",status="failed"} 2

                """
        )
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewline() {
        let text = PrometheusText.render([
            MetricFamily(
                name: "m",
                help: "h",
                kind: .gauge,
                samples: [
                    MetricSample([MetricLabel("path", "C:\\dir \"x\"\nnext")], 3)
                ]
            )
        ])
        #expect(text.split(separator: "\n").last == #"m{path="C:\\dir \"x\"\nnext"} 3"#)
    }

    @Test func helpTextEscapesBackslashAndNewlineButNotQuotes() {
        #expect(PrometheusText.escapeHelp("a \\ b\n\"c\"") == #"a \\ b\n"c""#)
        #expect(PrometheusText.escapeLabelValue("plain-value_1.0") == "plain-value_1.0")
    }

    @Test func familiesWithoutSamplesAreLeftOut() {
        let text = PrometheusText.render([
            MetricFamily(name: "empty", help: "nothing yet", kind: .gauge, samples: []),
            MetricFamily(name: "x", help: "x", kind: .gauge, samples: [MetricSample([], 0)]),
        ])
        #expect(text == "# HELP x x\n# TYPE x gauge\nx 0\n")
        #expect(PrometheusText.render([]) == "")
    }

    @Test func valuesAreWrittenAsPrometheusParsesThem() {
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(-2) == "-2")
        #expect(PrometheusText.format(0.25) == "0.25")
        #expect(PrometheusText.format(1_718_000_000.5) == "1718000000.5")
        #expect(PrometheusText.format(1.5e-7) == "1.5e-07")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }

    @Test func metricAndLabelNamesAreChecked() {
        #expect(PrometheusText.isValidMetricName("mlopsd_jobs_total"))
        #expect(PrometheusText.isValidMetricName("ns:rule_1"))
        #expect(!PrometheusText.isValidMetricName("1abc"))
        #expect(!PrometheusText.isValidMetricName("a-b"))
        #expect(!PrometheusText.isValidMetricName(""))
        #expect(PrometheusText.isValidLabelName("kind"))
        #expect(!PrometheusText.isValidLabelName("a:b"))
        #expect(!PrometheusText.isValidLabelName("__reserved"))
    }

    @Test func aCatalogOfDefinitionsRendersFromItsSource() {
        struct Source {
            var depth: Int
            var last: Double?
            var byKind: [String: Int]
        }
        let catalog: [MetricDefinition<Source>] = [
            .gauge("q_depth", "Queue.") { Double($0.depth) },
            .gauge("q_last_seconds", "Last.") { $0.last },
            .counter("q_total", "By kind.", labels: ["kind"]) { s in s.byKind.map { ([$0.key], Double($0.value)) } },
        ]
        let text = PrometheusText.render(catalog, from: Source(depth: 4, last: nil, byKind: ["b": 2, "a": 1]))
        #expect(
            text == """
                # HELP q_depth Queue.
                # TYPE q_depth gauge
                q_depth 4
                # HELP q_total By kind.
                # TYPE q_total counter
                q_total{kind="a"} 1
                q_total{kind="b"} 2

                """
        )
    }
}
