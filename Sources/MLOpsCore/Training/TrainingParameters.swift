/// The knobs of the embedded trainer, as a pipeline passes them in `MLOPSD_PARAMS`.
///
/// Every field has a default, so `{}` trains. The names are the snake_case keys of the
/// JSON object (docs/trainer.md). Unknown keys are returned by ``decode(_:)`` rather than
/// refused, so that a pipeline may hand the trainer its whole parameter object; the
/// trainer warns about them, which catches a misspelt `max_iter`.
public struct TrainingParameters: Sendable, Equatable {
    /// L2 penalty λ on the weights (not the intercepts): the objective is the mean log loss
    /// plus λ/2·‖W‖². Zero fits without a penalty (separable data then has no optimum).
    public var l2: Double
    /// The most L-BFGS iterations before the trainer stops unconverged.
    public var maxIterations: Int
    /// Converged when every component of the objective's gradient is at most this.
    public var tolerance: Double
    /// The share of the rows (per class) held out for the metrics, in (0, 1).
    public var validationShare: Double
    /// Drives the validation split's shuffle and the reference sample.
    public var seed: UInt64
    /// The most training rows written to `reference.csv`.
    public var referenceRows: Int

    /// The keys ``decode(_:)`` knows.
    public static let keys = ["l2", "max_iterations", "tolerance", "validation_share", "seed", "reference_rows"]

    /// Parameters; the defaults are those of an empty `MLOPSD_PARAMS`.
    public init(
        l2: Double = 1e-3,
        maxIterations: Int = 1000,
        tolerance: Double = 1e-6,
        validationShare: Double = 0.2,
        seed: UInt64 = 0,
        referenceRows: Int = 2000
    ) {
        self.l2 = l2
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.validationShare = validationShare
        self.seed = seed
        self.referenceRows = referenceRows
    }

    /// Reads the parameters from a JSON object; returns them and the keys it did not know.
    /// A known key with a value of the wrong type or out of range is an error that names it.
    public static func decode(
        _ value: JSONValue
    ) throws(TrainingError) -> (parameters: TrainingParameters, unknownKeys: [String]) {
        guard case .object(let object) = value else {
            throw .parametersNotAnObject("it is \(describe(value))")
        }
        var p = TrainingParameters()
        if let v = object["l2"] {
            p.l2 = try number(v, "l2", "a number ≥ 0", { $0 >= 0 })
        }
        if let v = object["max_iterations"] {
            p.maxIterations = try integer(v, "max_iterations", "an integer from 1 to 1000000", 1...1_000_000)
        }
        if let v = object["tolerance"] {
            p.tolerance = try number(v, "tolerance", "a number > 0", { $0 > 0 })
        }
        if let v = object["validation_share"] {
            p.validationShare = try number(
                v,
                "validation_share",
                "a number between 0 and 1 (exclusive)",
                { $0 > 0 && $0 < 1 }
            )
        }
        if let v = object["seed"] {
            p.seed = UInt64(try integer(v, "seed", "an integer ≥ 0", 0...Int.max))
        }
        if let v = object["reference_rows"] {
            p.referenceRows = try integer(v, "reference_rows", "an integer from 1 to 10000000", 1...10_000_000)
        }
        return (p, object.keys.filter { !keys.contains($0) }.sorted())
    }

    private static func number(
        _ value: JSONValue,
        _ name: String,
        _ expected: String,
        _ ok: (Double) -> Bool
    ) throws(TrainingError) -> Double {
        guard let d = value.doubleValue, d.isFinite else {
            throw .invalidParameter(name: name, problem: "must be \(expected), not \(describe(value))")
        }
        guard ok(d) else { throw .invalidParameter(name: name, problem: "must be \(expected), not \(d)") }
        return d
    }

    private static func integer(
        _ value: JSONValue,
        _ name: String,
        _ expected: String,
        _ range: ClosedRange<Int>
    ) throws(TrainingError) -> Int {
        let i: Int
        switch value {
        case .int(let v):
            i = v
        case .double(let d) where d.isFinite && d.rounded() == d && abs(d) < 9e15:
            i = Int(d)
        default:
            throw .invalidParameter(name: name, problem: "must be \(expected), not \(describe(value))")
        }
        guard range.contains(i) else { throw .invalidParameter(name: name, problem: "must be \(expected), not \(i)") }
        return i
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "the text \"\(s)\""
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
