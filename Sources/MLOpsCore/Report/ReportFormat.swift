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

    /// How finely an axis writes its times.
    public enum TimePrecision: Int, Sendable, Comparable, CaseIterable {
        /// `2026-11-29`.
        case day
        /// `13:05`.
        case minute
        /// `13:05:09`.
        case second
        /// `13:05:09.284`.
        case millisecond

        /// Whether `self` is coarser than `other`.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The precision an axis spanning `seconds` starts from: seconds under ten
        /// minutes, minutes under two days, days beyond.
        public init(span seconds: Double) {
            if seconds < 600 {
                self = .second
            } else if seconds < 2 * 86_400 {
                self = .minute
            } else {
                self = .day
            }
        }

        /// `date` written in full at this precision (`2026-11-29 13:05:09`).
        func full(_ date: Date) -> String {
            let text = Timestamp.string(date)
            let day = String(text.prefix(10))
            return self == .day ? day : day + " " + time(text)
        }

        /// The time of day of an RFC 3339 text at this precision (empty for `.day`).
        func time(_ text: String) -> String {
            let length = [0, 5, 8, 12][rawValue]
            return String(text.dropFirst(11).prefix(length))
        }
    }

    /// Labels for the ticks of a time axis, in the ticks' order: the precision comes from
    /// the span (``TimePrecision/init(span:)``) and is raised until two neighbouring ticks
    /// at different times never read the same (milliseconds at most). Below a day's
    /// precision the date is written on the first tick and wherever it changes, the time
    /// alone elsewhere (`2026-11-29 13:05`, `13:15`, …, `2026-11-30 00:05`). UTC.
    public static func axisTimes(_ dates: [Date]) -> [String] {
        guard let first = dates.min(), let last = dates.max() else { return [] }
        var precision = TimePrecision(span: last.timeIntervalSince(first))
        while precision < .millisecond {
            let full = dates.map(precision.full)
            let clash = dates.indices.dropFirst().contains { i in
                dates[i] != dates[i - 1] && full[i] == full[i - 1]
            }
            guard clash, let finer = TimePrecision(rawValue: precision.rawValue + 1) else { break }
            precision = finer
        }
        var labels: [String] = []
        var previousDay = ""
        for date in dates {
            let text = Timestamp.string(date)
            let day = String(text.prefix(10))
            if precision == .day || day != previousDay {
                labels.append(precision.full(date))
            } else {
                labels.append(precision.time(text))
            }
            previousDay = day
        }
        return labels
    }

    /// ``axisTimes(_:)`` for RFC 3339 texts; a text that is not a time is written as it is.
    public static func axisTimes(_ texts: [String]) -> [String] {
        let dates = texts.map(Timestamp.parse)
        let known = dates.compactMap { $0 }
        var labels = axisTimes(known).makeIterator()
        return zip(texts, dates).map { text, date in date == nil ? text : labels.next() ?? text }
    }

    /// Count of `noun`s, with an `s` unless there is one.
    public static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
