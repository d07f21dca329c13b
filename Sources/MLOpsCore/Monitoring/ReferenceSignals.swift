/// The label-free signals of a version, fitted once from its reference data and kept with its
/// ``ReferenceProfile`` between checks (docs/monitoring.md, "Before the labels"): the reference
/// outputs for output drift, the CBPE estimator, and the PCA reconstruction model. Each is
/// nil when the reference cannot give it, with a sentence saying why.
public struct ReferenceSignals: Sendable {
    /// The model's classes (binary: the positive class last); nil without outputs.
    public var classes: [String]?
    /// The reference outputs prepared for the output tests.
    public var outputs: OutputDrift.Reference?
    /// The performance estimator, calibrated on the reference outputs and labels.
    public var estimator: PerformanceEstimator?
    /// The multivariate drift model of the numerical features.
    public var reconstruction: ReconstructionDrift?
    /// Why there are no outputs, or no estimate; nil when both exist.
    public var outputsNote: String?
    /// Why there is no multivariate drift; nil when it exists.
    public var multivariateNote: String?

    /// No signal (a profile built without its table, in tests).
    public static let none = ReferenceSignals(
        classes: nil,
        outputs: nil,
        estimator: nil,
        reconstruction: nil,
        outputsNote: "the reference outputs were not read",
        multivariateNote: "the reference was not fitted for multivariate drift"
    )

    /// Memberwise.
    public init(
        classes: [String]?,
        outputs: OutputDrift.Reference?,
        estimator: PerformanceEstimator?,
        reconstruction: ReconstructionDrift?,
        outputsNote: String?,
        multivariateNote: String?
    ) {
        self.classes = classes
        self.outputs = outputs
        self.estimator = estimator
        self.reconstruction = reconstruction
        self.outputsNote = outputsNote
        self.multivariateNote = multivariateNote
    }

    /// The chunk size the thresholds are computed on for windows of `windowSize` rows and a
    /// reference of `referenceRows`: the window size when the reference holds at least ten
    /// windows, else a tenth of the reference (nil below 200 rows). Ten chunks at least, as a
    /// standard deviation from five is too often far too small (a false alarm on every
    /// other window in our tests); chunks smaller than the window spread more, which widens
    /// the thresholds: fewer alarms, never more.
    public static func chunkSize(windowSize: Int, referenceRows: Int) -> Int? {
        let size = min(windowSize, referenceRows / 10)
        return size >= 20 ? size : nil
    }

    /// Fits every signal the reference `table` (already checked by ``ReferenceData``) can give,
    /// with thresholds for windows of `windowSize` rows; the outputs come from `sibling`
    /// (``ReferenceOutputs/siblingFile``) when the reference has none.
    public static func fit(
        table: CSVTable,
        spec: ModelSpec,
        fileName: String,
        windowSize: Int,
        sibling: CSVTable? = nil
    ) -> ReferenceSignals {
        let chunk = chunkSize(windowSize: windowSize, referenceRows: table.rows.count)
        var signals = ReferenceSignals(
            classes: nil,
            outputs: nil,
            estimator: nil,
            reconstruction: nil,
            outputsNote: nil,
            multivariateNote: nil
        )
        switch ReferenceOutputs.read(reference: table, sibling: sibling, spec: spec, fileName: fileName) {
        case .failure(let error):
            signals.outputsNote = "the reference outputs are unusable: \(error)"
        case .success(let found):
            signals.outputsNote = found.note
            if let outputs = found.outputs {
                signals.classes = outputs.classes
                signals.outputs = OutputDrift.Reference(outputs)
                if let labels = found.labels {
                    do {
                        // The outputs file has its own size (the held-out rows).
                        signals.estimator = try PerformanceEstimator.fit(
                            reference: outputs,
                            labels: labels,
                            chunkSize: chunkSize(windowSize: windowSize, referenceRows: outputs.count)
                        )
                    } catch {
                        signals.outputsNote = "no estimate: \(error)"
                    }
                }
            }
        }
        let numerical = spec.features.filter { $0.type == .numerical }.map(\.name)
        guard numerical.count >= 2 else {
            signals.multivariateNote = "multivariate drift needs at least two numerical features"
            return signals
        }
        var columns: [[Double]] = []
        for name in numerical {
            guard let index = table.column(name) else {
                columns.append([Double](repeating: .nan, count: table.rows.count))
                continue
            }
            columns.append(table.rows.map { Double($0[index]).flatMap { $0.isFinite ? $0 : nil } ?? .nan })
        }
        do {
            let model = try ReconstructionDrift.fit(columns: columns, names: numerical, chunkSize: chunk)
            if !model.reconstructsAnything {
                signals.multivariateNote =
                    "the \(model.columns.count) numerical features are uncorrelated enough that every component "
                    + "is needed for 65% of the variance: nothing is left to reconstruct"
            } else if model.thresholdUpper == nil {
                signals.multivariateNote =
                    "the reference (\(table.rows.count) rows) is too small for the thresholds of multivariate drift"
            } else {
                signals.reconstruction = model
            }
        } catch {
            signals.multivariateNote = "no multivariate drift: \(error)"
        }
        return signals
    }
}
