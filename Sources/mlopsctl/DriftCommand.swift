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

        func validate() throws {
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
                let pair: DriftComparison.Pair
                do {
                    pair = try DriftComparison.read(
                        reference: referenceBytes,
                        current: currentBytes,
                        categorical: categoricalNames,
                        maxColumns: maxColumns
                    )
                } catch let error as DriftInputError {
                    switch error.side {
                    case .reference?: throw CtlFailure(message: "\(reference): \(error)", code: Exit.rejected)
                    case .current?: throw CtlFailure(message: "\(current): \(error)", code: Exit.rejected)
                    case nil: throw CtlFailure(message: "mlopsctl drift: \(error)", code: Exit.usage)
                    }
                }
                let report = DriftComparison.compare(pair, threshold: threshold, alpha: alpha)
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
            let page = DriftReportPage.html(
                .init(
                    report: report,
                    distributions: ColumnDistribution.compared(pair),
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

        /// The table for people.
        func table(_ report: DriftReport) -> String {
            let width = max(6, report.columns.map(\.name.count).max() ?? 0) + 2
            func cell(_ text: String, _ width: Int) -> String {
                text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
            }
            func number(_ value: Double?) -> String {
                guard let value else { return "-" }
                if value != 0 && abs(value) < 1e-4 { return String(format: "%.2e", value) }
                return String(format: "%.4f", value)
            }
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
            lines.append(
                "\(report.drifted.count) of \(report.columns.count) columns drift (\(share))"
                    + (report.drifted.isEmpty ? "" : ": " + report.drifted.joined(separator: ", "))
            )
            let notes = report.columns.compactMap { c in c.note.map { "  \(c.name): \($0)" } }
            if !notes.isEmpty { lines += ["notes:"] + notes }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
