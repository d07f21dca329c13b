import Foundation

/// The `metrics.json` of a model version: a JSON object whose values are numbers (or
/// nested objects of them, e.g. per class). The model's metric must be a top-level number:
/// gates and decay compare against it.
public enum VersionMetrics {
    /// Why a metrics file was refused.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not JSON, or not an object.
        case notAnObject(String)
        /// The model's metric is absent or not a number.
        case missingMetric(metric: String, present: [String])
        /// The metric is a number outside what it can be (NaN, negative rmse, accuracy above 1).
        case outOfRange(metric: String, value: Double)

        public var description: String {
            switch self {
            case .notAnObject(let why):
                return
                    "metrics.json must be a JSON object of metric names to numbers, e.g. {\"accuracy\": 0.93}: \(why)"
            case .missingMetric(let metric, let present):
                return "metrics.json has no number for `\(metric)`, the model's metric"
                    + (present.isEmpty ? "" : " (it has " + present.sorted().joined(separator: ", ") + ")")
            case .outOfRange(let metric, let value):
                return "metrics.json gives `\(metric)` = \(value), which is outside its possible range"
            }
        }
    }

    /// Parses `data` and returns all metrics and the model metric's value.
    public static func parse(_ data: Data, metric: String) -> Result<(all: JSONValue, value: Double), Problem> {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            return .failure(.notAnObject("it is not valid JSON"))
        }
        guard case .object(let dict) = value else { return .failure(.notAnObject("it is not an object")) }
        guard let number = dict[metric]?.doubleValue else {
            return .failure(.missingMetric(metric: metric, present: Array(dict.keys)))
        }
        let bounded: ClosedRange<Double>? =
            ["accuracy", "f1", "precision", "recall", "roc_auc"].contains(metric) ? 0...1 : nil
        if !number.isFinite || (bounded.map { !$0.contains(number) } ?? false)
            || (["rmse", "mae"].contains(metric) && number < 0)
        {
            return .failure(.outOfRange(metric: metric, value: number))
        }
        return .success((value, number))
    }
}
