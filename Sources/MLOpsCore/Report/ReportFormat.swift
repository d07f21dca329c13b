import Foundation

/// How the reports write numbers, times and durations in tables and labels: short, the same
/// everywhere, and a dash for a value that is missing.
public enum ReportFormat {
    /// What a missing value reads as.
    public static let missing = "—"

    /// Three significant digits (`0.0123`, `12.3`, `1.2e-05`); a dash for nil.
    public static func number(_ value: Double?) -> String {
        guard let value else { return missing }
        guard value.isFinite else { return value.isNaN ? missing : (value > 0 ? "∞" : "-∞") }
        if value == 0 { return "0" }
        return String(format: "%.3g", value)
    }

    /// A p-value: four decimals, or scientific notation below 0.0001; a dash for nil.
    public static func pValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        if value == 0 { return "0" }
        if value < 0.0001 { return String(format: "%.1e", value) }
        return String(format: "%.4f", value)
    }

    /// A share as a percentage with one decimal (`0.1234` → `12.3%`); a dash for nil.
    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%.1f%%", value * 100)
    }

    /// A duration in seconds as `850 ms`, `42 s`, `3 min 5 s` or `2 h 4 min`; a dash for nil.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return missing }
        if seconds >= 1e9 { return String(format: "%.3g s", seconds) }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds.rounded())) s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return whole % 60 == 0 ? "\(whole / 60) min" : "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }

    /// An RFC 3339 time as a short label: `2026-11-29 13:05` (UTC), or the text itself when
    /// it is not a time.
    public static func shortTime(_ text: String) -> String {
        guard let date = Timestamp.parse(text) else { return text }
        return shortTime(date)
    }

    /// A time as `2026-11-29 13:05` (UTC).
    public static func shortTime(_ date: Date) -> String {
        let full = Timestamp.string(date)
        return String(full.prefix(10)) + " " + String(full.dropFirst(11).prefix(5))
    }

    /// Count of `noun`s, with an `s` unless there is one.
    public static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
