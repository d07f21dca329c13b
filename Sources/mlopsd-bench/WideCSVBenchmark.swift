import Foundation
import Glibc
import MLOpsCore

/// The in-process timing of wide CSV files (`--csv-only`): the daemon's strict reader
/// (``CSVTable``) and `mlopsctl drift`'s columnar reader (``ColumnarCSV``) on 1,000 rows of
/// 100 and of 10,000 columns, each beside the raw cost of reading the same bytes once
/// (`memchr` for line feeds over the buffer), and the issue-23 headers (10,000 and 40,000
/// columns, no rows) that took 2.0 s and 33 s before the column positions were found in one
/// pass. A reader linear in its input keeps the same ratio to the raw pass at every width.
enum WideCSVBenchmark {
    /// One measured file.
    struct Line {
        var label: String
        var bytes: Int
        var strict: Double
        var columnar: Double
        var raw: Double
    }

    /// A file of `rows` rows of `columns` numbers (and a header), as the bench writes it.
    static func file(columns: Int, rows: Int) -> [UInt8] {
        var text = (0..<columns).map { "f\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<rows {
            var cells: [String] = []
            cells.reserveCapacity(columns)
            for c in 0..<columns {
                let value: Int = (r &* 31 &+ c &* 7) % 1000
                cells.append(String(value) + ".5")
            }
            text += cells.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// The best of `repetitions` timings of `body`, in seconds.
    static func best(_ repetitions: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = MonotonicClock.now()
            body()
            best = min(best, MonotonicClock.seconds(from: start, to: MonotonicClock.now()))
        }
        return best
    }

    /// Measures each shape; `repetitions` runs each, the best kept.
    static func run(repetitions: Int) -> [Line] {
        let shapes: [(String, Int, Int)] = [
            ("1,000 rows × 100 columns", 100, 1_000),
            ("1,000 rows × 10,000 columns", 10_000, 1_000),
            ("header only, 10,000 columns", 10_000, 0),
            ("header only, 40,000 columns", 40_000, 0),
        ]
        var lines: [Line] = []
        for (label, columns, rows) in shapes {
            let bytes = file(columns: columns, rows: rows)
            let text = String(decoding: bytes, as: UTF8.self)
            var sink = 0
            let strict = best(repetitions) {
                sink &+= (try? CSVTable.parse(text))?.rows.count ?? -1
            }
            let columnar = best(repetitions) {
                sink &+= (try? ColumnarCSV.parse(bytes))?.rowCount ?? -1
            }
            let raw = best(repetitions) {
                bytes.withUnsafeBufferPointer { buffer in
                    guard var p = buffer.baseAddress.map(UnsafeRawPointer.init) else { return }
                    let end = p + buffer.count
                    while p < end, let hit = memchr(p, 10, end - p) {
                        sink &+= 1
                        p = UnsafeRawPointer(hit) + 1
                    }
                }
            }
            if sink == Int.min { print("") }
            lines.append(Line(label: label, bytes: bytes.count, strict: strict, columnar: columnar, raw: raw))
        }
        return lines
    }

    /// The printed table: times and each reader's ratio to the raw pass.
    static func table(_ lines: [Line]) -> String {
        func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
        func ratio(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "×%.0f", a / b) : "-" }
        var out = "Wide CSV files (best of the runs; ratio to one memchr pass over the same bytes)\n"
        for line in lines {
            out +=
                "  \(line.label) (\(line.bytes) bytes): CSVTable \(ms(line.strict)) \(ratio(line.strict, line.raw)), "
            out += "ColumnarCSV \(ms(line.columnar)) \(ratio(line.columnar, line.raw)), raw \(ms(line.raw))\n"
        }
        return out
    }
}
