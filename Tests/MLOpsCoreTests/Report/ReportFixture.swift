import Foundation

@testable import MLOpsCore

/// Builds model reports of any size for the renderer's tests: `columns` numerical features
/// (plus one equipment field), `checks` checks ten minutes apart, alerts, version events and
/// runs, all with realistic figures.
enum ReportFixture {
    static let start = 1_793_577_600.0  // 2026-11-02T00:00:00Z

    static func time(_ minutes: Double) -> String {
        Timestamp.string(Date(timeIntervalSince1970: start + minutes * 60))
    }

    static let thresholds = ModelReport.Thresholds(
        dataDriftThreshold: 0.1,
        decayThreshold: 0.05,
        alpha: 0.05,
        minSamples: 50,
        windowSize: 500,
        metric: "accuracy",
        driftConfirmations: 2
    )

    static func columnName(_ index: Int) -> String { "feature_\(index)" }

    /// The stored report of check `index`: column `c` has adjusted p `(c + index) % 7 / 7`
    /// (0 drifts), the metric is missing every fifth check.
    static func monitoringReport(
        index: Int,
        columns names: [String],
        equipment: String = "scanner",
        newValue: String = "X-900"
    ) -> MonitoringReport {
        let columns = names.enumerated().map { c, name in
            let p = Double((c + index) % 7) / 7
            return MonitoringReport.ColumnDrift(
                name: name,
                kind: .numerical,
                test: c == 1 && index % 3 == 0 ? nil : .ks,
                statistic: 0.3 - p * 0.3,
                pValue: p / 2,
                pAdjusted: p,
                psi: 0.2 - p * 0.2,
                jensenShannon: nil,
                missing: c,
                drift: p == 0,
                explanation: p == 0 ? "D exceeds 0.1 and p is below 0.05" : "no significant change"
            )
        }
        let drifted = columns.filter(\.drift).map(\.name)
        let labelled = index % 5 == 4 ? 0 : 200
        let current: Double? = labelled == 0 ? nil : 0.9 - Double(index % 10) * 0.01
        let interval = current.map {
            WilsonInterval(lower: $0 - 0.04, upper: $0 + 0.03, proportion: $0, confidence: 0.95)
        }
        let drop = current.map { (0.9 - $0) / 0.9 }
        let segment = MonitoringReport.SegmentChange(
            newValues: [MonitoringReport.NewValue(column: equipment, value: newValue, count: 12)],
            shifted: [],
            perValue: [
                MonitoringReport.ValueFigures(
                    column: equipment,
                    value: "A-100",
                    count: 300,
                    driftedFeatures: [],
                    labelled: 120,
                    metric: 0.91,
                    interval: WilsonInterval(lower: 0.85, upper: 0.95, proportion: 0.91, confidence: 0.95)
                ),
                MonitoringReport.ValueFigures(
                    column: equipment,
                    value: newValue,
                    count: 12,
                    driftedFeatures: names.prefix(1).map { $0 },
                    labelled: 0,
                    metric: nil,
                    interval: nil
                ),
            ]
        )
        return MonitoringReport(
            status: .ok,
            window: 500,
            labelled: labelled,
            referenceRows: 2_000,
            columns: columns,
            driftShare: names.isEmpty ? 0 : Double(drifted.count) / Double(names.count),
            drifted: drifted,
            equipment: segment,
            population: MonitoringReport.SegmentChange(newValues: [], shifted: [], perValue: []),
            decay: MonitoringReport.Decay(
                status: current == nil ? .insufficientLabels : .ok,
                metric: "accuracy",
                baseline: 0.9,
                current: current,
                relativeDrop: drop,
                interval: interval,
                labelled: labelled,
                decayed: false
            ),
            health: HealthScore(
                drifted: drifted.count,
                monitored: names.count,
                relativeDrop: drop,
                decayThreshold: 0.05
            )
        )
    }

    static func alert(_ n: Int, model: String, message: String = "drift in feature_0") -> AlertDocument {
        AlertDocument(
            id: "\(model).data_drift.\(n)",
            model: model,
            version: "1.0.0",
            type: n % 2 == 0 ? "data_drift" : "model_decay",
            severity: n % 3 == 0 ? .critical : .warning,
            healthScore: 0.7,
            message: message,
            details: .null,
            occurrences: 3,
            openedAt: time(Double(n) * 120),
            updatedAt: time(Double(n) * 120 + 30),
            resolvedAt: n % 2 == 0 ? time(Double(n) * 120 + 90) : nil,
            acknowledgedAt: n == 1 ? time(Double(n) * 120 + 10) : nil,
            acknowledgedBy: n == 1 ? "alice" : nil
        )
    }

    static func run(_ n: Int, model: String) -> RunDocument {
        let stages = PipelineStage.allCases.enumerated().map { index, stage in
            StageDocument(
                stage: stage,
                number: index + 1,
                outcome: stage == .abTest ? .skipped : .succeeded,
                report: .null,
                startedAt: time(Double(n) * 200 + Double(index)),
                finishedAt: time(Double(n) * 200 + Double(index) + 1),
                durationSeconds: stage == .abTest ? nil : Double(30 + index * 10),
                exitCode: nil,
                signal: nil
            )
        }
        return RunDocument(
            runID: "run-\(n)",
            model: model,
            pipeline: "default",
            state: n == 1 ? .failed : .succeeded,
            params: .null,
            trigger: "drift",
            submittedBy: "mlopsd",
            queuedAt: time(Double(n) * 200 - 2),
            stagesTotal: 8,
            stages: stages,
            childrenSeconds: 300,
            job: nil,
            stage: .monitor,
            stageNumber: 8,
            startedAt: time(Double(n) * 200),
            finishedAt: time(Double(n) * 200 + 9),
            durationSeconds: 540,
            version: n == 1 ? nil : "1.\(n).0",
            error: n == 1 ? ["message": "train exited with status 2"] : nil
        )
    }

    static func numericDistribution(_ name: String, seed: Int) -> ColumnDistribution {
        let reference = (0..<400).map { Double(($0 * 37 + seed) % 100) / 10 }
        let current = (0..<300).map { Double(($0 * 53 + seed) % 120) / 10 }
        return ColumnDistribution.numeric(name: name, kind: .numerical, reference: reference, current: current)
    }

    /// A report with `columns` features and `checks` checks, three alerts, three version
    /// events and two runs; names can be replaced to test escaping.
    static func report(
        model: String = "chest-xray",
        columns: Int = 4,
        checks: Int = 10,
        columnNames: [String]? = nil,
        equipment: String = "scanner",
        newValue: String = "X-900",
        alertMessage: String = "drift in feature_0"
    ) -> ModelReport {
        let names = columnNames ?? (0..<columns).map(columnName)
        let reports = (0..<checks).map {
            monitoringReport(index: $0, columns: names, equipment: equipment, newValue: newValue)
        }
        let history = reports.enumerated().map { index, report in
            Kinds.MonitoringHistory.Check(
                seq: index + 1,
                at: time(Double(index) * 10),
                version: "1.0.0",
                trigger: "timer",
                report: report
            )
        }
        var distributions = names.enumerated().map { numericDistribution($1, seed: $0) }
        distributions.append(
            ColumnDistribution.categorical(
                name: equipment,
                kind: .equipment,
                reference: ["A-100": 800, "B-200": 200],
                current: ["A-100": 300, "B-200": 50, newValue: 12]
            )
        )
        let events = [
            ModelReport.VersionEvent(
                version: "1.0.0",
                event: VersionEventDocument(
                    from: nil,
                    to: .registered,
                    at: time(-30),
                    by: "ci",
                    job: nil,
                    reason: nil,
                    forced: false
                )
            ),
            ModelReport.VersionEvent(
                version: "1.0.0",
                event: VersionEventDocument(
                    from: .registered,
                    to: .production,
                    at: time(-20),
                    by: "alice",
                    job: "job-1",
                    reason: "gates passed: accuracy 0.91 ≥ 0.85",
                    forced: true
                )
            ),
            ModelReport.VersionEvent(
                version: "0.9.0",
                event: VersionEventDocument(
                    from: .staging,
                    to: .archived,
                    at: time(5),
                    by: "bob",
                    job: nil,
                    reason: nil,
                    forced: false
                )
            ),
        ]
        return ModelReport(
            model: model,
            generatedAt: time(Double(checks) * 10 + 5),
            production: ModelReport.Production(version: "1.0.0", since: time(-20), metricValue: 0.9),
            thresholds: thresholds,
            checks: history,
            latest: reports.last,
            distributions: distributions,
            alerts: [alert(1, model: model, message: alertMessage), alert(2, model: model), alert(3, model: model)],
            events: events,
            runs: [run(1, model: model), run(2, model: model)]
        )
    }

    /// A report of a model that has nothing yet.
    static func emptyReport() -> ModelReport {
        ModelReport(
            model: "new-model",
            generatedAt: time(0),
            production: nil,
            thresholds: thresholds,
            checks: [],
            latest: nil,
            distributions: [],
            alerts: [],
            events: [],
            runs: []
        )
    }

    /// How many times `needle` occurs in `text`.
    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
