import Foundation
import Testing

@testable import MLOpsCore

extension EstimationTests {
    @Suite struct CalibrationTests {
        @Test func isotonicPoolsViolatorsIntoTheirMean() throws {
            // Outcomes by score: 1 0 | 1 1 → the first two pool to 0.5.
            let calibrator = try #require(
                IsotonicCalibrator(scores: [0.1, 0.2, 0.3, 0.4], outcomes: [true, false, true, true])
            )
            #expect(calibrator.calibrate([0.1, 0.2, 0.3, 0.4]) == [0.5, 0.5, 1, 1])
            // Clipped outside the fitted range, linear between points.
            #expect(calibrator.calibrate(-5) == 0.5)
            #expect(calibrator.calibrate(7) == 1)
            #expect(abs(calibrator.calibrate(0.25) - 0.75) < 1e-15)
        }

        @Test func isotonicAveragesTiedScoresFirst() throws {
            let calibrator = try #require(
                IsotonicCalibrator(scores: [0.5, 0.5, 0.5, 0.9], outcomes: [true, false, false, true])
            )
            #expect(abs(calibrator.calibrate(0.5) - 1.0 / 3) < 1e-15)
            #expect(calibrator.calibrate(0.9) == 1)
        }

        @Test func isotonicOfASinglePointIsConstant() throws {
            let calibrator = try #require(IsotonicCalibrator(scores: [0.3, 0.3], outcomes: [true, false]))
            #expect(calibrator.calibrate([0, 0.3, 1]) == [0.5, 0.5, 0.5])
            #expect(IsotonicCalibrator(scores: [.nan], outcomes: [true]) == nil)
        }

        @Test func plattRecoversTheSigmoidThatMadeTheLabels() throws {
            var rng = SeededGenerator(seed: 5)
            var scores: [Double] = []
            var outcomes: [Bool] = []
            for _ in 0..<20_000 {
                let s = Double.random(in: 0..<1, using: &rng)
                scores.append(s)
                // P(positive) = 1 / (1 + exp(−6 s + 3)): a = −6, b = 3.
                outcomes.append(Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-6 * s + 3)))
            }
            let platt = try #require(PlattCalibrator(scores: scores, outcomes: outcomes))
            #expect(abs(platt.a + 6) < 0.3, "a = \(platt.a)")
            #expect(abs(platt.b - 3) < 0.15, "b = \(platt.b)")
        }

        @Test func wellSeparatedScoresNeedNoCalibration() {
            let scores = (0..<2_000).map { Double($0) / 2_000 }
            let outcomes = scores.map { $0 >= 0.5 }
            #expect(!CalibrationNeed.needsCalibration(scores: scores, outcomes: outcomes, method: .isotonic))
            #expect(ScoreCalibration.fit(scores: scores, outcomes: outcomes) == .none)
        }

        @Test func overconfidentScoresAreCalibratedIsotonicallyOrByPlattWhenFew() {
            let large = SyntheticOutputs.binary(rows: 5_000, seed: 1)
            let outcomes = large.labels.map { $0 == "1" }
            #expect(ScoreCalibration.fit(scores: large.scores[0], outcomes: outcomes).method == "isotonic")
            let small = large.slice(0..<600)
            #expect(
                ScoreCalibration.fit(scores: small.scores[0], outcomes: small.labels.map { $0 == "1" }).method
                    == "platt"
            )
        }

        @Test func expectedCalibrationErrorBinsAsNannyML() {
            // 25 rows, 10 bins asked: width 2, edges 0, 2, …, 24 with the last moved to 25.
            #expect(CalibrationNeed.binEdges(length: 25, bins: 10).count == 12)
            #expect(CalibrationNeed.binEdges(length: 25, bins: 10).last! == (22, 25))
            #expect(CalibrationNeed.binEdges(length: 12, bins: 10).count == 6)
            #expect(CalibrationNeed.binEdges(length: 3, bins: 10).isEmpty)
        }

        struct IsotonicCase: Encodable {
            var reference: String
            var score: String
            var target: String
            var positive: String
            var query: String
            var query_score: String
        }

        struct IsotonicAnswer: Decodable {
            var needs_calibration: Bool
            var calibrated: [Double]
        }

        /// The calibrated probabilities equal NannyML's `IsotonicCalibrator` (scikit-learn's
        /// `IsotonicRegression(out_of_bounds='clip')`) on the same reference, at every
        /// reference score, at analysis scores between them and outside their range, to
        /// 1e-12: the inputs are identical and each pooled value is one division of counts
        /// where scipy divides running sums (an ulp or so apart); interpolation is `np.interp`'s
        /// formula. Also on scores rounded to 3 decimals (many ties).
        @Test(.enabled(if: NannyMLReference.shouldRun, NannyMLReference.skipMessage))
        func isotonicCalibrationMatchesNannyML() throws {
            let scratch = try ScipyReference.Scratch()
            defer { scratch.remove() }
            var datasets: [(SyntheticOutputs, SyntheticOutputs)] = []
            datasets.append(
                (
                    SyntheticOutputs.binary(rows: 20_000, seed: 3),
                    SyntheticOutputs.binary(rows: 5_000, seed: 4, shift: 1.5)
                )
            )
            var tied = SyntheticOutputs.binary(rows: 8_000, seed: 7)
            tied.scores[0] = tied.scores[0].map { ($0 * 1000).rounded() / 1000 }
            datasets.append((tied, SyntheticOutputs.binary(rows: 2_000, seed: 8, shift: -2)))
            var cases: [IsotonicCase] = []
            for (i, (reference, query)) in datasets.enumerated() {
                let refPath = try reference.write("ref\(i).csv", in: scratch.url)
                let queryPath = try query.write("query\(i).csv", in: scratch.url)
                cases.append(
                    IsotonicCase(
                        reference: refPath,
                        score: "score",
                        target: "label",
                        positive: "1",
                        query: queryPath,
                        query_score: "score"
                    )
                )
            }
            let answers = try NannyMLReference.compute("isotonic", cases, as: IsotonicAnswer.self)
            var tally = ErrorTally()
            for ((reference, query), answer) in zip(datasets, answers) {
                let outcomes = reference.labels.map { $0 == "1" }
                let calibrator = try #require(IsotonicCalibrator(scores: reference.scores[0], outcomes: outcomes))
                for (ours, theirs) in zip(calibrator.calibrate(query.scores[0]), answer.calibrated) {
                    tally.record(ours, theirs)
                }
                #expect(
                    CalibrationNeed.needsCalibration(scores: reference.scores[0], outcomes: outcomes, method: .isotonic)
                        == answer.needs_calibration
                )
            }
            print(tally.summary("isotonic calibration vs NannyML"))
            #expect(tally.maxAbsolute <= 1e-12)
        }

        struct PlattCase: Encodable {
            var reference: String
            var score: String
            var target: String
            var positive: String
        }

        struct PlattAnswer: Decodable {
            var a: Double
            var b: Double
            var calibrated: [Double]
        }

        /// Platt scaling reaches scikit-learn's `_sigmoid_calibration` optimum: calibrated
        /// probabilities within 1e-6 (scikit-learn stops L-BFGS at its gradient tolerance;
        /// Newton here goes to 1e-12 per row).
        @Test(.enabled(if: NannyMLReference.shouldRun, NannyMLReference.skipMessage))
        func plattScalingMatchesScikitLearn() throws {
            let scratch = try ScipyReference.Scratch()
            defer { scratch.remove() }
            let datasets = [
                SyntheticOutputs.binary(rows: 600, seed: 11),
                SyntheticOutputs.binary(rows: 300, seed: 12, shift: 0.5),
            ]
            var cases: [PlattCase] = []
            for (i, data) in datasets.enumerated() {
                cases.append(
                    PlattCase(
                        reference: try data.write("p\(i).csv", in: scratch.url),
                        score: "score",
                        target: "label",
                        positive: "1"
                    )
                )
            }
            let answers = try NannyMLReference.compute("platt", cases, as: PlattAnswer.self)
            var tally = ErrorTally()
            for (data, answer) in zip(datasets, answers) {
                let platt = try #require(
                    PlattCalibrator(scores: data.scores[0], outcomes: data.labels.map { $0 == "1" })
                )
                for (score, theirs) in zip(data.scores[0], answer.calibrated) {
                    tally.record(platt.calibrate(score), theirs)
                }
                print("platt a \(platt.a) vs \(answer.a), b \(platt.b) vs \(answer.b)")
            }
            print(tally.summary("Platt scaling vs scikit-learn"))
            #expect(tally.maxAbsolute <= 1e-6)
        }
    }
}
