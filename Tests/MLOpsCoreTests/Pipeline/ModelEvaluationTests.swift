import Foundation
import Testing

@testable import MLOpsCore

extension PipelineStageTests {
    /// `test_model`: a model trained here by the embedded trainer, evaluated on held-out
    /// rows, every figure checked against a count made in the test from model.json's
    /// numbers (docs/trainer.md, "Scoring a row"), not from `TrainedModel.predict`.
    @Suite struct ModelEvaluationTests {
        static let classes = ["no", "yes"]
        static let spec = ModelSpec(
            task: .binaryClassification,
            features: SyntheticData.features,
            target: "outcome",
            classes: classes,
            segments: .init(equipment: ["scanner"], population: ["age_band"])
        )

        /// A model trained by ``ClassifierTrainer`` on synthetic rows, read back from its model.json.
        static func trainedModel() throws -> TrainedModel {
            let data = SyntheticData.make(count: 600, classes: classes, seed: 71)
            let outcome = try ClassifierTrainer.train(data, spec: spec, parameters: TrainingParameters(seed: 3))
            return try TrainedModel.decode(try outcome.model.encoded())
        }

        /// Held-out rows as CSV, with a scanner (a rare `s9` on 12 rows) and an age band.
        static func heldOut(
            count: Int,
            seed: UInt64
        ) throws -> (table: CSVTable, data: TrainingData, scanner: [String], band: [String]) {
            let data = SyntheticData.make(count: count, classes: classes, seed: seed)
            var scanner: [String] = []
            var band: [String] = []
            var text = "id,age,dose,calibration,site,outcome,scanner,age_band\n"
            for (i, row) in data.values.enumerated() {
                guard case .number(let age) = row[0], case .number(let dose) = row[1],
                    case .number(let calibration) = row[2],
                    case .category(let site) = row[3]
                else { throw EvaluationTestFailure("row \(i) has the wrong value kinds") }
                scanner.append(i < 12 ? "s9" : ["s1", "s2"][i % 2])
                band.append(age < 45 ? "young" : age < 60 ? "middle" : "old")
                text += "\(i),\(age),\(dose),\(calibration),\(site),\(data.labels[i]),\(scanner[i]),\(band[i])\n"
            }
            return (try CSVTable.parse(text), data, scanner, band)
        }

        /// The positive-class logit computed from the model's numbers by hand.
        static func logit(_ model: TrainedModel, _ row: [FeatureValue]) -> Double {
            var x: [Double] = []
            for (encoding, value) in zip(model.features, row) {
                switch (encoding, value) {
                case (.numerical(_, let mean, let std), .number(let v)): x.append((v - mean) / std)
                case (.categorical(_, let categories), .category(let c)): x += categories.map { $0 == c ? 1 : 0 }
                default: x.append(.nan)
                }
            }
            var z = model.intercepts[0]
            for (w, v) in zip(model.weights[0], x) { z += w * v }
            return z
        }

        struct EvaluationTestFailure: Error, CustomStringConvertible {
            var description: String
            init(_ description: String) { self.description = description }
        }

        @Test func accuracyPerClassScoresAndSegmentsMatchCountsMadeInTheTest() throws {
            let model = try Self.trainedModel()
            let (table, data, scanner, band) = try Self.heldOut(count: 500, seed: 72)
            let report = try ModelEvaluation.evaluate(model: model, data: table, spec: Self.spec)

            // Independent predictions and counts.
            let z = data.values.map { Self.logit(model, $0) }
            let p = z.map { 1 / (1 + exp(-$0)) }
            let predicted = z.map { $0 > 0 ? "yes" : "no" }
            let n = data.count
            let hits = (0..<n).filter { predicted[$0] == data.labels[$0] }.count
            #expect(report.rows == n)
            #expect(report.metric.name == "accuracy")
            #expect(report.accuracy.value == Double(hits) / Double(n))
            #expect(report.metric.value == Double(hits) / Double(n))
            #expect(report.accuracy.interval == WilsonInterval.compute(successes: hits, trials: n))
            #expect(report.metric.interval == WilsonInterval.compute(successes: hits, trials: n))
            print("test_model: accuracy \(hits)/\(n) = \(Double(hits) / Double(n)), log_loss \(report.logLoss)")

            for (k, label) in Self.classes.enumerated() {
                let tp = (0..<n).filter { predicted[$0] == label && data.labels[$0] == label }.count
                let predictedAs = predicted.filter { $0 == label }.count
                let support = data.labels.filter { $0 == label }.count
                let scores = report.perClass[k]
                #expect(scores.label == label)
                #expect(scores.support == support)
                #expect(scores.precision == Double(tp) / Double(predictedAs), "\(label) precision")
                #expect(scores.recall == Double(tp) / Double(support), "\(label) recall")
            }

            var loss = 0.0
            for i in 0..<n {
                let q = data.labels[i] == "yes" ? p[i] : 1 - p[i]
                loss -= log(min(max(q, .ulpOfOne), 1 - .ulpOfOne))
            }
            loss /= Double(n)
            #expect(abs(report.logLoss - loss) <= 1e-12 * loss, "log loss \(report.logLoss) vs \(loss)")

            // Segments: every scanner and age band value, sorted within its column.
            var expected: [(String, String, String, Int, Int)] = []
            for (kind, column, values) in [("equipment", "scanner", scanner), ("population", "age_band", band)] {
                for value in Set(values).sorted() {
                    let rows = (0..<n).filter { values[$0] == value }
                    expected.append(
                        (kind, column, value, rows.count, rows.filter { predicted[$0] == data.labels[$0] }.count)
                    )
                }
            }
            #expect(report.segments.count == expected.count)
            for (segment, (kind, column, value, rows, correct)) in zip(report.segments, expected) {
                #expect(segment.kind == kind && segment.column == column && segment.value == value)
                #expect(segment.rows == rows)
                #expect(segment.metric == Double(correct) / Double(rows), "\(column)=\(value)")
                #expect(segment.interval == WilsonInterval.compute(successes: correct, trials: rows))
                #expect(segment.gated == (rows >= 30))
            }
            #expect(report.segments.first { $0.value == "s9" }?.rows == 12)

            #expect(report.passed && report.violations.isEmpty)
        }

        @Test func latencyIsMeasuredPositiveAndFinite() throws {
            let model = try Self.trainedModel()
            let (table, _, _, _) = try Self.heldOut(count: 200, seed: 73)
            let latency = try ModelEvaluation.evaluate(model: model, data: table, spec: Self.spec).latency
            #expect(latency.rows == 200)
            for (name, value) in [
                ("mean", latency.meanMicroseconds), ("p50", latency.p50Microseconds),
                ("p99", latency.p99Microseconds), ("max", latency.maxMicroseconds),
                ("rows/s", latency.rowsPerSecond),
            ] {
                #expect(value > 0 && value.isFinite, "\(name) \(value)")
            }
            #expect(
                latency.p50Microseconds <= latency.p99Microseconds && latency.p99Microseconds <= latency.maxMicroseconds
            )
            print(
                "test_model latency (debug build): mean \(latency.meanMicroseconds) µs, p99 \(latency.p99Microseconds) µs, "
                    + "\(Int(latency.rowsPerSecond)) rows/s"
            )
        }

        @Test func latencyPercentilesAreNearestRankOverThePerRowTimes() throws {
            let model = try Self.trainedModel()
            let (table, _, _, _) = try Self.heldOut(count: 100, seed: 74)
            // Row i takes i + 1 µs.
            let clock = SteppingClock(steps: (1...100).flatMap { [Duration.microseconds($0), .zero] })
            let latency = try ModelEvaluation.evaluate(
                model: model,
                data: table,
                spec: Self.spec,
                rules: TestRules(),
                clock: clock
            ).latency
            #expect(latency.meanMicroseconds == 50.5)
            #expect(latency.p50Microseconds == 50)
            #expect(latency.p99Microseconds == 99)
            #expect(latency.maxMicroseconds == 100)
            #expect(abs(latency.rowsPerSecond - 100 / 5050e-6) <= 1e-6)
        }

        @Test func everyMissedGateIsListed() throws {
            let model = try Self.trainedModel()
            let (table, _, _, _) = try Self.heldOut(count: 500, seed: 72)
            let rules = TestRules(minMetric: 0.99, minSegmentMetric: 0.99, minSegmentRows: 30, maxLatencyP99Ms: 0)
            let report = try ModelEvaluation.evaluate(model: model, data: table, spec: Self.spec, rules: rules)
            let accuracy = try #require(report.metric.value)
            #expect(!report.passed)
            #expect(report.passes(minimum: accuracy) && !report.passes(minimum: 0.99))

            let gated = report.segments.filter { $0.rows >= 30 }
            #expect(
                report.violations.map(\.rule)
                    == [.minMetric] + gated.map { _ in .minSegmentMetric } + [.maxLatencyP99Ms]
            )
            let first = try #require(report.violations.first)
            #expect(first.observed == accuracy && first.limit == 0.99)
            #expect(
                first.message.hasPrefix(
                    "accuracy \(EvaluationReport.format(accuracy)) on 500 held-out rows is below the minimum 0.9900"
                )
            )
            let segments = report.violations.filter { $0.rule == .minSegmentMetric }
            #expect(segments.map(\.value) == gated.map(\.value))
            #expect(!segments.contains { $0.value == "s9" }, "a 12-row segment is not gated")
            #expect(
                segments.first?.message.contains(
                    "on the \(gated[0].rows) rows of equipment `scanner` = `\(gated[0].value)`"
                ) == true
            )

            // Gates the model meets are not listed.
            let lenient = try ModelEvaluation.evaluate(
                model: model,
                data: table,
                spec: Self.spec,
                rules: TestRules(minMetric: 0.5, minSegmentMetric: 0.1)
            )
            #expect(lenient.passed && lenient.violations.isEmpty)

            let json = try report.json()
            #expect(json["passed"] == false)
            #expect(json["metric"]?["name"] == "accuracy")
            #expect(json["accuracy"]?["interval"]?["lower"]?.doubleValue == report.accuracy.interval?.lower)
            #expect(json["per_class"]?[item: 1]?["class"] == "yes")
            #expect(json["latency"]?["p99_us"]?.doubleValue == report.latency.p99Microseconds)
            #expect(json["segments"]?[item: 0]?["column"] == "scanner")
            #expect(json["violations"]?[item: 0]?["rule"] == "min_metric")
            #expect(json["positive_class"] == "yes")
        }

        @Test func theModelsMetricIsTheSpecsMetricAboutThePositiveClass() throws {
            let model = try Self.trainedModel()
            let (table, data, _, _) = try Self.heldOut(count: 300, seed: 75)
            var spec = Self.spec
            spec.metric = "recall"
            let report = try ModelEvaluation.evaluate(model: model, data: table, spec: spec)
            let predicted = data.values.map { Self.logit(model, $0) > 0 }
            let positives = (0..<data.count).filter { data.labels[$0] == "yes" }
            let found = positives.filter { predicted[$0] }.count
            #expect(report.metric.name == "recall")
            #expect(report.metric.value == Double(found) / Double(positives.count))
            #expect(report.metric.interval == WilsonInterval.compute(successes: found, trials: positives.count))
            #expect(report.metric.value == report.perClass[1].recall)
        }

        @Test func unusableHeldOutRowsStopTheEvaluationWithTheirLine() throws {
            let model = try Self.trainedModel()
            func evaluate(_ text: String) throws -> EvaluationReport {
                try ModelEvaluation.evaluate(model: model, data: try CSVTable.parse(text), spec: Self.spec)
            }
            let header = "age,dose,calibration,site,outcome,scanner,age_band\n"
            #expect(
                throws: EvaluationError.unknownClass(
                    line: 3,
                    column: 5,
                    target: "outcome",
                    value: "maybe",
                    classes: ["no", "yes"]
                )
            ) {
                try evaluate(header + "50,3,7,a,no,s1,old\n51,3,7,b,maybe,s1,old\n")
            }
            #expect(throws: EvaluationError.notANumber(line: 2, column: 2, feature: "dose", value: "high")) {
                try evaluate(header + "50,high,7,a,no,s1,old\n")
            }
            #expect(throws: EvaluationError.missingLabel(line: 2, column: 5, target: "outcome")) {
                try evaluate(header + "50,3,7,a,NA,s1,old\n")
            }
            #expect(
                throws: EvaluationError.missingColumns(
                    ["age_band"],
                    header: ["age", "dose", "calibration", "site", "outcome", "scanner"]
                )
            ) {
                try evaluate("age,dose,calibration,site,outcome,scanner\n50,3,7,a,no,s1\n")
            }
            #expect(throws: EvaluationError.noRows) { try evaluate(header) }
            var regression = Self.spec
            regression.metric = "rmse"
            #expect(throws: EvaluationError.unsupportedMetric("rmse")) {
                try ModelEvaluation.evaluate(
                    model: model,
                    data: try CSVTable.parse(header + "50,3,7,a,no,s1,old\n"),
                    spec: regression
                )
            }
        }
    }
}

extension JSONValue {
    /// The item at `index` of an array (tests only).
    subscript(item index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}

/// A clock that moves only when read: each reading of `now` returns the current instant
/// and then advances it by the next of `steps` (cycling), so durations are known exactly.
final class SteppingClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = NSLock()
    private let steps: [Duration]
    private var current = Instant(offset: .zero)
    private var reads = 0

    init(steps: [Duration]) { self.steps = steps }

    var now: Instant {
        lock.lock()
        defer { lock.unlock() }
        let instant = current
        if !steps.isEmpty { current = current.advanced(by: steps[reads % steps.count]) }
        reads += 1
        return instant
    }

    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}
}
