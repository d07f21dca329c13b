import Foundation
import Testing

@testable import MLOpsCore

extension EstimationTests {
    /// `mlopsctl drift`'s model part in the core: output columns, the target, the estimate and
    /// the multivariate drift of two CSV files.
    @Suite struct DriftModelFiguresTests {
        static let outputs = ModelOutputColumns(prediction: "prediction", scores: ["score"], target: "label")

        static func read(
            _ reference: SyntheticOutputs,
            _ current: SyntheticOutputs,
            currentLabels: Bool = false,
            outputs: ModelOutputColumns = outputs
        ) throws -> DriftComparison.Pair {
            try DriftComparison.read(
                reference: Array(reference.csv().utf8),
                current: Array(current.csv(labels: currentLabels).utf8),
                categorical: [],
                outputs: outputs
            )
        }

        /// Outputs are typed `output` and share the correction; the target is left out; the
        /// drift share counts inputs only; the target may be missing from the current file.
        @Test func outputsAreTestedApartFromInputsAndTheTargetIsNotAColumn() throws {
            let pair = try Self.read(.binary(rows: 4_000, seed: 1), .binary(rows: 2_000, seed: 2, shift: 0.8))
            let report = DriftComparison.compare(pair, outputs: Self.outputs)
            #expect(report.columns.map(\.name) == ["f1", "f2", "f3", "score", "prediction"])
            #expect(report.columns.map(\.type) == [.numerical, .numerical, .numerical, .output, .output])
            #expect(report.columns.map(\.test) == [.ks, .ks, .ks, .ks, .chiSquare])
            #expect(report.drifted == ["f1"])
            #expect(report.driftShare == 1.0 / 3)
            #expect(report.outputsDrifted == ["score", "prediction"])
            // BH over all five p-values.
            let raw = report.columns.compactMap(\.pValue)
            #expect(report.columns.compactMap(\.pAdjusted) == BenjaminiHochberg.adjust(raw))
        }

        @Test func badOutputColumnsAreRefusedByName() throws {
            let reference = SyntheticOutputs.binary(rows: 50, seed: 3)
            #expect(throws: DriftInputError.unknownOutputColumn(option: "--score", name: "proba")) {
                try Self.read(
                    reference,
                    reference,
                    outputs: ModelOutputColumns(prediction: "prediction", scores: ["proba"])
                )
            }
            #expect(throws: DriftInputError.unknownOutputColumn(option: "--target", name: "truth")) {
                try Self.read(reference, reference, outputs: ModelOutputColumns(target: "truth"))
            }
            let lines = reference.csv(labels: false).split(separator: "\n")
            let broken =
                lines.enumerated().map { i, line in
                    i == 3
                        ? line.split(separator: ",").enumerated().map { $0 == 3 ? "high" : String($1) }.joined(
                            separator: ","
                        ) : String(line)
                }.joined(separator: "\n") + "\n"
            #expect(
                throws: DriftInputError.scoreNotANumber(
                    name: "score",
                    side: .current,
                    cell: .init(line: 4, text: "high")
                )
            ) {
                try DriftComparison.read(
                    reference: Array(reference.csv().utf8),
                    current: Array(broken.utf8),
                    categorical: [],
                    outputs: Self.outputs
                )
            }
            let three = SyntheticOutputs.multiclass(rows: 200, seed: 4)
            var binaryLooking = three
            binaryLooking.scores = [three.scores[0]]
            binaryLooking.classes = ["0", "1"]  // one "score" column; the labels stay a, b, c
            let pair = try Self.read(binaryLooking, binaryLooking)
            #expect(throws: DriftInputError.tooManyClassesForOneScore(["a", "b", "c"])) {
                try DriftComparison.modelFigures(pair, outputs: Self.outputs)
            }
        }

        /// The estimate from the files equals the estimator's on the same values, chunk by
        /// chunk; with labels in the current file the realized values come along.
        @Test func estimateFromFilesEqualsTheEstimatorOnTheSameValues() throws {
            let reference = SyntheticOutputs.binary(rows: 6_000, seed: 5)
            let current = SyntheticOutputs.binary(rows: 2_500, seed: 6, shift: 0.5)
            let pair = try Self.read(reference, current, currentLabels: true)
            let figures = try DriftComparison.modelFigures(pair, outputs: Self.outputs, chunkSize: 1_000)
            let estimate = try #require(figures.estimate)
            #expect(estimate.classes == ["0", "1"])
            #expect(estimate.calibration == ["isotonic"])
            #expect(estimate.thresholdChunkSize == 1_000)
            #expect(estimate.chunks.map { [$0.start, $0.end] } == [[0, 1_000], [1_000, 2_000], [2_000, 2_500]])
            let estimator = try PerformanceEstimator.fit(
                reference: reference.outputs,
                labels: reference.optionalLabels,
                chunkSize: 1_000
            )
            for chunk in estimate.chunks {
                let part = current.slice(chunk.start..<chunk.end)
                #expect(chunk.value == estimator.estimate(part.outputs, labels: part.optionalLabels))
                #expect(chunk.value[.rocAUC]?.realized != nil)
            }
            let multivariate = try #require(figures.multivariate)
            #expect(multivariate.columns == ["f1", "f2", "f3"])
            #expect(multivariate.chunks.count == 3)
        }

        @Test func multiclassProbabilityColumnsEstimateAndMultivariateNeedsTwoColumns() throws {
            let reference = SyntheticOutputs.multiclass(rows: 3_000, seed: 7)
            let outputs = ModelOutputColumns(
                prediction: "prediction",
                scores: ["p_a", "p_b", "p_c"],
                classes: ["a", "b", "c"],
                target: "label"
            )
            let pair = try Self.read(reference, .multiclass(rows: 1_000, seed: 8), outputs: outputs)
            let report = DriftComparison.compare(pair, outputs: outputs)
            #expect(report.columns.filter { $0.type == .output }.map(\.name) == ["p_a", "p_b", "p_c", "prediction"])
            let figures = try DriftComparison.modelFigures(pair, outputs: outputs)
            #expect(figures.estimate?.chunks.count == 1)
            #expect(figures.estimate?.calibration.count == 3)
            let single = try DriftComparison.read(
                reference: Array("x,y\n1,a\n2,b\n3,a\n".utf8),
                current: Array("x,y\n1,a\n5,b\n".utf8),
                categorical: []
            )
            #expect(try DriftComparison.modelFigures(single, outputs: .none).multivariate == nil)
        }

        /// Every key of the report is written, `null` where a part was not computed.
        @Test func reportJSONHasEveryKey() throws {
            let pair = try DriftComparison.read(
                reference: Array("x\n1\n2\n".utf8),
                current: Array("x\n1\n3\n".utf8),
                categorical: []
            )
            let report = DriftComparison.compare(pair)
            let json = try #require(
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
            )
            for key in ["estimate", "multivariate", "outputs_drifted", "drift_share", "columns"] {
                #expect(json.keys.contains(key), "\(key)")
            }
            #expect(json["estimate"] is NSNull)
        }
    }
}
