/// The model report's per-column, segment, timeline and run sections.
extension ModelReportPage {
    /// One line of a column's figures from the latest check, and its explanation.
    static func columnStats(_ column: MonitoringReport.ColumnDrift?, _ body: inout HTMLWriter) {
        guard let column else {
            body.element("p", [("class", "stats muted")], "The latest check has no test of this column.")
            return
        }
        body.open("p", [("class", "stats")])
        let verdict = column.test == nil ? "not tested" : column.drift ? "drift" : "no drift"
        body.open("span", [("class", column.drift ? "verdict-drift" : "verdict")])
        body.text("Verdict: \(verdict)")
        body.close("span")
        let parts: [(String, String)] = [
            ("test", column.test?.rawValue ?? ReportFormat.missing),
            ("statistic", ReportFormat.number(column.statistic)),
            ("p", ReportFormat.pValue(column.pValue)),
            ("adjusted p", ReportFormat.pValue(column.pAdjusted)),
            ("PSI", ReportFormat.number(column.psi)),
            ("JS distance", ReportFormat.number(column.jensenShannon)),
            ("missing", "\(column.missing)"),
        ]
        for (name, value) in parts { body.element("span", "\(name): \(value)") }
        body.close("p")
        if !column.explanation.isEmpty { body.element("p", [("class", "muted")], column.explanation) }
    }

    /// A distribution's block: heading, figures, chart beside its table.
    static func distributionBlock(
        _ distribution: ColumnDistribution,
        column: MonitoringReport.ColumnDrift?,
        _ body: inout HTMLWriter
    ) {
        body.open("div", [("class", "column-block")])
        body.element("h3", "\(distribution.name) (\(distribution.kind.rawValue))")
        columnStats(column, &body)
        let chart = DistributionChart(distribution)
        body.open("div", [("class", "pair")])
        body.raw(chart.svg())
        body.raw(chart.table())
        body.close("div")
        body.close("div")
    }

    static func columns(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("columns", &body)
        let features = report.distributions.filter { $0.kind == .numerical || $0.kind == .categorical }
        guard !features.isEmpty else {
            empty(
                "No feature distributions: the production version has no reference data or the window is empty.",
                &body
            )
            body.close("section")
            return
        }
        body.element(
            "p",
            "Each feature's reference data against the current window, as shares of each side's values: numbers in "
                + "\(ColumnDistribution.bins) shared bins (reference dashed outline, current filled), categories as paired bars "
                + "(values the reference never had are marked new). Figures are the latest check's."
        )
        let tests = latestColumns(report)
        for distribution in features {
            distributionBlock(distribution, column: tests[distribution.name], &body)
        }
        body.close("section")
    }

    /// The latest check's columns by name (the first of a repeated name).
    static func latestColumns(_ report: ModelReport) -> [String: MonitoringReport.ColumnDrift] {
        var columns: [String: MonitoringReport.ColumnDrift] = [:]
        for column in report.latest?.columns ?? [] where columns[column.name] == nil { columns[column.name] = column }
        return columns
    }

    static func segments(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("segments", &body)
        let tests = latestColumns(report)
        let baseline = report.production?.metricValue ?? report.latest?.decay.baseline
        for (kind, title) in [(ColumnKind.equipment, "Equipment"), (.population, "Population")] {
            body.element("h3", title)
            let distributions = report.distributions.filter { $0.kind == kind }
            let change = kind == .equipment ? report.latest?.equipment : report.latest?.population
            if distributions.isEmpty {
                empty("No \(title.lowercased()) fields are monitored for this model.", &body)
            } else {
                body.element("p", "The mix of values in the reference data against the current window.")
                for distribution in distributions {
                    distributionBlock(distribution, column: tests[distribution.name], &body)
                }
            }
            guard let change else { continue }
            if !change.newValues.isEmpty {
                let list = change.newValues.map {
                    "\($0.column) = \($0.value) (\(ReportFormat.count($0.count, "prediction")))"
                }
                body.element("p", "New values the reference never had: " + list.joined(separator: "; ") + ".")
            }
            guard !change.perValue.isEmpty else { continue }
            let chart = SegmentMetricChart(
                group: title,
                figures: change.perValue,
                newValues: change.newValues,
                metric: report.thresholds.metric,
                baseline: baseline
            )
            guard change.perValue.contains(where: { $0.metric != nil }) else {
                // A chart of nothing but "no labels" rows says no more than this sentence;
                // the table still gives each value's predictions and drifting features.
                empty(
                    "No labelled predictions per \(title.lowercased()) value, so no \(report.thresholds.metric) per value.",
                    &body
                )
                body.raw(chart.table())
                continue
            }
            figure(
                "\(report.thresholds.metric) per \(title.lowercased()) value in the latest check, with its Wilson interval; "
                    + "the dashed line is the production baseline.",
                chart: chart.svg(),
                table: chart.table(),
                &body
            )
        }
        body.close("section")
    }

    static func timeline(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("timeline", &body)
        guard !(report.alerts.isEmpty && report.events.isEmpty && report.runs.isEmpty) else {
            empty("No alerts, version changes or pipeline runs in this period.", &body)
            body.close("section")
            return
        }
        if report.alerts.isEmpty { empty("No alerts during the checks shown.", &body) }
        let span = [report.checks.first?.at, report.checks.last?.at].compactMap { $0 }
        let chart = TimelineChart(alerts: report.alerts, events: report.events, runs: report.runs, span: span)
        figure(
            "Alerts (bar from opened to resolved, dashed while open; circle opened, tick last update, diamond acknowledged, "
                + "square resolved), version changes (triangle up promoted, down rolled back, square other changes, hollow "
                + "created) and pipeline runs (thin line queued, bar running to finished, labelled with the state). Times UTC.",
            chart: chart.svg(),
            table: chart.table(),
            &body
        )
        body.close("section")
    }

    static func retraining(_ report: ModelReport, _ body: inout HTMLWriter) {
        body.open("section")
        sectionHeading("runs", &body)
        guard !report.runs.isEmpty else {
            empty("No pipeline runs for this model.", &body)
            body.close("section")
            return
        }
        let rows = report.runs.map { run in
            [
                run.runID, run.trigger, run.state.rawValue, run.queuedAt, run.startedAt ?? ReportFormat.missing,
                run.finishedAt ?? ReportFormat.missing, ReportFormat.duration(run.durationSeconds),
                run.version ?? ReportFormat.missing, run.errorMessage ?? "",
            ]
        }
        body.table(
            caption: "Pipeline runs, oldest first",
            header: ["Run", "Trigger", "State", "Queued", "Started", "Finished", "Duration", "Version", "Error"],
            rows: rows,
            rowHeaders: true,
            cssClass: "numbers text"
        )
        let chart = RunStagesChart(runs: report.runs)
        let shown = report.runs.count > RunStagesChart.mostRuns ? " (the newest \(RunStagesChart.mostRuns) runs)" : ""
        figure(
            "Time spent in each stage per run\(shown); each segment carries its stage's number.",
            chart: chart.svg(),
            table: chart.table(),
            &body
        )
        body.close("section")
    }
}
