/// One field of a calendar expression, with the values systemd allows in it.
///
/// Seconds are kept in microseconds, as systemd does, so that `12:00:01.5` is exact.
public enum CalendarField: String, Sendable, CaseIterable {
    /// `1970…2199` (two digits read as 19xx from 70, 20xx below).
    case year
    /// `1…12`.
    case month
    /// `1…31`; with `~` (counted from the month's end) `1…28`.
    case day
    /// `0…23`.
    case hour
    /// `0…59`.
    case minute
    /// `0…59.999999` seconds, stored in microseconds.
    case second

    /// The smallest and largest stored value (microseconds for ``second``).
    var bounds: ClosedRange<Int> {
        switch self {
        case .year: return 1970...2199
        case .month: return 1...12
        case .day: return 1...31
        case .hour: return 0...23
        case .minute: return 0...59
        case .second: return 0...59_999_999
        }
    }

    /// The bounds as a message says them (`0…23`, `0…59.999999`).
    var boundsText: String {
        switch self {
        case .second: return "0…59.999999"
        default: return "\(bounds.lowerBound)…\(bounds.upperBound)"
        }
    }

    /// Microseconds per unit: 1,000,000 for seconds, 1 for the others.
    var scale: Int { self == .second ? 1_000_000 : 1 }
}
