/// The offline drift report of `mlopsctl drift --html` as one self-contained HTML document
/// (inline CSS and SVG, no script, no network).
public enum DriftReportPage {
    /// What the page shows: the comparison, each column's distributions, and the files.
    public struct Input: Sendable {
        /// The comparison `mlopsctl drift` printed.
        public var report: DriftReport
        /// Each column's reference against current distribution, in the report's order.
        public var distributions: [ColumnDistribution]
        /// The reference file as given.
        public var referenceFile: String
        /// The current file as given.
        public var currentFile: String
        /// When it was written (RFC 3339).
        public var generatedAt: String

        /// An input.
        public init(
            report: DriftReport,
            distributions: [ColumnDistribution],
            referenceFile: String,
            currentFile: String,
            generatedAt: String
        ) {
            self.report = report
            self.distributions = distributions
            self.referenceFile = referenceFile
            self.currentFile = currentFile
            self.generatedAt = generatedAt
        }
    }

    /// The document for `input`: a header (files, rows, threshold, alpha, how many columns
    /// drift), a summary table of every column, then each column's chart beside its numbers.
    public static func html(_ input: Input) -> String {
        let report = input.report
        var body = HTMLWriter(capacity: 20_000 + input.distributions.count * 8_000)
        body.open("header")
        body.element("h1", "Drift report: \(input.currentFile) against \(input.referenceFile)")
        body.element("p", [("class", "muted")], "Generated at \(input.generatedAt) by mlopsctl drift.")
        body.open("div", [("class", "summary")])
        ModelReportPage.summaryItem(
            "Reference",
            "\(input.referenceFile) (\(ReportFormat.count(report.rowsReference, "row")))",
            &body
        )
        ModelReportPage.summaryItem(
            "Current",
            "\(input.currentFile) (\(ReportFormat.count(report.rowsCurrent, "row")))",
            &body
        )
        ModelReportPage.summaryItem("Threshold", ReportFormat.number(report.threshold), &body)
        ModelReportPage.summaryItem("Alpha", ReportFormat.number(report.alpha), &body)
        let outputs = report.columns.filter { $0.type == .output }.count
        ModelReportPage.summaryItem(
            "Drift",
            "\(report.drifted.count) of \(report.columns.count - outputs) \(outputs > 0 ? "input " : "")columns drift "
                + "(\(ReportFormat.percent(report.driftShare)))",
            &body
        )
        if outputs > 0 {
            ModelReportPage.summaryItem("Outputs", "\(report.outputsDrifted.count) of \(outputs) drift", &body)
        }
        body.close("div")
        body.element(
            "p",
            "A column drifts when its Benjamini–Hochberg adjusted p-value is below alpha and its effect size (KS D for "
                + "numbers, Jensen–Shannon distance for categories) exceeds the threshold."
        )
        body.close("header")
        body.open("section")
        body.element("h2", [("id", "summary")], "Every column")
        if report.columns.isEmpty {
            ModelReportPage.empty("The files have no column in common.", &body)
        } else {
            body.table(
                caption: "Tests per column",
                header: [
                    "Column", "Type", "Test", "Statistic", "p", "Adjusted p", "PSI", "JS distance",
                    "Missing (reference / current)", "Verdict", "Note",
                ],
                rows: report.columns.map { column in
                    [
                        column.name, column.type.rawValue, column.test?.rawValue ?? ReportFormat.missing,
                        ReportFormat.number(column.statistic), ReportFormat.pValue(column.pValue),
                        ReportFormat.pValue(column.pAdjusted), ReportFormat.number(column.psi),
                        ReportFormat.number(column.jensenShannon),
                        "\(column.missingReference) / \(column.missingCurrent)",
                        column.test == nil ? "not tested" : column.drift ? "drift" : "no drift", column.note ?? "",
                    ]
                },
                rowHeaders: true,
                cssClass: "numbers wide notes"
            )
        }
        body.close("section")
        if let estimate = report.estimate { estimateSection(estimate, &body) }
        if let multivariate = report.multivariate { multivariateSection(multivariate, &body) }
        body.open("section")
        body.element("h2", [("id", "columns")], "Columns")
        if input.distributions.isEmpty {
            ModelReportPage.empty("No column to draw.", &body)
        } else {
            body.element(
                "p",
                "Each column's reference against current values, as shares of each side's values: numbers in "
                    + "\(ColumnDistribution.bins) shared bins (reference dashed outline, current filled), categories as paired "
                    + "bars (values the reference never had are marked new)."
            )
        }
        var columns: [String: DriftReport.Column] = [:]
        for column in report.columns where columns[column.name] == nil { columns[column.name] = column }
        for distribution in input.distributions {
            let column = columns[distribution.name]
            body.open("div", [("class", "column-block")])
            body.element("h3", "\(distribution.name) (\(column?.type.rawValue ?? distribution.kind.rawValue))")
            if let column {
                let verdict = column.test == nil ? "not tested" : column.drift ? "drift" : "no drift"
                body.open("p", [("class", "stats")])
                body.element("span", [("class", column.drift ? "verdict-drift" : "verdict")], "Verdict: \(verdict)")
                body.element("span", "statistic: \(ReportFormat.number(column.statistic))")
                body.element("span", "adjusted p: \(ReportFormat.pValue(column.pAdjusted))")
                body.element("span", "PSI: \(ReportFormat.number(column.psi))")
                if let note = column.note { body.element("span", note) }
                body.close("p")
            }
            let chart = DistributionChart(distribution)
            body.open("div", [("class", "pair")])
            body.raw(chart.svg())
            body.raw(chart.table())
            body.close("div")
            body.close("div")
        }
        body.close("section")
        body.open("footer")
        body.text(
            "Written by mlopsctl drift at \(input.generatedAt). The page is self-contained: no scripts, nothing fetched."
        )
        body.close("footer")
        return ReportDocument.page(title: "Drift report: \(input.currentFile)", body: body.text)
    }

    /// `start–end` rows of a chunk.
    static func rows<Value>(_ chunk: DriftModelFigures.Chunk<Value>) -> String { "\(chunk.start)–\(chunk.end)" }

    /// `low – high`, or the missing mark.
    static func range(_ low: Double?, _ high: Double?) -> String {
        guard low != nil || high != nil else { return ReportFormat.missing }
        return ReportFormat.number(low) + " – " + ReportFormat.number(high)
    }

    /// The estimated performance: how it was fitted, then one row per chunk and metric.
    static func estimateSection(_ estimate: DriftModelFigures.Estimate, _ body: inout HTMLWriter) {
        body.open("section")
        body.element("h2", [("id", "estimate")], "Estimated performance")
        body.element(
            "p",
            "Estimated without labels from the model's calibrated confidence (CBPE, as NannyML): classes "
                + estimate.classes.joined(separator: ", ") + "; calibration "
                + estimate.calibration.joined(separator: ", ") + "; fitted on "
                + ReportFormat.count(estimate.referenceRows, "labelled reference row") + "; "
                + (estimate.thresholdChunkSize.map { "thresholds from reference chunks of \($0) rows." }
                    ?? "no thresholds (fewer than two reference chunks).")
                + " The band is the estimate ± 3 sampling errors; a realized value appears where the current file has labels."
        )
        var rows: [[String]] = []
        for chunk in estimate.chunks {
            for metric in chunk.value.metrics {
                rows.append([
                    Self.rows(chunk), metric.metric.rawValue,
                    ReportFormat.number(estimate.baseline.first { $0.metric == metric.metric }?.value ?? nil),
                    ReportFormat.number(metric.estimated), range(metric.lower, metric.upper),
                    range(metric.thresholdLower, metric.thresholdUpper), ReportFormat.number(metric.realized),
                    metric.alert ? "alert" : "",
                ])
            }
        }
        body.table(
            caption: "Estimated metrics per chunk of the current file",
            header: ["Rows", "Metric", "Reference", "Estimated", "Band (±3σ)", "Thresholds", "Realized", "Alert"],
            rows: rows,
            rowHeaders: true,
            cssClass: "numbers"
        )
        body.close("section")
    }

    /// The multivariate drift: the model, then one row per chunk.
    static func multivariateSection(_ multivariate: DriftModelFigures.Multivariate, _ body: inout HTMLWriter) {
        body.open("section")
        body.element("h2", [("id", "multivariate")], "Multivariate drift")
        body.element(
            "p",
            "PCA reconstruction error of the numerical input columns (" + multivariate.columns.joined(separator: ", ")
                + "), standardised on the reference: \(multivariate.components) components explain "
                + ReportFormat.percent(multivariate.explainedVariance) + " of its variance. A chunk drifts when its "
                + "mean error leaves the reference chunks' mean ± 3σ: the features' joint distribution changed, even if "
                + "no single column did."
                + (multivariate.components < multivariate.columns.count
                    ? "" : " Here every component is needed, so the error is rounding noise and never drift.")
        )
        body.table(
            caption: "Reconstruction error per chunk of the current file",
            header: ["Rows", "Error", "Band (±3σ)", "Thresholds", "Verdict"],
            rows: multivariate.chunks.map { chunk in
                [
                    rows(chunk), ReportFormat.number(chunk.value.error), range(chunk.value.lower, chunk.value.upper),
                    range(chunk.value.thresholdLower, chunk.value.thresholdUpper),
                    chunk.value.drift ? "drift" : "no drift",
                ]
            },
            rowHeaders: true,
            cssClass: "numbers"
        )
        body.close("section")
    }
}
