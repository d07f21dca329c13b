import ArgumentParser
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore

extension MLOpsCtl {
    /// `mlopsctl drift`: the daemon's drift tests on two CSV files, offline (no daemon, no
    /// spool). The comparison itself is ``DriftComparison`` in the core.
    struct Drift: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a current CSV file with a reference one, column by column, offline (no daemon).",
            discussion: """
                Numerical columns: two-sample Kolmogorov–Smirnov (as scipy.stats.ks_2samp) and PSI. Categorical \
                columns (named with --categorical, or holding a cell that is not a number): chi-square (as \
                scipy.stats.chi2_contingency), PSI and Jensen–Shannon distance. P-values are adjusted across columns \
                (Benjamini–Hochberg). A numerical column drifts when D > threshold and the adjusted p < alpha; a \
                categorical one when the adjusted p < alpha and the JS distance > threshold (the daemon's rule). Empty \
                cells are left out and counted. Both files need the same columns, in any order.
                The model's outputs: --prediction and --score (binary: the positive class's probability) or \
                --probability CLASS=COLUMN per class are tested as outputs (KS on scores, chi-square on the \
                prediction). With --target (the label column, needed in the reference only), the current file's \
                performance is estimated without labels (CBPE, as NannyML): ROC AUC, accuracy, precision, recall and \
                F1 with a ±3σ band, per --chunk-size rows. The numerical input columns are also tested jointly (PCA \
                reconstruction error against the reference's chunks).
                Exit status: 0 compared (drift or not), 64 bad arguments, 65 a file is not valid CSV or the headers \
                differ (file: line, column: what to fix), 66 a file cannot be read, 73 the --html file cannot be written.
                """
        )

        @Option(help: "The reference CSV file (e.g. the training data).") var reference: String
        @Option(help: "The current CSV file (e.g. recent production inputs).") var current: String
        @Option(help: "Columns to treat as categorical, comma-separated (may be repeated).") var categorical: [String] =
            []
        @Option(help: "The effect-size gate: KS D, or the Jensen–Shannon distance, must exceed it (0–1).")
        var threshold: Double = DriftComparison.defaultThreshold
        @Option(help: "The significance gate for the adjusted p-value (0–1).") var alpha: Double = DriftComparison
            .defaultAlpha
        @Option(
            help: ArgumentHelp(
                "Refuse a file whose header has more columns than this (the daemon's max_columns default).",
                valueName: "n"
            )
        ) var maxColumns: Int = DaemonConfig.keys.maxColumns.defaultValue
        @Option(help: ArgumentHelp("The model's predicted class column (tested as an output).", valueName: "column"))
        var prediction: String?
        @Option(
            help: ArgumentHelp(
                "A binary model's score column: the positive class's probability (tested as an output).",
                valueName: "column"
            )
        ) var score: String?
        @Option(
            help: ArgumentHelp(
                "A multiclass model's probability column of one class (repeat for every class).",
                valueName: "class=column"
            )
        ) var probability: [String] = []
        @Option(
            help: ArgumentHelp(
                "The true class column: in the reference it calibrates the performance estimate; in the current file, if there, it gives the realized metrics.",
                valueName: "column"
            )
        ) var target: String?
        @Option(
            help: ArgumentHelp(
                "A binary model's positive class (default: the last of the two classes in sorted order).",
                valueName: "class"
            )
        ) var positive: String?
        @Option(
            help: ArgumentHelp(
                "Estimate and test the current file in chunks of this many rows (default: the whole file as one chunk); the reference's chunks of the same size give the thresholds.",
                valueName: "n"
            )
        ) var chunkSize: Int?
        @Option(
            help: ArgumentHelp(
                "The share of the reference's variance the principal components of the multivariate test explain (0–1).",
                valueName: "share"
            )
        ) var pcaVariance: Double = ReconstructionDrift.defaultVarianceShare
        @Flag(help: "Skip the multivariate (PCA) test of the numerical inputs.") var noMultivariate = false
        @Flag(help: "Print JSON.") var json = false
        @Option(
            help: ArgumentHelp(
                "Also write a self-contained HTML report (a chart per column, inline SVG, no network) to this file.",
                valueName: "file"
            )
        ) var html: String?

        /// The names given with --categorical.
        var categoricalNames: Set<String> {
            Set(
                categorical.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter
                { !$0.isEmpty }
            )
        }

        /// The model's columns from --prediction, --score, --probability, --target and --positive.
        var outputColumns: ModelOutputColumns {
            var columns = ModelOutputColumns(prediction: prediction, target: target, positive: positive)
            if let score { columns.scores = [score] }
            for pair in probability {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                columns.classes.append(parts[0])
                columns.scores.append(parts[1])
            }
            return columns
        }

        func validate() throws {
            if score != nil && !probability.isEmpty {
                throw ValidationError("give --score (binary) or --probability CLASS=COLUMN per class, not both")
            }
            for pair in probability {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("--probability takes CLASS=COLUMN, not '\(pair)'")
                }
            }
            if probability.count == 1 {
                throw ValidationError(
                    "--probability is needed for every class (at least two); for a binary model --score is enough"
                )
            }
            let classes = probability.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
            if Set(classes).count != classes.count {
                throw ValidationError("--probability names a class twice")
            }
            if positive != nil && score == nil {
                throw ValidationError("--positive goes with --score (a binary model)")
            }
            if let chunkSize, chunkSize < 1 {
                throw ValidationError("--chunk-size must be at least 1, not \(chunkSize)")
            }
            guard pcaVariance.isFinite, pcaVariance > 0, pcaVariance < 1 else {
                throw ValidationError("--pca-variance must be above 0 and below 1, not \(pcaVariance)")
            }
            guard threshold.isFinite, threshold >= 0, threshold <= 1 else {
                throw ValidationError("--threshold must be a number from 0 to 1, not \(threshold)")
            }
            guard alpha.isFinite, alpha > 0, alpha <= 1 else {
                throw ValidationError("--alpha must be a number above 0 and at most 1, not \(alpha)")
            }
            guard maxColumns >= 1 else {
                throw ValidationError("--max-columns must be at least 1, not \(maxColumns)")
            }
        }

        func run() throws {
            try reportingFailures {
                let referenceBytes = try Self.readFile(reference)
                let currentBytes = try Self.readFile(current)
                let outputs = outputColumns
                let pair: DriftComparison.Pair
                var report: DriftReport
                do {
                    pair = try DriftComparison.read(
                        reference: referenceBytes,
                        current: currentBytes,
                        categorical: categoricalNames,
                        maxColumns: maxColumns,
                        outputs: outputs
                    )
                    report = DriftComparison.compare(pair, threshold: threshold, alpha: alpha, outputs: outputs)
                    let figures = try DriftComparison.modelFigures(
                        pair,
                        outputs: outputs,
                        chunkSize: chunkSize,
                        varianceShare: pcaVariance,
                        multivariate: !noMultivariate
                    )
                    report.estimate = figures.estimate
                    report.multivariate = figures.multivariate
                } catch let error as DriftInputError {
                    switch error.side {
                    case .reference?: throw CtlFailure(message: "\(reference): \(error)", code: Exit.rejected)
                    case .current?: throw CtlFailure(message: "\(current): \(error)", code: Exit.rejected)
                    case nil: throw CtlFailure(message: "mlopsctl drift: \(error)", code: Exit.usage)
                    }
                }
                if let html { try writePage(pair: pair, report: report, to: html) }
                if json {
                    let data = (try? JSONEncoder.mlopsPretty.encode(report)) ?? Data("{}".utf8)
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                } else {
                    FileHandle.standardOutput.write(Data(table(report).utf8))
                }
            }
        }

        /// Writes the HTML report to `path` (atomically), or a `CtlFailure` with exit status 73.
        func writePage(pair: DriftComparison.Pair, report: DriftReport, to path: String) throws {
            let names = Set(report.columns.map(\.name))
            let page = DriftReportPage.html(
                .init(
                    report: report,
                    distributions: ColumnDistribution.compared(pair).filter { names.contains($0.name) },
                    referenceFile: reference,
                    currentFile: current,
                    generatedAt: Timestamp.string(Date())
                )
            )
            do {
                try Data(page.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CtlFailure(
                    message: "mlopsctl: cannot write \(path): \(error.localizedDescription)",
                    code: Exit.cannotWrite
                )
            }
        }

        /// The whole file, or a `CtlFailure` with exit status 66.
        static func readFile(_ path: String) throws -> [UInt8] {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw unreadable(path) }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw unreadable(path) }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw CtlFailure(message: "mlopsctl: cannot read \(path): not a regular file", code: Exit.noInput)
            }
            let size = max(Int(info.st_size), 0)
            var failure: Int32 = 0
            var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                var total = 0
                while let base = buffer.baseAddress, total < size {
                    let n = read(fd, base + total, size - total)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failure = errno }
                    if n <= 0 { break }
                    total += n
                }
                initialized = total
            }
            // A file that grew since fstat: read on to its end.
            var more = [UInt8](repeating: 0, count: 1 << 16)
            while failure == 0 {
                let n = more.withUnsafeMutableBytes { raw in raw.baseAddress.map { read(fd, $0, raw.count) } ?? 0 }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno }
                if n <= 0 { break }
                bytes.append(contentsOf: more[0..<n])
            }
            if failure != 0 {
                errno = failure
                throw unreadable(path)
            }
            return bytes
        }

        static func unreadable(_ path: String) -> CtlFailure {
            CtlFailure(
                message: "mlopsctl: cannot read \(path): \(String(cString: strerror(errno)))",
                code: Exit.noInput
            )
        }

        /// `text` padded to `width` (or followed by one space when longer).
        static func cell(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }

        /// Four decimals, or two significant digits in exponent form below 1e-4; `-` for none.
        static func number(_ value: Double?) -> String {
            guard let value else { return "-" }
            if value != 0 && abs(value) < 1e-4 { return String(format: "%.2e", value) }
            return String(format: "%.4f", value)
        }

        /// The table for people.
        func table(_ report: DriftReport) -> String {
            let width = max(6, report.columns.map(\.name.count).max() ?? 0) + 2
            let cell = Self.cell
            let number = Self.number
            var lines = [
                "reference \(reference): \(report.rowsReference) rows; current \(current): \(report.rowsCurrent) rows; "
                    + "threshold \(report.threshold), alpha \(report.alpha)",
                cell("COLUMN", width) + cell("TYPE", 13) + cell("TEST", 12) + cell("STATISTIC", 12)
                    + cell("P-VALUE", 11)
                    + cell("ADJUSTED P", 12) + cell("PSI", 9) + cell("MISSING", 13) + "DRIFT",
            ]
            for c in report.columns {
                lines.append(
                    cell(c.name, width) + cell(c.type.rawValue, 13) + cell(c.test?.rawValue ?? "-", 12)
                        + cell(number(c.statistic), 12)
                        + cell(number(c.pValue), 11) + cell(number(c.pAdjusted), 12) + cell(number(c.psi), 9)
                        + cell("\(c.missingReference) / \(c.missingCurrent)", 13) + (c.drift ? "DRIFT" : "-")
                )
            }
            let share = String(format: "%.1f%%", report.driftShare * 100)
            let outputs = report.columns.filter { $0.type == .output }
            let inputs = report.columns.count - outputs.count
            lines.append(
                "\(report.drifted.count) of \(inputs) \(outputs.isEmpty ? "" : "input ")columns drift (\(share))"
                    + (report.drifted.isEmpty ? "" : ": " + report.drifted.joined(separator: ", "))
            )
            if !outputs.isEmpty {
                lines.append(
                    "\(report.outputsDrifted.count) of \(outputs.count) output columns drift"
                        + (report.outputsDrifted.isEmpty ? "" : ": " + report.outputsDrifted.joined(separator: ", "))
                )
            }
            let notes = report.columns.compactMap { c in c.note.map { "  \(c.name): \($0)" } }
            if !notes.isEmpty { lines += ["notes:"] + notes }
            if let estimate = report.estimate { lines += Self.estimateTable(estimate) }
            if let multivariate = report.multivariate { lines += Self.multivariateTable(multivariate) }
            return lines.joined(separator: "\n") + "\n"
        }

        /// `start–end` of a chunk (rows, 0-based, end excluded).
        static func rows<Value>(_ chunk: DriftModelFigures.Chunk<Value>) -> String { "\(chunk.start)-\(chunk.end)" }

        /// `low–high`, or `-`.
        static func range(_ low: Double?, _ high: Double?) -> String {
            guard low != nil || high != nil else { return "-" }
            return number(low) + "–" + number(high)
        }

        /// The estimate's lines: one per chunk and metric.
        static func estimateTable(_ estimate: DriftModelFigures.Estimate) -> [String] {
            let thresholds =
                estimate.thresholdChunkSize.map { "thresholds from reference chunks of \($0) rows" }
                ?? "no thresholds (fewer than two reference chunks)"
            var lines = [
                "estimated performance (CBPE): classes \(estimate.classes.joined(separator: ", ")); calibration "
                    + estimate.calibration.joined(separator: ", ")
                    + "; fitted on \(estimate.referenceRows) labelled reference rows; \(thresholds)",
                cell("ROWS", 14) + cell("METRIC", 11) + cell("BASELINE", 10) + cell("ESTIMATED", 11)
                    + cell("BAND (±3σ)", 16) + cell("THRESHOLDS", 16) + cell("REALIZED", 10) + "ALERT",
            ]
            for chunk in estimate.chunks {
                for metric in chunk.value.metrics {
                    let baseline = estimate.baseline.first { $0.metric == metric.metric }?.value
                    lines.append(
                        cell(rows(chunk), 14) + cell(metric.metric.rawValue, 11) + cell(number(baseline), 10)
                            + cell(number(metric.estimated), 11) + cell(range(metric.lower, metric.upper), 16)
                            + cell(range(metric.thresholdLower, metric.thresholdUpper), 16)
                            + cell(number(metric.realized), 10) + (metric.alert ? "ALERT" : "-")
                    )
                }
            }
            return lines
        }

        /// The multivariate drift's lines: one per chunk.
        static func multivariateTable(_ multivariate: DriftModelFigures.Multivariate) -> [String] {
            let explained = String(format: "%.1f%%", multivariate.explainedVariance * 100)
            var lines = [
                "multivariate drift (PCA reconstruction error of \(multivariate.columns.count) numerical columns; "
                    + "\(multivariate.components) components explain \(explained)"
                    + (multivariate.thresholdChunkSize.map { "; thresholds from reference chunks of \($0) rows" }
                        ?? "; no thresholds (fewer than two reference chunks)")
                    + (multivariate.components < multivariate.columns.count
                        ? "" : "; every component is needed, so the error is rounding noise and never drift") + ")",
                cell("ROWS", 14) + cell("ERROR", 10) + cell("BAND (±3σ)", 16) + cell("THRESHOLDS", 16) + "DRIFT",
            ]
            for chunk in multivariate.chunks {
                let r = chunk.value
                lines.append(
                    cell(rows(chunk), 14) + cell(number(r.error), 10) + cell(range(r.lower, r.upper), 16)
                        + cell(range(r.thresholdLower, r.thresholdUpper), 16) + (r.drift ? "DRIFT" : "-")
                )
            }
            return lines
        }
    }
}
