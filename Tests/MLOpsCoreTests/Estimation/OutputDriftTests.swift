import Foundation
import Testing

@testable import MLOpsCore

extension EstimationTests {
    @Suite struct OutputDriftTests {
        /// The score column gets the feature KS test (D equal to a direct KS on the same
        /// values), the predicted class the chi-square test; a covariate shift moves both.
        @Test func scoreAndPredictionAreTestedLikeFeatures() throws {
            let reference = SyntheticOutputs.binary(rows: 10_000, seed: 1)
            let same = SyntheticOutputs.binary(rows: 2_000, seed: 2)
            let shifted = SyntheticOutputs.binary(rows: 2_000, seed: 3, shift: 0.7)
            let prepared = OutputDrift.Reference(reference.outputs)
            let quiet = OutputDrift.tests(reference: prepared, window: same.outputs)
            let moved = OutputDrift.tests(reference: prepared, window: shifted.outputs)
            #expect(quiet.map(\.name) == ["score", "prediction"])
            #expect(quiet.map(\.test) == [.ks, .chiSquare])
            let direct = try #require(KolmogorovSmirnov.twoSample(reference.scores[0], shifted.scores[0]))
            #expect(moved[0].statistic == direct.statistic)
            #expect(moved[0].pValue == direct.pValue)
            #expect((quiet[0].effect ?? 1) < 0.1 && (moved[0].effect ?? 0) > 0.1)
            #expect((moved[1].pValue ?? 1) < 1e-6 && (quiet[1].pValue ?? 0) > 0.01)
        }

        @Test func multiclassTestsEachClassProbability() {
            let reference = SyntheticOutputs.multiclass(rows: 3_000, seed: 4)
            let window = SyntheticOutputs.multiclass(rows: 1_000, seed: 5, shift: 1)
            let tests = OutputDrift.tests(reference: .init(reference.outputs), window: window.outputs)
            #expect(tests.map(\.name) == ["probabilities.a", "probabilities.b", "probabilities.c", "prediction"])
            #expect(tests.allSatisfy { $0.pValue != nil })
        }

        @Test func missingScoresAreCountedAndLeftOut() throws {
            let reference = SyntheticOutputs.binary(rows: 1_000, seed: 6)
            let window = try ClassifierOutputs(
                classes: ["0", "1"],
                predictions: ["1", nil, "0"],
                scores: [[0.7, .nan, 0.2]]
            )
            let tests = OutputDrift.tests(reference: .init(reference.outputs), window: window)
            #expect(tests[0].missing == 1)
            #expect(tests[1].missing == 1)
        }

        /// The estimated-decay rule: a drop beyond the threshold with the band wholly below the
        /// baseline; a drop within the band, or below the threshold, is not decay.
        @Test func estimatedDecayNeedsTheDropAndTheBandBelowTheBaseline() {
            func metric(_ value: Double, _ error: Double) -> PerformanceEstimate.Metric {
                .init(
                    metric: .rocAUC,
                    estimated: value,
                    samplingError: error,
                    lower: value - 3 * error,
                    upper: value + 3 * error,
                    realized: nil,
                    thresholdLower: nil,
                    thresholdUpper: nil,
                    alert: false
                )
            }
            let decayed = EstimatedDecay.judge(metric(0.75, 0.01), baseline: 0.85, threshold: 0.05)
            #expect(decayed?.decayed == true)
            #expect(abs((decayed?.relativeDrop ?? 0) - 0.1 / 0.85) < 1e-12)
            #expect(EstimatedDecay.judge(metric(0.80, 0.02), baseline: 0.85, threshold: 0.05)?.decayed == false)
            #expect(EstimatedDecay.judge(metric(0.82, 0.001), baseline: 0.85, threshold: 0.05)?.decayed == false)
            #expect(EstimatedDecay.judge(metric(0.82, 0.001), baseline: 0, threshold: 0.05) == nil)
        }

        /// With no shift at all, 200 windows of 1,000 rows raise no estimated decay (the bench
        /// runs 1,000 windows).
        @Test func noShiftRaisesNoEstimatedDecay() throws {
            let reference = SyntheticOutputs.binary(rows: 20_000, seed: 60)
            let estimator = try PerformanceEstimator.fit(
                reference: reference.outputs,
                labels: reference.optionalLabels,
                chunkSize: 1_000
            )
            let baseline = try #require(estimator.references.first { $0.metric == .rocAUC }?.realized)
            var alarms = 0
            for seed in 0..<200 {
                let window = SyntheticOutputs.binary(rows: 1_000, seed: 1_000 + UInt64(seed))
                let estimate = try #require(estimator.estimate(window.outputs)[.rocAUC])
                if EstimatedDecay.judge(estimate, baseline: baseline, threshold: 0.05)?.decayed == true { alarms += 1 }
            }
            #expect(alarms == 0)
        }
    }
}
