/// Where each pipeline run's time went: one stacked bar per run, one segment per stage that
/// ran (stage number written in the segment, a pattern of stroke per stage so it reads
/// without colour). Only the newest ``mostRuns`` runs are drawn; the table lists every run.
public struct RunStagesChart: Sendable {
    /// The runs, oldest first.
    public var runs: [RunDocument]

    /// The most runs drawn.
    public static let mostRuns = 50

    /// A chart.
    public init(runs: [RunDocument]) {
        self.runs = runs
    }

    static let width = 1080.0
    static let labelWidth = 200.0
    static let row = 20.0
    static let top = 30.0

    /// The runs drawn: the newest ``mostRuns``.
    var drawn: [RunDocument] { Array(runs.suffix(Self.mostRuns)) }

    /// The SVG chart.
    public func svg() -> String {
        let runs = drawn
        let plotWidth = Self.width - Self.labelWidth - 100
        let longest = max(
            runs.map { $0.stages.compactMap(\.durationSeconds).filter { $0.isFinite && $0 > 0 }.reduce(0, +) }.max()
                ?? 0,
            0.001
        )
        let height = Self.top + Double(max(1, runs.count)) * Self.row + 10
        var svg = SVGWriter(
            width: Self.width,
            height: height,
            label: "Time spent in each stage per run",
            attributes: [("class", "chart run-stages")]
        )
        var legendX = 10.0
        for stage in PipelineStage.allCases {
            let number = (PipelineStage.allCases.firstIndex(of: stage) ?? 0) + 1
            svg.rect(x: legendX, y: 6, width: 12, height: 12, cssClass: "stage stage-\(number)")
            svg.label("\(number) \(stage.rawValue)", x: legendX + 16, y: 16, cssClass: "legend")
            legendX += 24 + Double(stage.rawValue.count + 2) * 6.2
        }
        for (index, run) in runs.enumerated() {
            let y = Self.top + Double(index) * Self.row
            svg.label(run.runID, x: Self.labelWidth - 6, y: y + 14, cssClass: "row-label", anchor: "end")
            var x = Self.labelWidth
            for stage in run.stages {
                guard let seconds = stage.durationSeconds, seconds.isFinite, seconds > 0 else { continue }
                let width = plotWidth * seconds / longest
                svg.rect(
                    x: x,
                    y: y + 3,
                    width: width,
                    height: Self.row - 6,
                    cssClass: "stage stage-\(stage.number)",
                    tooltip:
                        "\(run.runID) \(stage.stage.rawValue): \(ReportFormat.duration(seconds)), \(stage.outcome.rawValue)"
                )
                if width > 14 {
                    svg.label(
                        "\(stage.number)",
                        x: x + width / 2,
                        y: y + 14,
                        cssClass: "stage-number",
                        anchor: "middle"
                    )
                }
                x += width
            }
            svg.label(
                "\(run.state.rawValue) \(ReportFormat.duration(run.durationSeconds))",
                x: x + 6,
                y: y + 14,
                cssClass: "tick"
            )
        }
        return svg.finish()
    }

    /// Every run's stage durations.
    public func table() -> String {
        let stages = PipelineStage.allCases
        let rows = runs.map { run in
            [run.runID]
                + stages.map { stage in
                    guard let document = run.stages.first(where: { $0.stage == stage }) else {
                        return ReportFormat.missing
                    }
                    guard let seconds = document.durationSeconds else { return document.outcome.rawValue }
                    return ReportFormat.duration(seconds)
                        + (document.outcome == .succeeded ? "" : " (\(document.outcome.rawValue))")
                }
        }
        var html = HTMLWriter(capacity: rows.count * 200 + 400)
        html.table(
            caption: "Stage durations per run",
            header: ["Run"] + stages.map(\.rawValue),
            rows: rows,
            rowHeaders: true,
            cssClass: "numbers wide"
        )
        return html.text
    }
}
