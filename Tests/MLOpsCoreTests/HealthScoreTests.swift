import Testing

@testable import MLOpsCore

@Suite struct HealthScoreTests {
    @Test func theFormulaIsOneMinusHalfDriftShareMinusHalfScaledDrop() {
        let h = HealthScore(drifted: 1, monitored: 4, relativeDrop: 0.05, decayThreshold: 0.05)
        // d = 0.25, k = min(1, 0.05 / 0.1) = 0.5: 1 − 0.125 − 0.25
        #expect(abs(h.score - 0.625) < 1e-12)
        #expect(h.band == .warning)
        #expect(h.contributions.map(\.signal) == ["drift", "decay"])
        #expect(abs(h.contributions[0].penalty - 0.125) < 1e-12)
        #expect(abs(h.contributions[1].penalty - 0.25) < 1e-12)
    }

    @Test func anEstimatedDropStandsInOnlyWithoutLabelsAndIsMarked() {
        let estimated = HealthScore(
            drifted: 0,
            monitored: 4,
            relativeDrop: nil,
            decayThreshold: 0.05,
            estimatedDrop: 0.05
        )
        #expect(abs(estimated.score - 0.75) < 1e-12)
        #expect(estimated.contributions[1].estimated == true)
        #expect(estimated.contributions[1].explanation.hasPrefix("estimated from the model's outputs"))
        // Labels win: the measured drop is used and nothing is marked.
        let measured = HealthScore(
            drifted: 0,
            monitored: 4,
            relativeDrop: 0,
            decayThreshold: 0.05,
            estimatedDrop: 0.05
        )
        #expect(measured.score == 1)
        #expect(measured.contributions[1].estimated == nil)
    }

    @Test func multivariateDriftCostsItsWeightAndIsListedOnlyWhenJudged() {
        let drift = HealthScore(
            drifted: 0,
            monitored: 4,
            relativeDrop: nil,
            decayThreshold: 0.05,
            multivariateDrift: true
        )
        #expect(abs(drift.score - (1 - HealthScore.multivariateWeight)) < 1e-12)
        #expect(drift.band == .warning)
        #expect(drift.contributions.map(\.signal) == ["drift", "decay", "multivariate"])
        let calm = HealthScore(
            drifted: 0,
            monitored: 4,
            relativeDrop: nil,
            decayThreshold: 0.05,
            multivariateDrift: false
        )
        #expect(calm.score == 1)
        #expect(calm.contributions.last?.penalty == 0)
        let unjudged = HealthScore(drifted: 0, monitored: 4, relativeDrop: nil, decayThreshold: 0.05)
        #expect(unjudged.contributions.map(\.signal) == ["drift", "decay"])
    }

    @Test func bandsAtTheirEdges() {
        #expect(HealthScore.Band(0.8000001) == .good)
        #expect(HealthScore.Band(0.8) == .warning)
        #expect(HealthScore.Band(0.6) == .warning)
        #expect(HealthScore.Band(0.5999999) == .critical)
        // Exactly at the edges through the formula: 2 of 5 columns drift → 0.8 (warning).
        #expect(HealthScore(drifted: 2, monitored: 5, relativeDrop: nil, decayThreshold: 0.05).band == .warning)
        #expect(HealthScore(drifted: 1, monitored: 5, relativeDrop: nil, decayThreshold: 0.05).band == .good)
        // k = 0.8 alone → 0.6 (warning); a little more → critical.
        #expect(HealthScore(drifted: 0, monitored: 5, relativeDrop: 0.08, decayThreshold: 0.05).band == .warning)
        #expect(HealthScore(drifted: 0, monitored: 5, relativeDrop: 0.0801, decayThreshold: 0.05).band == .critical)
    }

    @Test func noLabelsOrAnImprovementCountNothingAndTheDropIsCapped() {
        #expect(HealthScore(drifted: 0, monitored: 3, relativeDrop: nil, decayThreshold: 0.05).score == 1)
        #expect(HealthScore(drifted: 0, monitored: 3, relativeDrop: -0.2, decayThreshold: 0.05).score == 1)
        #expect(HealthScore(drifted: 3, monitored: 3, relativeDrop: 5, decayThreshold: 0.05).score == 0)
    }
}

@Suite struct ModelMetricTests {
    @Test func accuracyComesWithAWilsonInterval() throws {
        let m = try #require(
            ModelMetric.value(
                "accuracy",
                predictions: ["a", "a", "b", "b"],
                labels: ["a", "b", "b", "b"],
                positive: "b"
            )
        )
        #expect(m.value == 0.75)
        #expect(m.interval?.proportion == 0.75)
        #expect((m.interval?.lower ?? 1) < 0.75 && (m.interval?.upper ?? 0) > 0.75)
    }

    @Test func precisionRecallF1AndAUC() throws {
        let p = ["p", "p", "n", "n", "p"]
        let l = ["p", "n", "p", "n", "p"]
        #expect(ModelMetric.value("precision", predictions: p, labels: l, positive: "p")?.value == 2.0 / 3.0)
        #expect(ModelMetric.value("recall", predictions: p, labels: l, positive: "p")?.value == 2.0 / 3.0)
        #expect(ModelMetric.value("f1", predictions: p, labels: l, positive: "p")?.value == 2.0 / 3.0)
        // Scores perfectly separating the classes: AUC 1; one tie between classes: 0.5 for that pair.
        #expect(
            ModelMetric.value(
                "roc_auc",
                predictions: p,
                labels: ["p", "n", "p", "n"],
                scores: [0.9, 0.1, 0.8, 0.2],
                positive: "p"
            )?.value == 1
        )
        #expect(
            ModelMetric.value("roc_auc", predictions: p, labels: ["p", "n"], scores: [0.5, 0.5], positive: "p")?.value
                == 0.5
        )
    }

    @Test func regressionErrorsAndTheDirectionOfADrop() throws {
        #expect(ModelMetric.value("mae", predictions: ["1", "3"], labels: ["2", "2"], positive: nil)?.value == 1)
        #expect(
            ModelMetric.value("rmse", predictions: ["1", "4"], labels: ["1", "1"], positive: nil)?.value
                == (4.5).squareRoot()
        )
        #expect(
            ModelMetric.relativeDrop(metric: "accuracy", baseline: 0.9, current: 0.81).map { abs($0 - 0.1) < 1e-12 }
                == true
        )
        #expect(ModelMetric.relativeDrop(metric: "rmse", baseline: 2, current: 2.5) == 0.25)
        #expect(ModelMetric.value("rmse", predictions: ["a"], labels: ["1"], positive: nil) == nil)
    }
}
