import Foundation

extension JSONEncoder {
    /// The encoder of every document mlopsd writes for people and tools (results, alerts,
    /// `deployment.json`, `status.json`, `params.json`, mlopsctl's output): pretty, keys
    /// sorted (stable text to diff), slashes unescaped (paths read as written).
    public static var mlopsPretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// The same as ``mlopsPretty`` on one line: the JSON text mlopsd keeps in its store
    /// (audit details, specs, reports), stable because the keys are sorted.
    public static var mlopsCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The encoder of the trainer's files (`model.json`, `metrics.json`): pretty and sorted
    /// like ``mlopsPretty`` but with slashes escaped (`\/`), as format version 1 has always
    /// written them, so a model file stays byte-identical to one trained before.
    public static var mlopsModelFile: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
