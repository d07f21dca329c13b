import Foundation
import GRDB
import MLOpsCore

/// Reads the latest predictions of a model version into columns: the numeric BLOBs are
/// copied, text columns split, nothing is parsed as JSON.
enum WindowLoader {
    static func load(_ db: Database, model: String, version: String, spec: ModelSpec, size: Int) throws -> MonitoringWindow {
        let numericCount = spec.features.filter { $0.type == .numerical }.count
        let categoricalCount = spec.features.count - numericCount
        let segmentCount = spec.segmentFields.count
        var numeric = PredictionRecord.NumericColumnDecoder(width: numericCount, capacity: size)
        var categorical: [[String?]] = Array(repeating: [], count: categoricalCount)
        var segments: [[String?]] = Array(repeating: [], count: segmentCount)
        var predictions: [String] = []
        var labels: [String?] = []
        var scores: [Double?] = []
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT numeric, categorical, segments, prediction, label, score FROM predictions
                WHERE model = ? AND version = ? ORDER BY seq DESC LIMIT ?
                """,
            arguments: [model, version, size])
        var rows = 0
        while let row = try cursor.next() {
            rows += 1
            let decoded = try row.withUnsafeData(atIndex: 0) { blob -> Bool in
                guard let blob else { return false }
                blob.withUnsafeBytes { numeric.append($0) }
                return true
            }
            if !decoded { numeric.appendMissing() }
            if categoricalCount > 0 {
                let values = PredictionRecord.decodeText(row[1] ?? "", count: categoricalCount)
                for i in 0..<categoricalCount { categorical[i].append(values[i]) }
            }
            if segmentCount > 0 {
                let values = PredictionRecord.decodeText(row[2] ?? "", count: segmentCount)
                for i in 0..<segmentCount { segments[i].append(values[i]) }
            }
            predictions.append(row[3] ?? "")
            labels.append(row[4])
            scores.append(row[5])
        }
        return MonitoringWindow(count: rows, numeric: numeric.finish(), categorical: categorical, segments: segments,
                                predictions: predictions, labels: labels, scores: scores)
    }
}
