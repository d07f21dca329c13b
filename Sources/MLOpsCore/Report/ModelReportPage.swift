/// The model report as one self-contained HTML document (inline CSS and SVG, no script,
/// no network): see docs/monitoring.md "Reports". Sections: the header (model, production
/// version, latest health, window, thresholds), health over time, drift by column (a heat
/// map), each column's distribution, equipment and population, a timeline of alerts, version
/// changes and runs, and the retraining runs. Every chart has its numbers in a table, and
/// every empty part says why it is empty.
public enum ModelReportPage {
    /// The document for `report`.
    public static func html(_ report: ModelReport) -> String {
        let estimate = 40_000 + report.checks.count * 700 + report.distributions.count * 8_000
        var body = HTMLWriter(capacity: estimate)
        header(report, &body)
        health(report, &body)
        heatMap(report, &body)
        columns(report, &body)
        segments(report, &body)
        timeline(report, &body)
        retraining(report, &body)
        body.open("footer")
        body.text(
            "Written by mlopsd at \(report.generatedAt). The page is self-contained: no scripts, no fonts or images "
                + "fetched, the same offline and on paper."
        )
        body.close("footer")
        return ReportDocument.page(title: "Model report: \(report.model)", body: body.text)
    }

    /// The sections, for the contents line: anchor and title.
    static let sections = [
        ("health", "Health over time"), ("drift", "Drift by column"), ("columns", "Columns"),
        ("segments", "Equipment and population"), ("timeline", "Timeline"), ("runs", "Retraining runs"),
    ]

    static func sectionHeading(_ id: String, _ body: inout HTMLWriter) {
        let title = sections.first { $0.0 == id }?.1 ?? id
        body.element("h2", [("id", id)], title)
    }

    static func empty(_ sentence: String, _ body: inout HTMLWriter) {
        body.element("p", [("class", "empty")], sentence)
    }

    static func summaryItem(_ name: String, _ value: String, badge: HealthScore.Band? = nil, _ body: inout HTMLWriter) {
        body.open("div")
        body.element("span", [("class", "name")], name)
        body.element("span", [("class", "value")], value)
        if let badge {
            body.raw(" ")
            body.element("span", [("class", "badge \(badge.rawValue)")], badge.rawValue)
        }
        body.close("div")
    }

    static func header(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("header")
        body.element("h1", "Model report: \(report.model)")
        body.element("p", [("class", "muted")], "Generated at \(report.generatedAt) by mlopsd.")
        body.open("div", [("class", "summary")])
        if let production = report.production {
            summaryItem("Production version", "\(production.version) since \(production.since)", &body)
        } else {
            summaryItem("Production version", "none", &body)
        }
        if let latest = report.latest {
            summaryItem(
                "Health of the latest check",
                ReportFormat.number(latest.health.score),
                badge: latest.health.band,
                &body
            )
            summaryItem("Window", "\(latest.window) predictions, \(latest.labelled) labelled", &body)
        } else if let last = report.checks.last {
            summaryItem("Health of the latest check", ReportFormat.number(last.health), badge: last.band, &body)
            summaryItem("Window", "\(last.window) predictions, \(last.labelled) labelled", &body)
        } else {
            summaryItem("Health of the latest check", "no check yet", &body)
        }
        if let first = report.checks.first, let last = report.checks.last {
            summaryItem(
                "Checks shown",
                "\(report.checks.count): #\(first.seq) (\(first.at)) to #\(last.seq) (\(last.at))",
                &body
            )
        } else {
            summaryItem("Checks shown", "none", &body)
        }
        body.close("div")
        if report.production == nil {
            empty("The model has no production version: nothing is served, so nothing is monitored.", &body)
        }
        let t = report.thresholds
        var html = HTMLWriter()
        html.table(
            caption: "Thresholds in force",
            header: ["Setting", "Value", "Meaning"],
            rows: [
                [
                    "data_drift_threshold", ReportFormat.number(t.dataDriftThreshold),
                    "KS D or Jensen–Shannon distance a drifting column exceeds",
                ],
                ["drift_alpha", ReportFormat.number(t.alpha), "adjusted p-value a drifting column is below"],
                [
                    "model_decay_threshold", ReportFormat.percent(t.decayThreshold),
                    "relative drop of \(t.metric) that is decay",
                ],
                ["metric", t.metric, "what the model is judged on"],
                ["min_samples", "\(t.minSamples)", "fewer values leave a column untested"],
                ["window_size", "\(t.windowSize)", "predictions per check"],
                ["drift confirmations", "\(t.driftConfirmations)", "checks in a row before a drift alert opens"],
            ],
            rowHeaders: true,
            cssClass: "numbers text"
        )
        body.raw(html.text)
        body.open("nav", [("aria-label", "Sections")])
        body.raw("<p class=\"muted\">Sections: ")
        for (index, section) in sections.enumerated() {
            if index > 0 { body.raw(" · ") }
            body.element("a", [("href", "#" + section.0)], section.1)
        }
        body.raw("</p>")
        body.close("nav")
        body.close("header")
    }

    /// A chart with its caption as one figure (kept on one page when printed), then its
    /// table, which may run over pages.
    static func figure(_ caption: String, chart: String, table: String, _ body: inout HTMLWriter) {
        body.open("figure")
        body.element("figcaption", caption)
        body.raw(chart)
        body.close("figure")
        body.raw(table)
    }

    static func health(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("health", &body)
        guard !report.checks.isEmpty else {
            empty(
                "No checks yet: the model has not been monitored in this period, so there is nothing to chart.",
                &body
            )
            body.close("section")
            return
        }
        let health = LineChart(
            label: "Health score per check",
            valueName: "health",
            points: report.checks.map { LineChart.Point(seq: $0.seq, at: $0.at, value: $0.health) },
            range: 0...1,
            bands: LineChart.healthBands
        )
        figure(
            "Health score (1 − ½·drift share − ½·scaled metric drop). Above 0.8 is good, 0.6 to 0.8 warning, below 0.6 critical.",
            chart: health.svg(),
            table: "",
            &body
        )
        let share = LineChart(
            label: "Share of monitored columns drifting per check",
            valueName: "drift share",
            points: report.checks.map { LineChart.Point(seq: $0.seq, at: $0.at, value: $0.driftShare) },
            range: 0...1,
            style: .percent
        )
        figure("Share of monitored columns that drift.", chart: share.svg(), table: "", &body)
        let metric = report.thresholds.metric
        if report.checks.contains(where: { $0.decay.current != nil }) {
            let decay = LineChart(
                label: "\(metric) per check with its 95% interval and the production baseline",
                valueName: metric,
                points: report.checks.map {
                    LineChart.Point(
                        seq: $0.seq,
                        at: $0.at,
                        value: $0.decay.current,
                        lower: $0.decay.interval?.lower,
                        upper: $0.decay.interval?.upper,
                        baseline: $0.decay.baseline
                    )
                }
            )
            figure(
                "\(metric) on the labelled predictions of each check, its Wilson interval (shaded) and the production "
                    + "version's baseline (dashed). Gaps are checks without enough labels.",
                chart: decay.svg(),
                table: "",
                &body
            )
        } else {
            empty(
                "No labelled predictions in the checks shown, so no \(metric) was computed and decay was not judged.",
                &body
            )
        }
        estimateFigure(report, &body)
        checkTable(report, &body)
        body.close("section")
    }

    /// The metric estimated from the model's outputs (CBPE) beside the realized one, with the
    /// running absolute error: the estimate held to account. Nothing when no check shown
    /// had an estimate.
    static func estimateFigure(_ report: ModelReport, _ body: inout HTMLWriter) {
        guard report.checks.contains(where: { $0.estimate?.estimated != nil }) else { return }
        let metric = report.thresholds.metric
        var chart = LineChart(
            label: "\(metric) estimated from the model's outputs and realized on the labels, per check",
            valueName: "estimated",
            points: report.checks.map {
                var point = LineChart.Point(
                    seq: $0.seq,
                    at: $0.at,
                    value: $0.estimate?.estimated,
                    lower: $0.estimate?.lower,
                    upper: $0.estimate?.upper,
                    baseline: $0.decay.baseline
                )
                point.second = $0.estimate?.realized
                return point
            }
        )
        chart.secondName = "realized"
        chart.intervalName = "±3σ band"
        let running = report.checks.last { $0.estimate?.runningAbsoluteError != nil }?.estimate?.runningAbsoluteError
        let held =
            running.map {
                " Over the checks shown with both, the mean absolute error of the estimate is \(ReportFormat.number($0))."
            } ?? " No check shown had labels beside its estimate yet."
        figure(
            "\(metric) estimated without labels (CBPE, solid, with its ±3σ band shaded), realized on the labelled "
                + "predictions of the same window (dotted, square markers) and the baseline (dashed)." + held,
            chart: chart.svg(),
            table: chart.table(),
            &body
        )
    }

    /// The numbers of the three charts above, one row per check.
    static func checkTable(_ report: ModelReport, _ body: inout HTMLWriter) {
        let metric = report.thresholds.metric
        let rows = report.checks.map { check -> [String] in
            [
                "#\(check.seq)", check.at, check.status.rawValue, ReportFormat.number(check.health),
                check.band.rawValue,
                ReportFormat.percent(check.driftShare), "\(check.labelled)", ReportFormat.number(check.decay.current),
                ReportFormat.number(check.decay.interval?.lower), ReportFormat.number(check.decay.interval?.upper),
                ReportFormat.number(check.decay.baseline),
            ]
        }
        body.table(
            caption: "The charts' numbers, one row per check",
            header: [
                "Check", "Time", "Status", "Health", "Band", "Drift share", "Labelled", metric, "Lower", "Upper",
                "Baseline",
            ],
            rows: rows,
            rowHeaders: true,
            cssClass: "numbers wide"
        )
    }

    static func heatMap(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("drift", &body)
        let map = DriftHeatMap(
            checks: report.checks,
            alpha: report.thresholds.alpha,
            threshold: report.thresholds.dataDriftThreshold
        )
        guard !map.columns.isEmpty else {
            empty(
                report.checks.isEmpty
                    ? "No checks yet: no column has been tested." : "The checks shown tested no column.",
                &body
            )
            body.close("section")
            return
        }
        body.element(
            "p",
            "Each cell is a column in a check, shaded by its Benjamini–Hochberg adjusted p-value: the darker, the stronger the "
                + "evidence of a change (KS D is used when a check has no p-value). Cells of drifting columns are outlined; "
                + "dashed white cells were not tested (too few values)."
        )
        let grouping: String
        if map.isBucketed {
            let sizes = map.buckets.map(\.checks.count)
            grouping =
                "The \(report.checks.count) checks are more than \(DriftHeatMap.maxBuckets), so consecutive checks are grouped into "
                + "\(map.buckets.count) buckets of \(sizes.min() ?? 0) to \(sizes.max() ?? 0) checks: a bucket's cell shows the "
                + "smallest adjusted p of its checks, and is outlined when the column drifted in any of them."
        } else {
            grouping =
                "One cell per column and check. (Above \(DriftHeatMap.maxBuckets) checks, consecutive checks are grouped into "
                + "at most \(DriftHeatMap.maxBuckets) buckets, each cell showing the bucket's smallest adjusted p.)"
        }
        body.element("p", [("class", "muted")], grouping)
        figure("Adjusted p-value per column and check.", chart: map.svg(), table: map.table(), &body)
        body.close("section")
    }
}
