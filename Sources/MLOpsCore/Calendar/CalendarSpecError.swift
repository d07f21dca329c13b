/// Why a text is not a systemd calendar expression (`OnCalendar=` syntax,
/// systemd.time(7)). Each case says what is wrong in words an operator can act on; systemd
/// itself only answers "Invalid argument".
public enum CalendarSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing to read (or only a time zone).
    case empty
    /// A character or word that does not fit where it stands.
    case unexpected(found: String, expected: String)
    /// A value outside the field's range (`25` as an hour).
    case outOfRange(field: CalendarField, value: String)
    /// A repetition (`/N`) so long that it never repeats inside the field's range.
    case repetitionTooLong(field: CalendarField, component: String)
    /// `/0`.
    case zeroRepetition(field: CalendarField)
    /// A range whose end comes before its start (`5..3`).
    case backwardsRange(field: CalendarField, component: String)
    /// A weekday range that runs backwards (`Fri..Mon`).
    case backwardsWeekdays(String)
    /// A number too large to be read at all.
    case numberTooLarge(String)
    /// More than 240 values in one field.
    case tooManyValues(field: CalendarField)
    /// A trailing word that looks like a time zone but is not one the system knows.
    case unknownTimeZone(String)

    /// One sentence.
    public var description: String {
        switch self {
        case .empty:
            return "the calendar expression is empty"
        case .unexpected(let found, let expected):
            return found.isEmpty
                ? "the expression ends where \(expected) was expected" : "unexpected `\(found)`: expected \(expected)"
        case .outOfRange(let field, let value):
            return "\(field.rawValue) \(value) is out of range \(field.boundsText)"
        case .repetitionTooLong(let field, let component):
            return
                "the repetition in `\(component)` is too long to repeat within the \(field.rawValue)'s range \(field.boundsText)"
        case .zeroRepetition(let field):
            return "a repetition of /0 in the \(field.rawValue) never advances"
        case .backwardsRange(let field, let component):
            return "the \(field.rawValue) range `\(component)` ends before it starts"
        case .backwardsWeekdays(let range):
            return
                "the weekday range `\(range)` runs backwards (weeks start on Monday: write it as two, e.g. Fri..Sun,Mon)"
        case .numberTooLarge(let text):
            return "the number \(text) is too large"
        case .tooManyValues(let field):
            return "the \(field.rawValue) lists more than \(CalendarSpecParser.maxComponents) values"
        case .unknownTimeZone(let name):
            return
                "`\(name)` is not a time zone this system knows (write UTC, or a tz database name such as Europe/Berlin)"
        }
    }
}
