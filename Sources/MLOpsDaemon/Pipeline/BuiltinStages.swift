import Foundation
import Glibc
import MLOpsCore

/// The stages mlopsd runs itself (no child): the built-in copy of `collect_data`,
/// `validate_data`, `validate_model` and the built-in `test_model` evaluation.
enum BuiltinStages {
    /// Copies `source` (re-resolved under the data roots: it may have been swapped for a
    /// link since the job was accepted) into `output/data.csv`, holding out
    /// `holdoutShare` of the rows, chosen by `seed`, in `output/holdout.csv`. A header of
    /// more than `maxColumns` columns is refused before any row is read; a file of more than
    /// `maxBytes` bytes (`max_data_file_bytes`) before any byte is read.
    static func copyData(
        source: String,
        roots: [String],
        output: String,
        holdoutShare: Double,
        seed: UInt64,
        maxColumns: Int,
        maxBytes: Int
    ) -> PipelineRunner.StageResult {
        let path: String
        do {
            path = try ArtifactStore.resolveInside(source, roots: roots)
        } catch {
            return .failed("\(error)", fix: "put the file under one of: " + roots.joined(separator: ", "))
        }
        // Never through a link swapped in after the check, never blocking on a FIFO.
        let data: Data
        do {
            guard let read = try RegistryFiles.read(path, limit: maxBytes, linkFree: true, dataFile: source) else {
                return .failed("\(path) does not exist")
            }
            data = read
        } catch {
            return .failed(
                error.message,
                fix: error.fix ?? "name a regular file under one of: " + roots.joined(separator: ", ")
            )
        }
        guard let text = String(data: data, encoding: .utf8) else { return .failed("\(path) is not UTF-8 text") }
        let table: CSVTable
        do {
            table = try CSVTable.parse(text, maxColumns: maxColumns)
        } catch {
            return .failed("\(path): \(error)", fix: "the data must be CSV (RFC 4180) with a header row")
        }
        var indices = Array(table.rows.indices)
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&indices)
        let holdoutCount = Int((Double(table.rows.count) * holdoutShare).rounded(.down))
        let holdout = Set(indices.prefix(holdoutCount))
        var train = CSVTable(header: table.header, rows: [], rowLines: [])
        var held = CSVTable(header: table.header, rows: [], rowLines: [])
        for (i, row) in table.rows.enumerated() {
            if holdout.contains(i) {
                held.rows.append(row)
                held.rowLines.append(table.rowLines[i])
            } else {
                train.rows.append(row)
                train.rowLines.append(table.rowLines[i])
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try Data(train.text.utf8).write(to: URL(fileURLWithPath: output + "/data.csv"))
            if holdoutCount > 0 { try Data(held.text.utf8).write(to: URL(fileURLWithPath: output + "/holdout.csv")) }
        } catch {
            return .failed("cannot write into \(output): \(error.localizedDescription)")
        }
        return .succeeded([
            "source": .string(path), "source_sha256": .string(SHA256.hex(data)), "rows": .int(table.rows.count),
            "train_rows": .int(train.rows.count), "holdout_rows": .int(held.rows.count),
            "holdout_share": .double(holdoutShare),
            "seed": .int(Int(truncatingIfNeeded: seed)), "columns": .array(table.header.map(JSONValue.string)),
        ])
    }

    /// `validate_data` on the collected rows: every rule of the section, every violation.
    static func validateData(_ context: PipelineRunner.Context) -> PipelineRunner.StageResult {
        guard let file = context.dataFile else { return .failed("collect_data produced no data.csv") }
        let (parsed, failure) = readCSV(file, limit: context.config.maxDataFileBytes)
        guard let table = parsed else { return failure ?? .failed("cannot read \(file)") }
        let report = DataValidation.validate(
            csv: table,
            model: context.spec,
            rules: DataRules(validated: context.definition.dataRules)
        )
        let json = (try? report.json()) ?? .object([:])
        guard report.passed else {
            let shown = report.violations.prefix(5).map(\.message).joined(separator: "; ")
            let more = report.violations.count > 5 ? " (and \(report.violations.count - 5) more in the report)" : ""
            return .failed(
                "\(report.violations.count) data rule violations: \(shown)\(more)",
                report: json,
                fix:
                    "fix the data (the report lists each violation with its lines), or the rules in the pipeline's validate_data"
            )
        }
        return .succeeded(json)
    }

    /// A CSV file of the run, parsed strictly; one of more than `limit` bytes
    /// (`max_data_file_bytes`) is refused before it is read.
    static func readCSV(_ path: String, limit: Int) -> (table: CSVTable?, failure: PipelineRunner.StageResult?) {
        var st = stat()
        if stat(path, &st) == 0,
            let refusal = DataFileSizeLimit.refusal(file: path, size: Int(st.st_size), limit: limit)
        {
            return (nil, .failed(refusal.message, fix: refusal.fix))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, .failed("cannot read \(path)"))
        }
        guard data.count <= limit else {
            return (nil, .failed("\(path) is \(data.count) bytes; the built-in stages read at most \(limit)"))
        }
        guard let text = String(data: data, encoding: .utf8) else { return (nil, .failed("\(path) is not UTF-8 text")) }
        do {
            return (try CSVTable.parse(text), nil)
        } catch {
            return (nil, .failed("\(path): \(error)", fix: "the data must be CSV (RFC 4180) with a header row"))
        }
    }

    /// `validate_model`: the policy's gates and the pipeline's, each verdict explained.
    static func validateModel(
        metric: String,
        candidate: Double,
        production: (version: String, value: Double?)?,
        policy: ModelSpec.Promotion,
        gates: PipelineDefinition.ModelGates
    ) -> PipelineRunner.StageResult {
        var merged = policy
        if let minimum = gates.minMetric {
            // The stricter of the two minimums.
            let lower = PromotionGates.lowerIsBetter.contains(metric)
            merged.minMetric = merged.minMetric.map { lower ? min($0, minimum) : max($0, minimum) } ?? minimum
        }
        if let drop = gates.maxMetricDrop { merged.maxMetricDrop = merged.maxMetricDrop.map { min($0, drop) } ?? drop }
        merged.requireABTest = false  // decided in ab_test and at promotion, not here
        var verdicts = PromotionGates.evaluate(
            metric: metric,
            candidate: candidate,
            production: production?.value,
            policy: merged,
            abTestWon: nil
        )
        if gates.requireImprovement {
            if let p = production?.value {
                let lower = PromotionGates.lowerIsBetter.contains(metric)
                let better = lower ? candidate < p : candidate > p
                verdicts.append(
                    GateVerdict(
                        gate: "require_improvement",
                        passed: better,
                        explanation:
                            "\(metric) \(format(candidate)) \(better ? "beats" : "does not beat") production \(production?.version ?? "") at \(format(p))"
                    )
                )
            } else {
                verdicts.append(
                    GateVerdict(gate: "require_improvement", passed: true, explanation: "no production version to beat")
                )
            }
        }
        let report: JSONValue = [
            "metric": .string(metric), "candidate": .double(candidate),
            "production_version": production.map { .string($0.version) } ?? .null,
            "production": production?.value.map(JSONValue.double) ?? .null,
            "verdicts": .array(verdicts.map(Kinds.PromoteVersion.document)),
            "passed": .bool(verdicts.allSatisfy(\.passed)),
        ]
        let refused = verdicts.filter { !$0.passed }
        guard refused.isEmpty else {
            return .failed(
                "the candidate fails " + refused.map { "\($0.gate) (\($0.explanation))" }.joined(separator: "; "),
                report: report,
                fix:
                    "improve the model or its data; the gates come from the model's policy and the pipeline's validate_model"
            )
        }
        return .succeeded(report)
    }

    /// The built-in `test_model`: evaluates an `mlops-train` model on the held-out rows
    /// (metric with its interval, per class, per segment, latency) against the rules.
    static func evaluate(_ context: PipelineRunner.Context, rules: JSONValue) -> PipelineRunner.StageResult {
        guard let dir = context.artifactDir else { return .failed("no trained model to test") }
        guard let holdout = context.holdoutFile else {
            return .skipped(
                "no held-out rows: collect_data kept none (holdout_share 0, or the collector wrote no holdout.csv)"
            )
        }
        guard let modelData = FileManager.default.contents(atPath: dir + "/model.json") else {
            return .skipped(
                "the artifact has no model.json; the built-in evaluation reads mlops-train models (configure a test_model command for others)"
            )
        }
        let model: TrainedModel
        do {
            model = try TrainedModel.decode(modelData)
        } catch {
            return .skipped(
                "model.json is not an mlops-train model (\(error)); configure a test_model command to test it"
            )
        }
        let (parsed, failure) = readCSV(holdout, limit: context.config.maxDataFileBytes)
        guard let table = parsed else { return failure ?? .failed("cannot read \(holdout)") }
        let testRules = TestRules(validated: rules)
        let report: EvaluationReport
        do {
            report = try ModelEvaluation.evaluate(model: model, data: table, spec: context.spec, rules: testRules)
        } catch {
            return .failed("\(holdout): \(error)")
        }
        var json = (try? report.json()) ?? .object([:])
        if case .object(var doc) = json {
            doc["held_out_file"] = .string(holdout)
            doc["reference_outputs"] = .string(
                writeReferenceOutputs(model: model, heldOut: table, spec: context.spec, dir: dir)
            )
            json = .object(doc)
        }
        let violations = report.violations(against: testRules)
        guard violations.isEmpty else {
            return .failed(
                "the model fails its tests: " + violations.map(\.message).joined(separator: "; "),
                report: json,
                fix: "improve the model or its data, or the rules in the pipeline's test_model"
            )
        }
        return .succeeded(json)
    }

    /// Writes the model's outputs on the held-out rows, with their labels, as the artifact's
    /// `reference_outputs.csv` (docs/monitoring.md, "Reference outputs"): the version then
    /// has output drift and an estimate calibrated on rows it never saw. Returns what it did,
    /// in a sentence for the stage's report; a failure here does not fail the stage.
    static func writeReferenceOutputs(model: TrainedModel, heldOut: CSVTable, spec: ModelSpec, dir: String) -> String {
        guard spec.task.isClassification else { return "none: a regression model has no class outputs" }
        guard let targetIndex = heldOut.column(spec.target) else {
            return "none: the held-out rows have no `\(spec.target)` column"
        }
        let predictions: [TrainedModel.Prediction]
        do {
            predictions = try model.predict(heldOut)
        } catch {
            return "none: \(error)"
        }
        // The classes in the order the monitoring reads them (binary: the positive class last).
        let classes =
            spec.classes ?? (spec.task == .binaryClassification ? model.classes.sorted() : model.classes)
        let index = classes.map { model.classes.firstIndex(of: $0) }
        guard index.allSatisfy({ $0 != nil }) else {
            return "none: the model's classes (\(model.classes.joined(separator: ", "))) are not the declared ones"
        }
        let outputs = ReferenceOutputs.table(
            target: spec.target,
            labels: heldOut.rows.map { $0[targetIndex] },
            predictions: predictions.map(\.label),
            classes: classes,
            probabilities: predictions.map { p in index.map { i in i.map { p.probabilities[$0] } ?? .nan } }
        )
        let path = dir + "/" + ReferenceOutputs.siblingFile
        do {
            try Data(outputs.text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            return "none: cannot write \(path): \(error.localizedDescription)"
        }
        return "\(ReferenceOutputs.siblingFile): the model's outputs on the \(outputs.rows.count) held-out rows"
    }

    static func format(_ x: Double) -> String { String(format: "%.4f", x) }
}
