import Foundation

/// Reads the text of a calendar expression into a ``CalendarSpec``, following the grammar of
/// systemd.time(7) as systemd 252 reads it: `[WEEKDAYS] [[YEAR-]MONTH-DAY] [HH:MM[:SS]] [ZONE]`,
/// the shorthands (`daily`, `weekly`, …) and `@EPOCH`.
struct CalendarSpecParser {
    /// systemd refuses longer lists of values in one field.
    static let maxComponents = 240

    private let bytes: [UInt8]
    private var index = 0

    private init(_ text: Substring) { bytes = Array(text.utf8) }

    /// Weekday names as systemd accepts them (any case), long before short so that `Monday`
    /// is not read as `Mon` followed by `day`; Monday is 0.
    private static let weekdayNames: [(name: [UInt8], number: Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ].map { (Array($0.0.utf8), $0.1) }

    /// The shorthands and what they stand for.
    private static func shorthand(_ word: String) -> CalendarSpec? {
        let zero = Self.zero
        let one = CalendarComponent(start: 1, stop: nil, step: 0)
        let midnight = (hour: [zero], minute: [zero], second: [zero])
        var spec = CalendarSpec.wildcard
        switch word.lowercased() {
        case "minutely":
            spec.second = [zero]
        case "hourly":
            spec.minute = [zero]
            spec.second = [zero]
        case "daily":
            (spec.hour, spec.minute, spec.second) = midnight
        case "weekly":
            spec.weekdays = 1
            (spec.hour, spec.minute, spec.second) = midnight
        case "monthly":
            spec.day = [one]
            (spec.hour, spec.minute, spec.second) = midnight
        case "yearly", "annually", "anually":
            spec.month = [one]
            spec.day = [one]
            (spec.hour, spec.minute, spec.second) = midnight
        case "quarterly":
            spec.month = [1, 4, 7, 10].map { CalendarComponent(start: $0, stop: nil, step: 0) }
            spec.day = [one]
            (spec.hour, spec.minute, spec.second) = midnight
        case "semiannually", "semi-annually", "biannually", "bi-annually":
            spec.month = [1, 7].map { CalendarComponent(start: $0, stop: nil, step: 0) }
            spec.day = [one]
            (spec.hour, spec.minute, spec.second) = midnight
        default:
            return nil
        }
        return spec
    }

    /// The value 0 (midnight's hour, minute and second).
    private static let zero = CalendarComponent(start: 0, stop: nil, step: 0)

    /// The expression `text`, normalized and checked.
    static func parse(_ text: String) throws(CalendarSpecError) -> CalendarSpec {
        var body = Substring(text)
        var zone = CalendarSpec.Zone.local
        var trailingWord: String?
        if text.count >= 4, text.suffix(4).lowercased() == " utc" {
            zone = .utc
            body = body.dropLast(4)
        } else if let space = text.lastIndex(of: " ") {
            let word = String(text[text.index(after: space)...])
            if let named = namedZone(word) {
                zone = .named(named)
                body = text[..<space]
            } else {
                trailingWord = word
            }
        }
        guard !body.isEmpty else { throw .empty }
        var spec: CalendarSpec
        if let short = shorthand(String(body)) {
            spec = short
        } else {
            var parser = CalendarSpecParser(body)
            spec = CalendarSpec.wildcard
            do {
                try parser.parseExpression(into: &spec)
            } catch {
                if let word = trailingWord, looksLikeTimeZone(word) { throw .unknownTimeZone(word) }
                throw error
            }
        }
        if case .utc = spec.zone {
        } else {
            spec.zone = zone
        }
        try spec.normalize()
        spec.original = text
        return spec
    }

    /// The time zone a trailing word names, if it names one: a tz database name the system
    /// knows, spelt as systemd accepts them (letters, digits, `-_+/`, no empty path parts).
    /// Foundation also reads made-up offsets such as `UTC+2`; systemd does not, so a name
    /// must come back from Foundation unchanged.
    static func namedZone(_ word: String) -> TimeZone? {
        let b = Array(word.utf8)
        guard let first = b.first, first != 0x2F, b.last != 0x2F, !word.contains("//") else { return nil }
        let allowed = b.allSatisfy {
            isDigit($0) || isLetter($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2B || $0 == 0x2F
        }
        guard allowed, let zone = TimeZone(identifier: word), zone.identifier == word else { return nil }
        return zone
    }

    /// Whether a word that is not a known zone was probably meant as one (`Europe/Nowhere`,
    /// `UTC+2`, `CEST`), so the error names the zone rather than the parse.
    private static func looksLikeTimeZone(_ word: String) -> Bool {
        let b = Array(word.utf8)
        guard let first = b.first, isLetter(first) else { return false }
        if word.contains("/") || word.contains("+") { return true }
        return b.count >= 3 && b.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || isDigit($0) }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    // MARK: - The grammar

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8? { atEnd ? nil : bytes[index] }
    private func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    /// What is left from the current position, for messages.
    private var rest: String { String(decoding: bytes[min(index, bytes.count)...], as: UTF8.self) }

    private func unexpected(_ expected: String) -> CalendarSpecError {
        .unexpected(found: rest, expected: expected)
    }

    private mutating func skipSpaces() {
        while current == 0x20 { index += 1 }
    }

    /// `[WEEKDAYS] [DATE] [TIME]`, or `@EPOCH`.
    private mutating func parseExpression(into spec: inout CalendarSpec) throws(CalendarSpecError) {
        spec.weekdays = try parseWeekdays()
        if try parseDate(into: &spec) {
            guard atEnd else { throw unexpected("nothing after an @timestamp") }
            return
        }
        try parseTime(into: &spec)
        guard atEnd else { throw unexpected("the end of the expression") }
    }

    /// Weekday names, lists (`Mon,Wed`) and ranges (`Mon..Fri`, `Mon-Fri`); a bit per day.
    private mutating func parseWeekdays() throws(CalendarSpecError) -> Int {
        var bits = 0
        var rangeStart: Int?
        var first = true
        while true {
            guard let (length, day) = weekdayAtIndex() else {
                if first { return 0 }
                throw unexpected("a weekday name (Mon … Sun)")
            }
            guard [nil, 0x2D, 0x2E, 0x2C, 0x20].contains(peek(length)) else {
                throw unexpected("a weekday name (Mon … Sun, or Monday … Sunday)")
            }
            bits |= 1 << day
            if let start = rangeStart {
                guard start <= day else {
                    throw .backwardsWeekdays(Self.dayName(start) + ".." + Self.dayName(day))
                }
                for d in start...day { bits |= 1 << d }
            }
            index += length
            switch current {
            case nil:
                return bits
            case 0x20:
                skipSpaces()
                return bits
            case 0x2E:
                guard rangeStart == nil, peek(1) == 0x2E else { throw unexpected("`..` between two weekdays") }
                rangeStart = day
                index += 2
            case 0x2D:
                guard rangeStart == nil else { throw unexpected("a weekday after the range") }
                rangeStart = day
                index += 1
            default:  // ","
                rangeStart = nil
                index += 1
            }
            // A trailing comma is allowed, an open range is not.
            if atEnd || current == 0x20 {
                skipSpaces()
                guard rangeStart == nil else { throw unexpected("the weekday that ends the range") }
                return bits
            }
            first = false
        }
    }

    private func weekdayAtIndex() -> (length: Int, day: Int)? {
        for (name, day) in Self.weekdayNames where index + name.count <= bytes.count {
            if zip(name, bytes[index...]).allSatisfy({ $0 == ($1 | 0x20) }) { return (name.count, day) }
        }
        return nil
    }

    private static func dayName(_ day: Int) -> String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day]
    }

    /// `[YEAR-]MONTH-DAY` (`~` instead of the last `-` counts days from the month's end), or
    /// `@EPOCH` (then returns true: no time follows). Leaves a time alone (`12:00`).
    private mutating func parseDate(into spec: inout CalendarSpec) throws(CalendarSpecError) -> Bool {
        guard !atEnd else { return false }
        if current == 0x40 {
            index += 1
            let seconds = try parseNumber()
            spec.setEpoch(seconds)
            return true
        }
        let mark = index
        let first = try parseChain(.day)
        if atEnd || current == 0x3A {
            index = mark  // a time, not a date
            return false
        }
        try dateSeparator(&spec)
        let second = try parseChain(.day)
        if atEnd || current == 0x20 {
            skipSpaces()
            spec.month = first
            spec.day = second
            return false
        }
        guard !spec.endOfMonth else { throw unexpected("a space after the day") }
        try dateSeparator(&spec)
        let third = try parseChain(.day)
        guard atEnd || current == 0x20 else { throw unexpected("a space after the date") }
        skipSpaces()
        spec.year = first
        spec.month = second
        spec.day = third
        return false
    }

    private mutating func dateSeparator(_ spec: inout CalendarSpec) throws(CalendarSpecError) {
        switch current {
        case 0x7E: spec.endOfMonth = true
        case 0x2D: break
        default: throw unexpected("`-` between the parts of a date, or `:` in a time")
        }
        index += 1
    }

    /// `HH:MM[:SS[.ffffff]]`; nothing means 00:00:00.
    private mutating func parseTime(into spec: inout CalendarSpec) throws(CalendarSpecError) {
        guard !atEnd else {
            spec.hour = [Self.zero]
            spec.minute = [Self.zero]
            spec.second = [Self.zero]
            return
        }
        let hour = try parseChain(.hour)
        guard current == 0x3A else { throw unexpected("`:` after the hour") }
        index += 1
        let minute = try parseChain(.minute)
        var second: [CalendarComponent]? = [Self.zero]
        if !atEnd {
            guard current == 0x3A else { throw unexpected("`:` before the seconds, or the end") }
            index += 1
            second = try parseChain(.second)
        }
        spec.hour = hour
        spec.minute = minute
        spec.second = second
    }

    /// `*` (nil: any value; for seconds every whole second) or a comma-separated list.
    private mutating func parseChain(_ field: CalendarField) throws(CalendarSpecError) -> [CalendarComponent]? {
        if current == 0x2A {
            index += 1
            return field == .second ? [CalendarComponent(start: 0, stop: nil, step: 1_000_000)] : nil
        }
        var chain: [CalendarComponent] = []
        while true {
            chain.append(try parseComponent(field))
            guard chain.count <= Self.maxComponents else { throw .tooManyValues(field: field) }
            guard current == 0x2C else { return chain }
            index += 1
        }
    }

    /// `N`, `N..M`, `N/S` or `N..M/S`.
    private mutating func parseComponent(_ field: CalendarField) throws(CalendarSpecError) -> CalendarComponent {
        let seconds = field == .second
        let start = try parseDecimal(seconds: seconds)
        var stop: Int?
        var step = 0
        if current == 0x2E, peek(1) == 0x2E {
            index += 2
            stop = try parseDecimal(seconds: seconds)
            step = field.scale
        }
        if current == 0x2F {
            index += 1
            step = try parseDecimal(seconds: seconds)
            guard step > 0 else { throw .zeroRepetition(field: field) }
        }
        guard [nil, 0x20, 0x2C, 0x2D, 0x7E, 0x3A].contains(current) else {
            throw unexpected("a number, `..`, `/`, `,` or a separator")
        }
        return CalendarComponent(start: start, stop: stop, step: step)
    }

    /// Digits, and for seconds an optional fraction (six digits kept, the seventh rounds).
    private mutating func parseDecimal(seconds: Bool) throws(CalendarSpecError) -> Int {
        var value = try parseNumber()
        guard seconds else {
            guard value <= Int(Int32.max) else { throw .numberTooLarge(String(value)) }
            return value
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { throw .numberTooLarge(String(value)) }
        value = scaled
        if current == 0x2E, peek(1) != 0x2E {
            index += 1
            var fraction = 0
            var digits = 0
            var roundUp = false
            while let b = current, Self.isDigit(b) {
                if digits < 6 {
                    fraction = fraction * 10 + Int(b - 0x30)
                } else if digits == 6 {
                    roundUp = b >= 0x35
                }
                digits += 1
                index += 1
            }
            for _ in min(digits, 6)..<6 { fraction *= 10 }
            value += fraction + (roundUp ? 1 : 0)
        }
        guard value <= Int(Int32.max) else { throw .numberTooLarge(String(value / 1_000_000)) }
        return value
    }

    /// One or more decimal digits.
    private mutating func parseNumber() throws(CalendarSpecError) -> Int {
        guard let b = current, Self.isDigit(b) else { throw unexpected("a number") }
        let start = index
        var value = 0
        var overflow = false
        while let d = current, Self.isDigit(d) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(d - 0x30))
            overflow = overflow || o1 || o2
            value = plus
            index += 1
        }
        guard !overflow else {
            throw .numberTooLarge(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        return value
    }
}
