import Foundation

/// A systemd calendar expression (the `OnCalendar=` syntax of systemd.time(7)): which
/// points in time it names, its normalized form, and when it next elapses.
///
/// `retrain_schedule` uses it (docs/retraining.md). It reads what systemd 252 reads, writes
/// the normalized form `systemd-analyze calendar` prints, and computes the same elapses
/// (`CalendarSpecTests` compares both with the real `systemd-analyze`):
///
/// - `Sun *-*-* 02:00`, `Mon..Fri 06:00`, `*-*-01 00:00:00`, `*:0/15`, `*-02~03` (the third
///   last day of February), `2026-12-24 18:00`, `@1700000000`, and the shorthands
///   `minutely` … `yearly`, `quarterly`, `semiannually`;
/// - a trailing `UTC` or tz database name (`Europe/Berlin`) fixes the time zone; without
///   one the expression is read in the local time zone, as systemd timers do. The caller
///   passes that zone in (``nextElapse(after:localTimeZone:)``), so this type reads no clock
///   and no system setting;
/// - a local time that does not exist (clocks going forward) is skipped that day; one that
///   exists twice (clocks going back) elapses once, at its first occurrence after the time
///   asked about — as systemd does.
public struct CalendarSpec: Sendable, Equatable, CustomStringConvertible {
    /// The time zone the expression is read in.
    public enum Zone: Sendable, Equatable {
        /// No zone written: the caller's local time zone.
        case local
        /// `UTC` written (any case).
        case utc
        /// A tz database name written (`Europe/Berlin`).
        case named(TimeZone)
    }

    /// Weekdays as bits (Monday = bit 0 … Sunday = bit 6); 0: any day.
    var weekdays = 0
    /// Allowed years, months, days, hours and minutes; nil: any (`*`).
    var year: [CalendarComponent]?
    var month: [CalendarComponent]?
    var day: [CalendarComponent]?
    var hour: [CalendarComponent]?
    var minute: [CalendarComponent]?
    /// Allowed seconds, in microseconds; nil: any microsecond (never after parsing: `*`
    /// there means every whole second).
    var second: [CalendarComponent]?
    /// Whether ``day`` counts from the month's end (`~`): 1 is the last day.
    var endOfMonth = false
    /// The zone the expression is read in.
    public internal(set) var zone = Zone.local
    /// The text as written.
    public internal(set) var original = ""

    /// Every field `*`: the parser's starting point.
    static let wildcard = CalendarSpec()

    private init() {}

    /// Reads `text`; throws what is wrong with it, in words.
    public init(parsing text: String) throws(CalendarSpecError) {
        self = try CalendarSpecParser.parse(text)
    }

    /// Two expressions are equal when they name the same points in time the same way
    /// (the same normalized form), however they were written.
    public static func == (a: CalendarSpec, b: CalendarSpec) -> Bool { a.normalized == b.normalized }

    /// The normalized form (``normalized``).
    public var description: String { normalized }

    /// As `systemd-analyze calendar` prints it: `Mon..Fri *-*-* 06:00:00`,
    /// `*-*-01 00:00:00 UTC`, `Sun *-*-* 02:00:00 Europe/Berlin`.
    public var normalized: String {
        var out = ""
        if weekdays != 0 { out += Self.weekdayText(weekdays) + " " }
        out += Self.chainText(year, .year, width: 4) + "-" + Self.chainText(month, .month)
        out += (endOfMonth ? "~" : "-") + Self.chainText(day, .day)
        out += " " + Self.chainText(hour, .hour) + ":" + Self.chainText(minute, .minute) + ":"
        if let second, second == [CalendarComponent(start: 0, stop: nil, step: 1_000_000)] {
            out += "*"
        } else {
            out += Self.chainText(second, .second)
        }
        switch zone {
        case .local: break
        case .utc: out += " UTC"
        case .named(let zone): out += " " + zone.identifier
        }
        return out
    }

    /// The zone's name for messages: `UTC`, `Europe/Berlin`, or the local zone's name.
    public func zoneName(local: TimeZone) -> String {
        switch zone {
        case .local: return WallClock.isUTC(local) ? "UTC" : local.identifier
        case .utc: return "UTC"
        case .named(let zone): return zone.identifier
        }
    }

    private static func chainText(_ chain: [CalendarComponent]?, _ field: CalendarField, width: Int = 2) -> String {
        guard let chain else { return "*" }
        return chain.map { $0.text(field, width: width) }.joined(separator: ",")
    }

    /// `Mon..Wed,Fri`: runs of three or more days as ranges, of two as a list.
    private static func weekdayText(_ bits: Int) -> String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        var parts: [String] = []
        var day = 0
        while day < 7 {
            guard bits & (1 << day) != 0 else {
                day += 1
                continue
            }
            var end = day
            while end + 1 < 7, bits & (1 << (end + 1)) != 0 { end += 1 }
            switch end - day {
            case 0: parts.append(names[day])
            case 1: parts.append(names[day] + "," + names[end])
            default: parts.append(names[day] + ".." + names[end])
            }
            day = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// Puts the expression in normal form (two-digit years, ranges on their steps, chains
    /// sorted without repeats, "every weekday" as none) and checks every value.
    mutating func normalize() throws(CalendarSpecError) {
        if weekdays == 0x7F { weekdays = 0 }
        if endOfMonth, day == nil { endOfMonth = false }
        year = year.map { chain in
            chain.map { c in
                var c = c
                c.start = Self.fullYear(c.start)
                c.stop = c.stop.map(Self.fullYear)
                return c
            }
        }
        year = year?.normalizedChain
        month = month?.normalizedChain
        day = day?.normalizedChain
        hour = hour?.normalizedChain
        minute = minute?.normalizedChain
        second = second?.normalizedChain
        let chains: [(CalendarField, [CalendarComponent]?)] = [
            (.year, year), (.month, month), (.day, day), (.hour, hour), (.minute, minute), (.second, second),
        ]
        for (field, chain) in chains {
            for component in chain ?? [] {
                if let problem = component.problem(in: field, fromEnd: field == .day && endOfMonth) { throw problem }
            }
        }
    }

    /// Two-digit years as systemd reads them: 0–69 → 2000–2069, 70–99 → 1970–1999.
    private static func fullYear(_ y: Int) -> Int {
        switch y {
        case 0..<70: return y + 2000
        case 70..<100: return y + 1900
        default: return y
        }
    }

    /// `@EPOCH`: that one second, in UTC.
    mutating func setEpoch(_ seconds: Int) {
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let date = CivilDate(days: days)
        func one(_ v: Int) -> [CalendarComponent] { [CalendarComponent(start: v, stop: nil, step: 0)] }
        year = one(date.year)
        month = one(date.month)
        day = one(date.day)
        hour = one(secondOfDay / 3600)
        minute = one(secondOfDay / 60 % 60)
        second = one(secondOfDay % 60 * 1_000_000)
        zone = .utc
    }

    // MARK: - Elapses

    /// The first time after `date` that the expression names; nil when it never elapses
    /// again (a date in the past, `*-02-30`, past 2199). `localTimeZone` is the zone of an
    /// expression that names none (the daemon passes its own local zone).
    public func nextElapse(after date: Date, localTimeZone: TimeZone) -> Date? {
        nextElapse(afterMicroseconds: Self.microseconds(date), zone: resolvedZone(localTimeZone)).map(Self.date)
    }

    /// The next `count` elapses after `date` (fewer when it stops elapsing).
    public func elapses(after date: Date, count: Int, localTimeZone: TimeZone) -> [Date] {
        let zone = resolvedZone(localTimeZone)
        var out: [Date] = []
        var t = Self.microseconds(date)
        while out.count < count, let next = nextElapse(afterMicroseconds: t, zone: zone) {
            out.append(Self.date(next))
            t = next
        }
        return out
    }

    /// The latest time the expression names that is after `lower` and not after `now`; nil
    /// when it names none in that span. Found by bisection over ``nextElapse(after:localTimeZone:)``
    /// (about 60 steps whatever the span), so a schedule missed for months costs no more than
    /// one missed for minutes.
    public func latestElapse(atOrBefore now: Date, after lower: Date, localTimeZone: TimeZone) -> Date? {
        let zone = resolvedZone(localTimeZone)
        let end = Self.microseconds(now)
        var low = Self.microseconds(lower)
        guard let first = nextElapse(afterMicroseconds: low, zone: zone), first <= end else { return nil }
        // Invariant: an elapse follows `low` no later than `end`; none follows `high` that soon.
        var high = end
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if let next = nextElapse(afterMicroseconds: middle, zone: zone), next <= end {
                low = middle
            } else {
                high = middle
            }
        }
        return nextElapse(afterMicroseconds: low, zone: zone).map(Self.date)
    }

    private func resolvedZone(_ local: TimeZone) -> TimeZone? {
        switch zone {
        case .local: return WallClock.isUTC(local) ? nil : local
        case .utc: return nil
        case .named(let zone): return zone
        }
    }

    private static func microseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e6).rounded()) }
    private static func date(_ microseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(microseconds) / 1e6) }

    /// The first elapse strictly after `base` (microseconds since the epoch), reading wall
    /// times in `zone` (nil: UTC).
    func nextElapse(afterMicroseconds base: Int64, zone: TimeZone?) -> Int64? {
        let start = base + 1
        var wall = WallClock.wall(of: start, in: zone)
        // Each round either returns or moves `wall` forward past a time that cannot be
        // used; the guard only bounds pathological zones.
        for _ in 0..<100_000 {
            guard let candidate = nextWall(atOrAfter: wall) else { return nil }
            let instants = WallClock.instants(of: candidate, in: zone)
            if let instant = instants.first(where: { $0 >= start }) { return instant }
            if instants.isEmpty {
                // In the gap when clocks go forward: on from the time the clocks show
                // after it, as mktime(3) normalizes it for systemd.
                wall = candidate + WallClock.gap(at: candidate, in: zone)
            } else {
                wall = candidate + 1
            }
        }
        return nil
    }

    /// The first wall time (microseconds since the epoch, read as UTC) at or after `wall`
    /// that every field allows; nil past 2199.
    func nextWall(atOrAfter wall: Int64) -> Int64? {
        var t = WallTime(wall)
        while true {
            guard t.year <= CalendarField.year.bounds.upperBound else { return nil }
            if let year {
                guard let y = year.first(atLeast: t.year, limit: CalendarField.year.bounds.upperBound) else {
                    return nil
                }
                if y != t.year { t = WallTime(year: y) }
            }
            guard let m = month.first(atLeast: t.month, limit: 12) else {
                t = WallTime(year: t.year + 1)
                continue
            }
            if m != t.month { t = WallTime(year: t.year, month: m) }
            let last = CivilDate.daysInMonth(year: t.year, month: t.month)
            guard let d = dayChain(lastDay: last).first(atLeast: t.day, limit: last) else {
                t.nextMonth()
                continue
            }
            if d != t.day { t = WallTime(year: t.year, month: t.month, day: d) }
            if weekdays != 0, weekdays & (1 << CivilDate(year: t.year, month: t.month, day: t.day).weekday) == 0 {
                t.nextDay()
                continue
            }
            guard let h = hour.first(atLeast: t.hour, limit: 23) else {
                t.nextDay()
                continue
            }
            if h != t.hour { (t.hour, t.minute, t.microsecond) = (h, 0, 0) }
            guard let mi = minute.first(atLeast: t.minute, limit: 59) else {
                t.nextHour()
                continue
            }
            if mi != t.minute { (t.minute, t.microsecond) = (mi, 0) }
            guard let s = second.first(atLeast: t.microsecond, limit: 59_999_999) else {
                t.nextMinute()
                continue
            }
            t.microsecond = s
            return t.microsecondsSinceEpoch
        }
    }

    /// The day chain with days counted from the month's end turned into days of a month
    /// of `lastDay` days (`~1` is the last day; `~7..1` the last week).
    private func dayChain(lastDay: Int) -> [CalendarComponent]? {
        guard endOfMonth, let day else { return day }
        return day.map { c in
            let start = lastDay - c.start + 1
            guard let stop = c.stop else { return CalendarComponent(start: start, stop: nil, step: c.step) }
            return CalendarComponent(start: lastDay - stop + 1, stop: start, step: c.step)
        }
    }
}

extension Optional where Wrapped == [CalendarComponent] {
    /// The smallest value in `value…limit` the chain allows (any, for `*`).
    fileprivate func first(atLeast value: Int, limit: Int) -> Int? {
        guard let chain = self else { return value <= limit ? value : nil }
        return chain.first(atLeast: value, limit: limit)
    }
}
