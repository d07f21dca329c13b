/// Why a `model.json` could not be read as a model of the embedded trainer.
public enum ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON, or not the shape documented in docs/trainer.md.
    case unreadable(String)
    /// Another program's model file (its `format` is not `mlops-train`).
    case otherFormat(String)
    /// Written by a newer trainer than this one reads.
    case unsupportedVersion(Int)
    /// The parts do not fit together (so many weights for so many inputs, a NaN).
    case inconsistent(String)

    /// What is wrong, in one line.
    public var description: String {
        switch self {
        case .unreadable(let why):
            return "model.json is not an mlops-train model: \(why)"
        case .otherFormat(let format):
            return "model.json has format `\(format)`, not `\(TrainedModel.format)`: it was written by another trainer"
        case .unsupportedVersion(let version):
            return
                "model.json is format version \(version); this mlops-train reads version \(TrainedModel.formatVersion)"
                + " and earlier: upgrade mlopsd"
        case .inconsistent(let why):
            return "model.json is inconsistent: \(why)"
        }
    }
}
