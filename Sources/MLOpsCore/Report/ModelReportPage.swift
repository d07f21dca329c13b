/// The model report as one self-contained HTML document (inline CSS and SVG, no script,
/// no network): see docs/monitoring.md "Reports".
public enum ModelReportPage {
    /// The document for `report`.
    public static func html(_ report: ModelReport) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\" /><title>\(report.model)</title></head><body></body></html>\n"
    }
}
