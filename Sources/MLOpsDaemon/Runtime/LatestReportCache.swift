import Foundation
import GRDB
import Logging
import MLOpsCore

/// Each model's latest stored check report, decoded once per check: the metrics file is
/// rewritten every few seconds, a check is stored far less often, and a report with many
/// columns costs far more to decode than the one index look-up that says whether the
/// latest check changed (``CheckStore/latestSeq(_:model:)``).
///
/// Not thread-safe: the daemon uses it from the engine queue only (through ``MetricsWriter``).
final class LatestReportCache {
    /// Per model: the check the entry holds and its report (nil when the stored JSON did not
    /// decode, so a bad row is logged once, not on every write).
    private var entries: [String: (seq: Int64, report: MonitoringReport?)] = [:]
    /// How many reports were read and decoded since the cache was made (the figure that
    /// must stay at one per new check).
    private(set) var decoded = 0
    private let decoder = JSONDecoder()

    /// The latest report of each of `models` that has a readable one, reading and decoding
    /// only the checks stored since the previous call. Models not named are forgotten.
    func reports(_ db: Database, models: [String], logger: Logger) throws -> [String: MonitoringReport] {
        var kept: [String: (seq: Int64, report: MonitoringReport?)] = [:]
        for model in models {
            guard let seq = try CheckStore.latestSeq(db, model: model) else { continue }
            if let entry = entries[model], entry.seq == seq {
                kept[model] = entry
                continue
            }
            decoded += 1
            var report: MonitoringReport?
            if let text = try CheckStore.report(db, seq: seq) {
                do {
                    report = try decoder.decode(MonitoringReport.self, from: Data(text.utf8))
                } catch {
                    logger.warning(
                        "check \(seq) of \(model) has a report that does not decode; its per-column metrics are left out: \(error)",
                        metadata: ["model": .string(model)]
                    )
                }
            }
            kept[model] = (seq, report)
        }
        entries = kept
        return kept.compactMapValues(\.report)
    }
}
